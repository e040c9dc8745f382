"""A notice that reaches nobody at one of its roles is marked so, and the quality lead gets it
in that role's place (docs/architecture.md, "Master data"). On SQLite and PostgreSQL."""

from __future__ import annotations

from capaflow.models import Case, Customer, Notification
from capaflow.notifications.notifier import RecordingNotifier
from capaflow.notifications.routing import Routes, resolve
from tests.conftest import T0
from tests.notifications.support import (
    ACME_CONTACT,
    LEAD,
    LENA,
    S,
    add_case,
    add_supplier,
    load,
    queue,
    run,
)


def test_an_escalation_to_a_missing_head_of_quality_is_marked_and_goes_to_the_lead(
    db_url: str,
) -> None:
    case_id = add_case(db_url, supplier_id=add_supplier(db_url, "ACME", quality_head_url=None))
    notice_id = queue(db_url, case_id=case_id, audience=["owner", "supplier_quality_head"])
    notifier = RecordingNotifier()
    assert run(db_url, notifier, now=T0 + S).sent_ids == [notice_id]
    [sent] = notifier.sent
    # The owner as meant, and the quality lead standing in for the missing head of quality.
    assert sent.targets == (LENA, LEAD)
    notice = load(db_url, notice_id)
    assert notice.status == "sent"
    assert notice.unreached == "supplier_quality_head"
    assert notice.last_error is not None and "supplier_quality_head" in notice.last_error


def test_a_notice_only_for_a_missing_supplier_role_is_rescued_by_the_lead(db_url: str) -> None:
    case_id = add_case(db_url, supplier_id=add_supplier(db_url, "ACME", executive_url=None))
    notice_id = queue(db_url, case_id=case_id, audience=["supplier_executive"])
    notifier = RecordingNotifier()
    run(db_url, notifier, now=T0 + S)
    assert [s.targets for s in notifier.sent] == [(LEAD,)]
    notice = load(db_url, notice_id)
    assert (notice.status, notice.unreached) == ("sent", "supplier_executive")


def test_a_notice_that_reached_every_role_records_no_missed_role(db_url: str) -> None:
    case_id = add_case(db_url, supplier_id=add_supplier(db_url, "ACME"))
    notice_id = queue(db_url, case_id=case_id, audience=["supplier_contact"])
    notifier = RecordingNotifier()
    run(db_url, notifier, now=T0 + S)
    assert [s.targets for s in notifier.sent] == [(ACME_CONTACT,)]
    assert load(db_url, notice_id).unreached is None


def test_a_customers_notice_is_never_handed_to_a_stand_in() -> None:
    # The survey's link answers as the customer: without their address nobody else gets it.
    notice = Notification(dedupe_key="k", kind="survey", audience=["customer"], subject="s",
                          body="b", created_at=T0)
    case = Case(id=1, lifecycle="service", state="follow_up", title="t", opened_at=T0,
                updated_at=T0)
    customer = Customer(code="C1", name="C", tier="key", created_at=T0)
    routes = Routes(roles={"service_manager": ("json://127.0.0.1:9/sm",),
                           "quality_lead": (LEAD,)})
    resolution = resolve(notice, case, None, routes, customer)
    assert resolution.urls == [] and resolution.unresolved[0].startswith("customer ")
