"""A form's address opened again: after a refused step the browser shows the record page
under the form's POST address, and a refresh (or a bookmark, or the back button) asks for
that address with GET. It would answer 405; it takes the person to the page the form was on.

Nothing is done here, and nothing is posted again: the person sees the record as it is now.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from capaflow.serving.fields import CaseId, SubmissionId

router = APIRouter(include_in_schema=False)


def _back_to(address: str) -> RedirectResponse:
    return RedirectResponse(address, 303)


@router.get("/cases/{case_id}/steps")
@router.get("/cases/{case_id}/costs")
def case_form_refreshed(case_id: CaseId) -> RedirectResponse:
    return _back_to(f"/cases/{case_id}")


@router.get("/service/{request_id}/steps")
@router.get("/service/{request_id}/follow-up")
def request_form_refreshed(request_id: CaseId) -> RedirectResponse:
    return _back_to(f"/service/{request_id}")


@router.get("/portal/cases/{case_id}/submit")
def portal_form_refreshed(case_id: CaseId) -> RedirectResponse:
    return _back_to(f"/portal/cases/{case_id}")


@router.get("/submissions/{submission_id}/accept")
@router.get("/submissions/{submission_id}/reject")
def decision_form_refreshed(submission_id: SubmissionId) -> RedirectResponse:
    return _back_to(f"/submissions/{submission_id}")


@router.get("/customer/requests")
def customer_form_refreshed() -> RedirectResponse:
    return _back_to("/customer")
