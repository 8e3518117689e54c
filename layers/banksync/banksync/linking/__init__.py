"""Accounts the business links at a provider itself, and their re-authorisation links."""
