"""The tamper-evident audit trail: hash-chained case events and their verification."""
