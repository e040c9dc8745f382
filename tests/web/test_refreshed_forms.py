"""A form's address opened with GET (a refresh after a refused step, the back button) takes
the person back to the page the form was on, instead of 405 (docs/architecture.md, "Pages")."""

from __future__ import annotations

import pytest

from tests.web.conftest import Site


def test_refreshing_a_refused_step_shows_the_case_again(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    refused = site.post_form(lead, f"/cases/{case_id}/steps",
                             {"trigger": "no_such_step", "version": "1"},
                             page=f"/cases/{case_id}")
    assert refused.status_code in (409, 422)
    refreshed = lead.get(f"/cases/{case_id}/steps")
    assert refreshed.status_code == 303
    assert refreshed.headers["location"] == f"/cases/{case_id}"
    assert lead.get(refreshed.headers["location"]).status_code == 200


@pytest.mark.parametrize(
    ("form", "page"),
    [
        ("/cases/7/steps", "/cases/7"),
        ("/cases/7/costs", "/cases/7"),
        ("/service/7/steps", "/service/7"),
        ("/service/7/follow-up", "/service/7"),
        ("/portal/cases/7/submit", "/portal/cases/7"),
        ("/submissions/7/accept", "/submissions/7"),
        ("/submissions/7/reject", "/submissions/7"),
        ("/customer/requests", "/customer"),
    ],
)
def test_every_form_address_opened_with_get_leads_to_its_page(
    site: Site, form: str, page: str
) -> None:
    answer = site.anonymous().get(form)
    assert answer.status_code == 303
    assert answer.headers["location"] == page


def test_a_form_address_with_a_bad_number_is_refused_not_redirected(site: Site) -> None:
    assert site.anonymous().get("/cases/abc/steps").status_code == 422
