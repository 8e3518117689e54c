"""Scheduled data sync: due subscriptions and the daily refresh, batched into executions."""
