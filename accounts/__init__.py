"""People and API tokens: users with roles, passwords stored hashed, bearer tokens shown once;
signed decisions (a password re-entered at the moment of the decision)."""

from capaflow.accounts.links import LinkRefused, open_link, supplier_from_link, supplier_link
from capaflow.accounts.passwords import hash_password, verify_password
from capaflow.accounts.signatures import SignerRefused, check_signature, meaning_for, sign
from capaflow.accounts.tokens import Principal, create_token, resolve_token, revoke_token
from capaflow.accounts.users import (
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
    "LinkRefused",
    "Principal",
    "SignerRefused",
    "add_user",
    "authenticate",
    "check_signature",
    "create_token",
    "disable_user",
    "get_user",
    "hash_password",
    "list_users",
    "meaning_for",
    "open_link",
    "resolve_token",
    "revoke_token",
    "sign",
    "supplier_from_link",
    "supplier_link",
    "verify_password",
]
