"""Connectors to systems of record, found by the registry (`registry.py`)."""
