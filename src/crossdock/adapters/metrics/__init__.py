"""Metrics for Prometheus: the agents' deliveries and the outbox as the store sees it."""
