"""CreditGraph algorithms layer."""
