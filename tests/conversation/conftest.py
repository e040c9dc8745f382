"""The two suppliers, their 8D cases and the people of tests/submissions: a supplier's
conversation is about the same cases its submissions answer."""

from tests.submissions.conftest import desk

__all__ = ["desk"]
