"""Data-sync subscriptions: who is refreshed, how often, and where results go."""
