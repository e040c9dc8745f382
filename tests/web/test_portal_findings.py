"""The audit findings a supplier owes, on the portal's pages (web/pages/portal_findings.py):
supplier A never sees B's audit or findings, a refused answer shows the page again with the
field named and writes nothing, and the lead's review queue lists the answers."""

from __future__ import annotations

from datetime import timedelta

from capaflow.audits import Failure, conduct_audit, load_audit_policy, plan_audit
from capaflow.config import load_policies
from capaflow.deadlines.policy import load_policy
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import Site, form_token

SECRET = "BETA's secret finding: no calibration at all"


def _audit(site: Site, code: str, found: str) -> tuple[int, int]:
    policy = load_policy(load_policies())
    with session_scope(get_engine(site.url)) as session:
        planned = plan_audit(session, supplier_code=code, title=f"Audit of {code}",
                             owner="lena", scope=None, actor="lead", now=T0, policy=policy)
        result = conduct_audit(
            session, case_id=planned.case.id or 0, auditors="lena", owner=None, site=None,
            failures=[Failure("measurement.gauges", found, due_at=T0 - timedelta(hours=1)
                              + timedelta(days=1))],
            actor="lead", now=T0 - timedelta(hours=1), policy=policy,
            audit_policy=load_audit_policy(load_policies()))
        return planned.case.id or 0, result.findings[0].id or 0


def test_supplier_a_never_sees_bs_findings_and_a_blank_answer_writes_nothing(
    site: Site,
) -> None:
    acme_audit, acme_finding = _audit(site, "ACME", "Gauges past calibration")
    beta_audit, beta_finding = _audit(site, "BETA", SECRET)
    acme = site.signed_in("acme")
    portal = acme.get("/portal").text
    assert "Gauges past calibration" in portal and f"/portal/audits/{acme_audit}" in portal
    assert SECRET not in portal
    theirs = acme.get(f"/portal/audits/{beta_audit}")
    assert theirs.status_code == 404 and SECRET not in theirs.text
    # An 8D case is not an audit page; the audit's own portal case page leads to it.
    assert acme.get(f"/portal/audits/{site.cases['ACME']}").status_code == 404
    assert acme.get(f"/portal/cases/{acme_audit}").headers["location"] == (
        f"/portal/audits/{acme_audit}")

    before = snapshot(site.url)
    refused = site.post_form(acme, f"/portal/findings/{beta_finding}/answer",
                             {"action": "done"}, page=f"/portal/audits/{acme_audit}")
    assert refused.status_code == 404 and SECRET not in refused.text
    blank = site.post_form(acme, f"/portal/findings/{acme_finding}/answer",
                           {"action": "  ", "evidence": "kept text"},
                           page=f"/portal/audits/{acme_audit}")
    assert blank.status_code == 422
    assert 'data-field="action"' in blank.text and "kept text" in blank.text
    lead = site.signed_in("lead")
    # The quality team is sent away from the portal's form (it closes findings on the audit
    # page), with nothing written.
    assert site.post_form(lead, f"/portal/findings/{acme_finding}/answer", {"action": "x"},
                          page="/submissions").status_code in (303, 403)
    assert snapshot(site.url) == before

    sent = site.post_form(acme, f"/portal/findings/{acme_finding}/answer",
                          {"action": "Gauges recalibrated", "evidence": "cert 4711"},
                          page=f"/portal/audits/{acme_audit}")
    assert sent.status_code == 303
    queue = lead.get("/submissions").text
    assert "audit finding answer" in queue
    audit_page = lead.get(f"/audits/{acme_audit}").text
    assert "answers waiting for your review" in audit_page
    [answer_id] = [int(part.split('"')[0]) for part in queue.split('href="/submissions/')[1:]
                   if part.split('"')[0].isdigit()][:1]
    review = lead.get(f"/submissions/{answer_id}").text
    assert "Gauges past calibration" in review and "Accept audit finding answer" in review
    # A viewer reads it but has no form to decide it.
    seen = site.signed_in("viewer").get(f"/submissions/{answer_id}").text
    assert "Gauges recalibrated" in seen and "Accept audit finding answer" not in seen


def test_the_suppliers_evidence_file_for_an_audit_lands_on_the_audits_portal_page(
    site: Site,
) -> None:
    audit, _ = _audit(site, "ACME", "Gauges past calibration")
    acme = site.signed_in("acme")
    shown = acme.get(f"/portal/audits/{audit}")
    assert "Audit of ACME" in shown.text and "Gauges past calibration" in shown.text
    token = form_token(shown.text)
    before = snapshot(site.url)
    empty = acme.post(f"/portal/cases/{audit}/files", data={"csrf_token": token},
                      files={"file": ("empty.csv", b"", "text/csv")})
    assert empty.status_code == 422
    assert "Gauges past calibration" in empty.text  # the audit's page, not a dead end
    assert snapshot(site.url) == before
    added = acme.post(f"/portal/cases/{audit}/files", data={"csrf_token": token},
                      files={"file": ("certs.csv", b"gauge,cert\nG1,4711\n", "text/csv")})
    assert added.status_code == 303
    assert added.headers["location"] == f"/portal/audits/{audit}#files"
    assert 'data-file="certs.csv"' in acme.get(f"/portal/audits/{audit}").text
