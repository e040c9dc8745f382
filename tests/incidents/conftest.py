"""The real HTTP receiver of the notification tests, for the on-call notices' delivery."""

from tests.notifications.conftest import http_receiver  # noqa: F401  (a fixture)
