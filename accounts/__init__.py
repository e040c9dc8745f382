"""People and API tokens: users with roles, passwords stored hashed, bearer tokens shown once."""

from accounts.passwords import hash_password, verify_password
from accounts.tokens import Principal, create_token, resolve_token, revoke_token
from accounts.users import (
    ROLES,
    WRITER_ROLES,
    add_user,
    authenticate,
    disable_user,
    get_user,
    list_users,
)

__all__ = [
    "ROLES",
    "WRITER_ROLES",
    "Principal",
    "add_user",
    "authenticate",
    "create_token",
    "disable_user",
    "get_user",
    "hash_password",
    "list_users",
    "resolve_token",
    "revoke_token",
    "verify_password",
]
