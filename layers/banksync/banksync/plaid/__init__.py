"""Plaid behind the provider port, through its official client ``plaid-python``."""
