"""The provider's pushed updates: its data webhooks turned into stored bank data."""
