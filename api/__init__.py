"""CreditGraph api layer."""
