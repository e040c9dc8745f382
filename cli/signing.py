"""Signed decisions from the command line: the signer is a user of the quality team (`--by`
or CAPA_ACTOR) who re-enters their password, from a hidden prompt or with `--password-stdin`
(docs/architecture.md, "Signed decisions"), as the pages and the API ask for it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlmodel import Session

from capaflow.accounts.tokens import Principal, user_principal
from capaflow.accounts.users import find_user
from capaflow.cli.common import Env
from capaflow.errors import BadInput

PasswordStdinOpt = Annotated[
    bool,
    typer.Option("--password-stdin",
                 help="Read the signer's password from the first line of standard input "
                      "(otherwise it is asked for, hidden)."),
]


def signer(session: Session, env: Env) -> Principal:
    """The user who signs: the actor must name a user account (BadInput "actor" otherwise).

    Whether that account may sign (role, enabled, not a supplier's) is `sign`'s to say."""
    name = env.actor
    user = find_user(session, name)
    if user is None:
        raise BadInput(f"actor: '{name}' is not a user account; a signed decision is taken by "
                       "a quality team member named with --by NAME (or CAPA_ACTOR)",
                       field="actor")
    return user_principal(session, user)


def read_password(from_stdin: bool) -> str:
    """The password re-entered to sign; BadInput "password" when none is given."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    else:
        try:
            # On stderr, so a `--json` document on stdout stays the only thing there.
            password = typer.prompt("Password (to sign)", hide_input=True, err=True)
        except typer.Abort as exc:
            raise BadInput("password: none given; re-enter your password to sign this "
                           "decision", field="password") from exc
    if not password:
        raise BadInput("password: none given; re-enter your password to sign this decision",
                       field="password")
    return password
