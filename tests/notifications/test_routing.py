"""Routing: a notice's roles become Apprise URLs; the routes file is checked when read."""

from __future__ import annotations

from pathlib import Path

import pytest

from capaflow.errors import BadInput
from capaflow.models import Case, Notification, Supplier
from capaflow.notifications.routing import Routes, load_routes, recipients, resolve
from tests.conftest import T0
from tests.notifications.support import (
    ACME_CONTACT,
    ACME_EXECUTIVE,
    ACME_HEAD,
    LEAD,
    LENA,
    MANAGER,
    ROUTES,
)

ROOT = Path(__file__).resolve().parents[2]


def _notice(*audience: str) -> Notification:
    return Notification(dedupe_key="k", kind="reminder", audience=list(audience), subject="s",
                        body="b", created_at=T0, next_attempt_at=T0)


def _case(owner: str | None = "lena", supplier_id: int | None = 1) -> Case:
    return Case(id=7, lifecycle="8d", state="containment", title="t", owner=owner,
                supplier_id=supplier_id, opened_at=T0, updated_at=T0)


ACME = Supplier(id=1, code="ACME", name="Acme", contact_url=ACME_CONTACT,
                quality_head_url=ACME_HEAD, executive_url=ACME_EXECUTIVE, created_at=T0)


def test_owner_goes_to_the_person_named_in_people() -> None:
    assert recipients(_notice("owner"), _case(), ACME, ROUTES) == [LENA]


@pytest.mark.parametrize("owner", [None, "ravi"])
def test_owner_without_a_route_falls_back_to_the_quality_lead(owner: str | None) -> None:
    assert recipients(_notice("owner"), _case(owner=owner), ACME, ROUTES) == [LEAD]


def test_a_notice_naming_its_own_owner_goes_to_them_not_the_cases_owner() -> None:
    # An audit finding's reminder: the finding's owner, not the audit case's.
    notice = _notice("owner")
    notice.extra = {"owner": "lena", "finding_id": 3}
    assert recipients(notice, _case(owner="ravi"), ACME, ROUTES) == [LENA]
    notice.extra = {"owner": "ravi", "finding_id": 3}  # not in [people]: the lead stands in
    assert recipients(notice, _case(owner="lena"), ACME, ROUTES) == [LEAD]


def test_internal_roles_go_to_the_routes_file_roles() -> None:
    notice = _notice("quality_lead", "quality_manager")
    assert recipients(notice, _case(), ACME, ROUTES) == [LEAD, MANAGER]


def test_supplier_roles_go_to_the_suppliers_own_urls() -> None:
    notice = _notice("supplier_contact", "supplier_quality_head", "supplier_executive")
    assert recipients(notice, _case(), ACME, ROUTES) == [ACME_CONTACT, ACME_HEAD, ACME_EXECUTIVE]


def test_recipients_are_deduplicated_when_the_owner_falls_back_to_the_lead() -> None:
    notice = _notice("owner", "quality_lead", "supplier_contact", "supplier_contact")
    assert recipients(notice, _case(owner=None), ACME, ROUTES) == [LEAD, ACME_CONTACT]


def test_roles_that_reach_nobody_are_named_with_the_reason() -> None:
    no_contact = Supplier(id=1, code="ACME", name="Acme", created_at=T0)
    empty = Routes(source="config/routes.toml", found=False)
    result = resolve(_notice("owner", "supplier_contact", "quality_manager"),
                     _case(owner="ravi"), no_contact, empty)
    assert result.urls == []
    assert result.unresolved == [
        "owner ('ravi' is not in [people] and there is no [roles] quality_lead in the routes "
        "file config/routes.toml (not found))",
        "supplier_contact (supplier ACME has no contact URL)",
        "quality_manager (no [roles] quality_manager in the routes file config/routes.toml "
        "(not found))",
    ]


def test_a_notice_without_a_case_reaches_the_lead_for_the_owner_and_no_supplier() -> None:
    result = resolve(_notice("owner", "supplier_contact"), None, None, ROUTES)
    assert result.urls == [LEAD]
    assert result.unresolved == ["supplier_contact (the case has no supplier)"]


def test_routes_file_maps_roles_and_people_to_url_lists(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(f'[roles]\nquality_lead = ["{LEAD}"]\n[people]\nlena = ["{LENA}", "{LEAD}"]\n')
    routes = load_routes(path)
    assert routes.roles == {"quality_lead": (LEAD,)}
    assert routes.people == {"lena": (LENA, LEAD)}
    assert routes.found


def test_missing_default_routes_file_gives_empty_routes(tmp_path: Path) -> None:
    routes = load_routes(tmp_path / "routes.toml")
    assert (routes.roles, routes.people, routes.found) == ({}, {}, False)


def test_routes_file_the_user_named_must_exist(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="routes: .*routes.toml: file does not exist") as caught:
        load_routes(tmp_path / "routes.toml", required=True)
    assert caught.value.field == "routes"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[roles\n", "not valid TOML"),
        ('[roles]\nquality_lead = "json://127.0.0.1/x"\n', "roles.quality_lead must be a list"),
        ("[people]\nlena = [1]\n", "people.lena must be a list"),
        ('[roles]\nquality_lead = ["lead@example.com"]\n',
         "roles.quality_lead: '****' is not an Apprise URL"),
        ('[role]\nquality_lead = []\n', "unknown key 'role'"),
        ('roles = ["json://127.0.0.1/x"]\n', "[roles] must be a table"),
        ('[roles]\nowner = ["json://127.0.0.1/x"]\n', "roles.owner"),
        ('[roles]\nsupplier_contact = ["json://127.0.0.1/x"]\n', "roles.supplier_contact"),
    ],
)
def test_malformed_routes_file_is_bad_input_naming_the_file_and_key(
    tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(text)
    with pytest.raises(BadInput) as caught:
        load_routes(path)
    assert caught.value.field == "routes"
    assert str(path) in caught.value.message
    assert says in caught.value.message


def test_invalid_url_in_routes_is_shown_masked(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text('[roles]\nquality_lead = ["nosuchscheme://user:Pa55word@host/x"]\n')
    with pytest.raises(BadInput) as caught:
        load_routes(path)
    assert "Pa55word" not in caught.value.message


def test_the_example_routes_file_is_valid() -> None:
    routes = load_routes(ROOT / "config" / "routes.example.toml", required=True)
    assert set(routes.roles) == {"quality_lead", "quality_manager"}
    assert routes.people["lena"] == ("json://127.0.0.1:8765/people/lena",)
