"""The service desk's people work on the service desk: they read none of the supplier
conversation (internal notes least of all) and none of the supplier-quality pages added with
it (the nonconformance list, the 8D KPIs, an extension request)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from capaflow.accounts import add_user
from capaflow.accounts.tokens import Principal
from capaflow.conversation import comments_for, post_comment
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.web.conftest import Site, sign_in

LEAD = Principal(name="lead", role="quality_lead")


def test_a_service_manager_reads_no_comment_and_no_supplier_quality_page(
    site: Site, policy: DeadlinePolicy
) -> None:
    case_id = site.cases["ACME"]
    with session_scope(get_engine(site.url)) as session:
        add_user(session, name="sam", role="service_manager", password="sam-password-1", now=T0)
        post_comment(session, principal=LEAD, case_id=case_id, body="Our own doubts",
                     internal=True, now=T0, policy=policy)
        post_comment(session, principal=LEAD, case_id=case_id, body="A question for you",
                     internal=False, now=T0, policy=policy)
    with session_scope(get_engine(site.url)) as session:
        sam = Principal(name="sam", role="service_manager")
        assert comments_for(session, principal=sam, case_id=case_id) == []
        assert len(comments_for(session, principal=LEAD, case_id=case_id)) == 2

    client = TestClient(site.app, follow_redirects=False)
    site.clients.append(client)
    client.__enter__()
    assert sign_in(client, "sam", "sam-password-1").status_code == 303
    for path in ("/defects", "/kpis", "/kpis.csv"):
        answer = client.get(path)
        assert answer.status_code == 403, (path, answer.status_code)
    case_page = client.get(f"/cases/{case_id}")
    assert "Our own doubts" not in case_page.text
    assert "A question for you" not in case_page.text
