"""CreditGraph ingest layer."""
