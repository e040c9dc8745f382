"""The real HTTP receiver of the notification tests, for the survey notice's delivery."""

from tests.notifications.conftest import http_receiver  # noqa: F401  (a fixture)
