"""Outbound webhooks: signed notifications to subscribers, retried as Okra retries."""
