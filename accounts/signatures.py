"""Signed decisions: a quality lead re-enters their password, and the record says who signed,
when, and what the signature means.

Closing or cancelling a case, accepting a cause report, standardising a PDCA cycle and lifting
a blacklist are decisions an auditor asks about later ("who approved this, knowing what?").
A session cookie only proves someone was signed in at that browser; re-entering the password
at the moment of the decision ties it to the person (the manifestation of an electronic
signature as 21 CFR 11.50 describes it: the signer's name, the date and time, and its meaning).

`sign` returns the signature as a plain dict; the caller stores it with the decision (the
case event's fields, where the hash chain covers it, or the supplier decision row).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from capaflow.accounts import throttle
from capaflow.accounts.passwords import verify_password
from capaflow.accounts.tokens import Principal
from capaflow.accounts.users import MAX_PASSWORD, WRITER_ROLES
from capaflow.calendars import isoformat
from capaflow.errors import BadInput
from capaflow.models import User

METHOD = "password re-entry"

# What a signature means, in the words an auditor reads in the trail. One per decision kind;
# `meaning_for` picks the one for a lifecycle step.
CLOSE_CASE = "I approve closing this case: the countermeasure is verified effective"
CANCEL_CASE = "I approve cancelling this case: no further corrective action is owed on it"
STANDARDIZE_CYCLE = (
    "I approve standardising this cycle's change as the new way of working: its target was met"
)
ACCEPT_CAUSE_REPORT = (
    "I accept the supplier's written cause report as a complete account of the cause"
)
CLOSE_AUDIT = "I approve closing this audit: every finding is resolved"
RECORD_MINUTES = "I confirm the meeting with the supplier was held as these minutes record"
FINAL_STEP = "I approve this final decision on the case"
LIFT_BLACKLIST = (
    "I approve lifting this supplier's blacklist: its lots may be accepted again"
)
CLOSE_REQUEST = "I approve closing this service request: the customer's matter is settled"
CANCEL_REQUEST = (
    "I approve cancelling this service request: the desk owes the customer nothing more on it"
)
# Changes after opening (docs/architecture.md, "Edits and extensions"): what the case commits
# the supplier and the team to, changed by a person the trail names.
EDIT_CASE = "I approve this change to the case as recorded, for the reason given"
APPROVE_EXTENSION = "I approve moving this obligation's due time to the date recorded"
REFUSE_EXTENSION = "I refuse this request for more time: the obligation stays due as it was"
EXTEND_DEADLINE = "I extend this obligation's due time to the date recorded"
MEANINGS = (EDIT_CASE, APPROVE_EXTENSION, REFUSE_EXTENSION, EXTEND_DEADLINE,
            CLOSE_CASE, CANCEL_CASE, STANDARDIZE_CYCLE, ACCEPT_CAUSE_REPORT, CLOSE_AUDIT,
            RECORD_MINUTES, FINAL_STEP, LIFT_BLACKLIST, CLOSE_REQUEST, CANCEL_REQUEST)

# The words of the steps that end a case, by (lifecycle, trigger). Which steps need a
# signature is decided by the lifecycle (a step into a final state), not by this table: a step
# missing here still needs one and signs with FINAL_STEP.
_STEP_MEANINGS = {
    ("8d", "close"): CLOSE_CASE,
    ("pdca", "standardize"): STANDARDIZE_CYCLE,
    ("cause_report", "accept"): ACCEPT_CAUSE_REPORT,
    ("audit", "close"): CLOSE_AUDIT,
    ("meeting", "record_minutes"): RECORD_MINUTES,
    ("service", "close"): CLOSE_REQUEST,
    ("service", "cancel"): CANCEL_REQUEST,
}
_KEYS = ("signed_by", "signed_at", "meaning", "method")


class SignerRefused(BadInput):
    """This principal may not sign: not a user account of the quality team with a writer
    role. A BadInput (exit 2) for the CLI's contract; a page or the API answers 403, having
    checked the role before asking for a password."""


def meaning_for(lifecycle: str, trigger: str) -> str:
    """What signing this step of this lifecycle means."""
    found = _STEP_MEANINGS.get((lifecycle, trigger))
    if found is not None:
        return found
    return CANCEL_CASE if trigger == "cancel" else FINAL_STEP


def sign(
    session: Session, *, principal: Principal, password: str, meaning: str, now: datetime,
    roles: frozenset[str] = WRITER_ROLES,
) -> dict[str, Any]:
    """The signature of `principal` for a decision meaning `meaning`, after checking the
    password they re-entered against their stored hash. `roles`: who may sign this kind of
    decision (the writer roles; the service desk's roles for a service request).

    Refused (nothing is signed): too many wrong passwords (TooManyAttempts), a locked
    account (AccountLocked); a supplier or a supplier's link, a principal without a user
    account, a viewer, a disabled user (SignerRefused, field "signer"); an empty or wrong
    password (BadInput, field "password"); a meaning that is not one of MEANINGS.
    """
    if meaning not in MEANINGS:
        raise BadInput(f"meaning: '{meaning}' is not a known meaning of a signature",
                       field="meaning")
    if principal.is_supplier or principal.user_id is None:
        raise SignerRefused("signer: only a quality team member's own account can sign",
                            field="signer")
    user = session.get(User, principal.user_id)
    # The role and the account are read again here, not taken from the principal: a session
    # may be older than a change of role.
    if user is None or user.disabled_at is not None or user.supplier_id is not None:
        raise SignerRefused("signer: only an enabled quality team account can sign",
                            field="signer")
    if user.role not in roles:
        raise SignerRefused(f"signer: the role {user.role} may not sign decisions",
                            field="signer")
    if not password:
        raise BadInput("password: re-enter your password to sign this decision",
                       field="password")
    # Throttled as the sign-in page is (accounts.throttle), per account: the signer is signed
    # in already, so the account is what a guesser holding a session would wear out.
    throttle.check(session, name=user.name, address=None, now=now)
    if len(password) > MAX_PASSWORD or not verify_password(password, user.password_hash):
        throttle.failed(session.get_bind(), name=user.name, address=None, now=now)  # type: ignore[arg-type]
        raise BadInput("password: that is not your password; the decision was not signed",
                       field="password")
    throttle.succeeded(session, name=user.name)
    return {"signed_by": user.name, "signed_at": isoformat(now), "meaning": meaning,
            "method": METHOD}


def check_signature(
    signature: Mapping[str, Any], *, actor: str, meaning: str
) -> dict[str, Any]:
    """A signature as `sign` makes it, by the actor of the decision, with the meaning the
    decision has; BadInput (field "signature") otherwise.

    The services storing a signature call this, so a signature made for one decision (or by
    someone else) cannot be attached to another.
    """
    if not isinstance(signature, Mapping):
        raise BadInput("signature: must be a signature from accounts.signatures.sign",
                       field="signature")
    missing = [k for k in _KEYS if not isinstance(signature.get(k), str) or not signature[k]]
    if missing:
        raise BadInput(f"signature: missing {', '.join(missing)}", field="signature")
    if signature["signed_by"] != actor:
        raise BadInput(f"signature: signed by {signature['signed_by']}, but the decision is "
                       f"taken by {actor}", field="signature")
    if signature["meaning"] != meaning:
        raise BadInput(f"signature: it means '{signature['meaning']}', but this decision "
                       f"means '{meaning}'", field="signature")
    return {k: str(signature[k]) for k in _KEYS}

