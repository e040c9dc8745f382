"""The Apprise adapter against real receivers on 127.0.0.1, and the recording fake."""

from __future__ import annotations

import apprise
import pytest

from capaflow.notifications.notifier import AppriseNotifier, RecordingNotifier, scrub
from tests.notifications.conftest import SMTP_PASSWORD, HttpReceiver, SmtpReceiver, free_port


def test_apprise_posts_the_notice_to_a_json_receiver(http_receiver: HttpReceiver) -> None:
    delivery = AppriseNotifier(throttle=False).send(
        "[capaflow] #7 ACME: containment overdue", "Case #7: Cracked housing\nDue 09:00",
        [http_receiver.url("hooks/lead")],
    )
    assert delivery.ok and delivery.error is None
    [post] = http_receiver.posts
    assert post.path == "/hooks/lead"
    assert post.body["title"] == "[capaflow] #7 ACME: containment overdue"
    assert post.body["message"] == "Case #7: Cracked housing\nDue 09:00"


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")  # aiosmtpd's own
def test_apprise_mails_the_notice_through_a_local_smtp_server(
    smtp_receiver: SmtpReceiver,
) -> None:
    delivery = AppriseNotifier(throttle=False).send(
        "[capaflow] #7 reminder", "Containment due in 2 h", [smtp_receiver.url()]
    )
    assert delivery.ok, delivery.error
    [mail] = smtp_receiver.mails
    assert mail.mail_from == "capaflow@example.com"
    assert mail.rcpt_tos == ["lead@example.com"]
    content = mail.content if isinstance(mail.content, bytes) else b""
    assert b"Subject: [capaflow] #7 reminder" in content
    assert b"Containment due in 2 h" in content


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
def test_smtp_login_refused_is_a_failure_without_the_password(
    smtp_receiver: SmtpReceiver,
) -> None:
    url = smtp_receiver.url(password="Wrong-Pa55word")
    delivery = AppriseNotifier(throttle=False).send("s", "b", [url])
    assert not delivery.ok and delivery.undelivered == (0,)
    assert delivery.error is not None
    assert "Wrong-Pa55word" not in delivery.error and SMTP_PASSWORD not in delivery.error
    assert f"mailto://capa:****@127.0.0.1:{smtp_receiver.port}" in delivery.error
    assert smtp_receiver.mails == []


def test_http_500_is_a_failure_naming_the_masked_target(http_receiver: HttpReceiver) -> None:
    http_receiver.status = 500
    url = http_receiver.url("hook", secret="Tok3n-Secret")
    delivery = AppriseNotifier(throttle=False).send("s", "b", [url])
    assert not delivery.ok
    assert delivery.error is not None
    assert delivery.error.startswith(f"json://hook:****@127.0.0.1:{http_receiver.port}/hook: ")
    assert "500" in delivery.error
    assert "Tok3n-Secret" not in delivery.error


def test_apprise_none_counts_as_failure(
    http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Apprise answers None when no service matched, so nothing was sent. 1.13 only does so
    # for tag filters and empty config files, which the adapter never uses; the rule is
    # proven on its answer alone.
    monkeypatch.setattr(apprise.Apprise, "notify", lambda self, **kwargs: None)
    delivery = AppriseNotifier(throttle=False).send("s", "b", [http_receiver.url("hook")])
    assert not delivery.ok
    assert delivery.error is not None and "(None)" in delivery.error
    assert http_receiver.posts == []


@pytest.mark.parametrize(
    "target",
    [
        "nosuchscheme://user:Pa55word@host/x",  # Apprise cannot load it
        "json://user:Pa55word@127.0.0.1:{port}/hook",  # nothing listens there
    ],
)
def test_unloadable_or_unreachable_target_is_a_failure_never_success(target: str) -> None:
    delivery = AppriseNotifier(throttle=False).send("s", "b", [target.format(port=free_port())])
    assert not delivery.ok and delivery.undelivered == (0,)
    assert delivery.error is not None and "Pa55word" not in delivery.error


def test_failure_of_one_target_is_reported_by_position_and_the_others_still_get_it(
    http_receiver: HttpReceiver,
) -> None:
    dead = f"json://127.0.0.1:{free_port()}/dead"
    targets = [http_receiver.url("a"), dead, http_receiver.url("b")]
    delivery = AppriseNotifier(throttle=False).send("s", "b", targets)
    assert not delivery.ok and delivery.undelivered == (1,)
    assert http_receiver.paths() == ["/a", "/b"]


@pytest.mark.parametrize(("throttle", "pace"), [(True, 5.5), (False, 0)])
def test_throttle_flag_sets_the_pace_of_this_notifiers_plugins_only(
    smtp_receiver: SmtpReceiver, throttle: bool, pace: float
) -> None:
    # mailto's plugin asks for 5.5 s between two sends over one plugin object by default;
    # throttle=False zeroes it on this notifier's objects, never on the plugin class.
    notifier = AppriseNotifier(throttle=throttle)
    found = notifier._service(smtp_receiver.url())
    assert found is not None
    service, paced = found
    # A paced plugin is sent to one send at a time, so its pace holds across threads.
    assert (paced is not None) == bool(pace)
    assert service[0].request_rate_per_sec == pace
    assert type(service[0]).request_rate_per_sec == 5.5


def test_scrub_hides_every_part_of_the_url_that_masking_hides() -> None:
    url = ("json://hook:Pa55word@127.0.0.1:8080/path?-X-Token=AbCd1234"
           "&+Authorization=Bearer%20zz99-Qq")
    text = f"POST {url} failed; X-Token=AbCd1234, Authorization: Bearer zz99-Qq, pw Pa55word"
    cleaned = scrub(text, [url])
    for secret in ("Pa55word", "AbCd1234", "zz99-Qq"):
        assert secret not in cleaned
    assert "127.0.0.1" in cleaned


def test_recording_notifier_records_sends_and_refuses_the_targets_told_to_fail() -> None:
    notifier = RecordingNotifier(failing={"json://127.0.0.1/dead"})
    delivery = notifier.send("s", "b", ["json://127.0.0.1/ok", "json://127.0.0.1/dead"])
    assert not delivery.ok and delivery.undelivered == (1,)
    assert delivery.error == "json://127.0.0.1/dead: refused"
    assert notifier.delivered("json://127.0.0.1/ok") == ["s"]
    assert notifier.delivered("json://127.0.0.1/dead") == []
