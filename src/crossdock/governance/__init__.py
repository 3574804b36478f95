"""Governance rules that need no I/O: approval policies, roles and access, masking,
the audit chain and outcome scoring (docs/governance.md)."""
