"""835 remittances: reading real ERA files, posting them to claims, balancing."""
