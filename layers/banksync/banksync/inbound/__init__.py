"""Inbound provider webhooks: authenticate, validate, normalise, store once."""
