"""CreditGraph graph layer."""
