"""Denial intelligence: code knowledge, the playbook, OT claim checks, units and deadlines."""
