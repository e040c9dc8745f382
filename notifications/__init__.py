"""Notices: the outbox rows queued by the engine (outbox.py); delivery comes with the flows."""
