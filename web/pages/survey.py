"""The follow-up survey a customer reaches through the signed link of their notice: one page,
no sign-in, usable on a phone (docs/architecture.md, "Service desk").

Every rule stays in the services: servicedesk.survey decides whether a link opens (404 not
valid or another customer's, 409 answered, 410 expired or closed) and servicedesk.followup
records the answer once, closing the request as solved or reopening it.

No CSRF token of the session here: the form carries the survey's own link token, a signed,
single-use secret that only the customer's message holds. A forged post from another site
cannot know it, which is all a synchroniser token proves, and whoever does know it can answer
the survey anyway. The customer's phone may also open the link in one browser and send the
form from another (a mail app's viewer), where a session cookie would be missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from capaflow.accounts.links import MAX_TOKEN
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.servicedesk.followup import Answer, answer_survey, check_answer
from capaflow.servicedesk.policy import DIMENSIONS
from capaflow.servicedesk.survey import Survey, SurveyClosed, open_survey
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.web.context import WebDep
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

# The link's token must not travel on in a Referer header, nor a page stay in a shared cache.
_PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Question:
    name: str
    text: str
    low: str
    high: str
    scale: tuple[int, ...]


# The five things customers expect (docs/architecture.md, "Service desk"), asked in their
# words; each 1-5.
DIMENSION_TEXT = {
    "reliability": "We kept our promises",
    "assurance": "Our people knew what they were doing, and you felt safe with them",
    "tangibles": "We made the service visible: you could see what was done, and when",
    "empathy": "Someone listened to you from start to end",
    "responsiveness": "We reacted and resolved it quickly",
}
OVERALL = Question("overall", "Overall, how satisfied are you with how we handled it?",
                   "not at all", "very", tuple(range(1, 6)))
NPS = Question("nps", "How likely are you to recommend us to a colleague or friend?",
               "not at all likely", "extremely likely", tuple(range(0, 11)))
DIMENSION_QUESTIONS = tuple(
    Question(name, DIMENSION_TEXT[name], "disagree", "agree", tuple(range(1, 6)))
    for name in DIMENSIONS
)


def _refused(request: Request, exc: Exception, now: datetime) -> Response:
    """The refusal's own page: 404 not valid, 409 answered, 410 expired or closed."""
    field: str | None = "t"
    if isinstance(exc, SurveyClosed):
        status, title, message = 410, "This survey has closed", exc.message
    elif isinstance(exc, Conflict):
        status, title, message, field = 409, "Already answered", exc.message, exc.field
    else:
        assert isinstance(exc, NotFound)
        status, title, message, field = 404, "This link cannot be used", exc.message, exc.field
    response = page(request, "survey_refused.html", principal=None, now=now, status=status,
                    title=title, message=message, field=field)
    response.headers.update(_PRIVATE)
    return response


def _form_page(request: Request, survey: Survey, token: str, now: datetime, *,
               status: int = 200, problem: CapaError | None = None,
               kept: dict[str, str] | None = None) -> Response:
    response = page(
        request, "survey.html", principal=None, now=now, status=status, survey=survey,
        token=token, overall=OVERALL, nps=NPS, dimensions=DIMENSION_QUESTIONS,
        problem=problem, kept=kept or {},
    )
    response.headers.update(_PRIVATE)
    return response


@router.get("/survey")
def survey_page(request: Request, session: SessionDep, now: NowDep, web: WebDep,
                t: Annotated[str, Query(max_length=MAX_TOKEN)] = "") -> Response:
    try:
        survey = open_survey(session, secret=web.secret, token=t, now=now)
    except (NotFound, Conflict, SurveyClosed) as exc:
        return _refused(request, exc, now)
    return _form_page(request, survey, t, now)


def _score(form: FormData, name: str, *, required: bool) -> int | None:
    text = form_text(form, name).strip()
    if not text:
        if required:
            raise BadInput(f"{name}: choose a score", field=name)
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise BadInput(f"{name}: '{text[:20]}' is not a score", field=name) from exc


def read_answer(form: FormData) -> Answer:
    """The answer the form holds; BadInput naming the first field missing or out of range."""
    solved = form_text(form, "solved")
    if solved not in ("yes", "no"):
        raise BadInput("solved: say whether it is solved (yes or no)", field="solved")
    overall = _score(form, "overall", required=True)
    assert overall is not None
    dimensions = {}
    for name in DIMENSIONS:
        score = _score(form, name, required=False)
        if score is not None:
            dimensions[name] = score
    comment = form_text(form, "comment").strip() or None
    # The scales are the service's to check (servicedesk.followup.check_answer).
    return check_answer(Answer(solved=solved == "yes", overall=overall,
                               nps=_score(form, "nps", required=False),
                               dimensions=dimensions, comment=comment))


def _kept(form: FormData) -> dict[str, str]:
    names = ("solved", "overall", "nps", "comment", *DIMENSIONS)
    return {name: form_text(form, name)[:4000] for name in names}


@router.post("/survey")
def survey_answer(request: Request, session: SessionDep, now: NowDep, web: WebDep,
                  ctx: ContextDep, form: FormDep) -> Response:
    token = form_text(form, "t")[:MAX_TOKEN + 1]
    try:
        survey = open_survey(session, secret=web.secret, token=token, now=now)
    except (NotFound, Conflict, SurveyClosed) as exc:
        return _refused(request, exc, now)
    try:
        answer = read_answer(form)
        answer_survey(session, desk=ctx.runtime.service_desk, policy=ctx.deadline_policy,
                      secret=web.secret, token=token, answer=answer, now=now)
    except BadInput as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        return _form_page(request, survey, token, now, status=422, problem=exc,
                          kept=_kept(form))
    except (NotFound, Conflict, SurveyClosed) as exc:
        # Answered a moment ago from another tab: the request's version check refused this.
        session.rollback()
        return _refused(request, exc, now)
    outcome = "solved" if answer.solved else "reopened"
    return RedirectResponse(f"/survey/thanks?outcome={outcome}", 303, headers=_PRIVATE)


@router.get("/survey/thanks")
def survey_thanks(request: Request, now: NowDep,
                  outcome: Annotated[str, Query(max_length=20)] = "solved") -> Response:
    return page(request, "survey_thanks.html", principal=None, now=now,
                reopened=outcome == "reopened")

