"""`capa user ...` and `capa token ...`: the people who sign in, and tokens for the API."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import Session

from capaflow.accounts import ROLES, add_user, create_token, disable_user, list_users, revoke_token
from capaflow.accounts.throttle import unlock
from capaflow.accounts.users import reset_password
from capaflow.calendars import isoformat
from capaflow.cli.common import (
    ActorOpt,
    DbOpt,
    Env,
    JsonOpt,
    NowOpt,
    print_json,
    run,
    stdout,
)
from capaflow.errors import MAX_ID, BadInput
from capaflow.models import ApiToken, Supplier, User

user_app = typer.Typer(help="Users of the quality team and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (shown once, stored hashed).", no_args_is_help=True)


def supplier_code(session: Session, user: User) -> str | None:
    found = session.get(Supplier, user.supplier_id) if user.supplier_id else None
    return found.code if found else None


def user_json(user: User, supplier: str | None = None) -> dict[str, Any]:
    # Never the password hash: it is of no use to a script and of some to an attacker.
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "supplier": supplier,
        "created_at": isoformat(user.created_at),
        "disabled_at": isoformat(user.disabled_at) if user.disabled_at else None,
    }


def _password(given: str | None) -> str:
    if given is not None:
        return given
    # Prompted (hidden, asked twice) when not given, so it need not sit in shell history.
    try:
        entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    except typer.Abort as exc:
        raise BadInput("password: none given", field="password") from exc
    return entered


@user_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))],
    password: Annotated[
        str | None,
        typer.Option("--password", help="The password (prompted for when not given).",
                     show_default=False),
    ] = None,
    supplier: Annotated[
        str | None,
        typer.Option("--supplier", help="For --role supplier: the supplier it belongs to.",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Add a user with a role (a supplier's account with --role supplier --supplier CODE);
    the password is stored as a scrypt hash."""
    env = Env(as_json, db, now)

    def body() -> None:
        secret = _password(password)
        with env.transaction() as session:
            user = add_user(session, name=name, role=role.strip().lower(), password=secret,
                            now=env.now, supplier_code=supplier)
            document = user_json(user, supplier_code(session, user))
        if env.as_json:
            print_json(document)
        else:
            stdout.print(f"User {user.name} added ({user.role}).", highlight=False,
                         markup=False)

    run(env, body)


@user_app.command("list")
def list_command(as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None) -> None:
    """All users, with their roles and whether they are disabled."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            rows = [user_json(u, supplier_code(session, u)) for u in list_users(session)]
        if env.as_json:
            print_json(rows)
            return
        table = Table(title=f"{len(rows)} user(s)", title_justify="left")
        for column in ("name", "role", "created", "disabled"):
            table.add_column(column)
        for r in rows:
            table.add_row(r["name"], r["role"], r["created_at"], r["disabled_at"] or "-")
        stdout.print(table)

    run(env, body)


@user_app.command("disable")
def disable_command(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Disable a user: sign-in and every token of theirs stop working at once."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            user = disable_user(session, name=name, now=env.now)
            document = user_json(user, supplier_code(session, user))
        if env.as_json:
            print_json(document)
        else:
            stdout.print(f"User {user.name} disabled.", highlight=False, markup=False)

    run(env, body)


@user_app.command("password")
def password_command(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the new password from standard input "
                     "(else it is prompted for, twice)."),
    ] = False,
    by: ActorOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Reset a user's password (an administrator's act, recorded as an account event): every
    session the user has signed in stops working."""
    env = Env(as_json, db, now, actor_name=by)

    def body() -> None:
        if password_stdin:
            secret = sys.stdin.readline().rstrip("\r\n")
            if not secret:
                raise BadInput("password: none on standard input", field="password")
        else:
            secret = _password(None)
        with env.transaction() as session:
            user = reset_password(session, name=name, new=secret, actor=env.actor, now=env.now)
            document = user_json(user, supplier_code(session, user))
        if env.as_json:
            print_json(document)
        else:
            stdout.print(f"Password of {user.name} reset; their sessions have ended.",
                         highlight=False, markup=False)

    run(env, body)


@user_app.command("unlock")
def unlock_command(
    name: Annotated[str, typer.Argument(help="Sign-in name of the locked account.")],
    by: Annotated[str, typer.Option("--by", help="The quality manager who lifts the lockout.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Lift a lockout after too many wrong passwords (a quality manager's decision, recorded
    as an account event); the account may sign in again."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            user = unlock(session, name=name, by=by, now=env.now)
            document = user_json(user, supplier_code(session, user))
        if env.as_json:
            print_json(document)
        else:
            stdout.print(f"User {user.name} unlocked by {by}.", highlight=False, markup=False)

    run(env, body)


def token_json(row: ApiToken, token: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": row.id,
        "user_id": row.user_id,
        "supplier_id": row.supplier_id,
        "label": row.label,
        "created_at": isoformat(row.created_at),
        "revoked_at": isoformat(row.revoked_at) if row.revoked_at else None,
    }
    if token is not None:
        document["token"] = token
    return document


@token_app.command("create")
def create_command(
    user: Annotated[
        str | None, typer.Option("--user", help="For this user (their role).",
                                 show_default=False)
    ] = None,
    supplier: Annotated[
        str | None,
        typer.Option("--supplier", help="For this supplier (its own cases, lots and grades).",
                     show_default=False),
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="What the token is for.", show_default=False)
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Create an API token and print it ONCE: only its SHA-256 is stored."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            row, token = create_token(session, user_name=user, supplier_code=supplier,
                                      label=label, now=env.now)
        if env.as_json:
            print_json(token_json(row, token))
            return
        whom = f"user {user}" if user is not None else f"supplier {supplier}"
        stdout.print(f"Token {row.id} for {whom} (shown once, keep it safe):", highlight=False,
                     markup=False)
        typer.echo(token)

    run(env, body)


@token_app.command("revoke")
def revoke_command(
    token_id: Annotated[
        int, typer.Argument(help="Token number (from `token create`).", min=1, max=MAX_ID)
    ],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Revoke a token: requests with it are refused (401) from now on."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            row = revoke_token(session, token_id=token_id, now=env.now)
        if env.as_json:
            print_json(token_json(row))
        else:
            stdout.print(f"Token {row.id} revoked.", highlight=False, markup=False)

    run(env, body)
