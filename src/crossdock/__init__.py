"""Crossdock: an operations layer above the ERP for multi-warehouse distributors."""

__version__ = "0.1.0"
