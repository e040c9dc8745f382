"""The standards catalogue through `capa standard import|show|list` (docs/architecture.md,
"Service quality control"): versions per department and position, an identical file adds
nothing, bad input is named and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from capaflow.errors import NotFound
from capaflow.models.db import get_engine
from capaflow.standards.catalogue import current_standard, standard_version
from tests.cli.support import ok, refused
from tests.conftest import T0
from tests.standards.support import EXAMPLE, small_items, write_toml

H = timedelta(hours=1)


def test_importing_the_example_standard_adds_version_one_with_its_items(db_url: str) -> None:
    document = ok(db_url, "standard", "import", str(EXAMPLE))
    assert document["added"] is True
    standard = document["standard"]
    assert (standard["department"], standard["position"], standard["version"]) == (
        "field_service", "technician", 1)
    assert [i["code"] for i in standard["items"]][:3] == ["FS-01", "FS-02", "FS-03"]
    critical = [i["code"] for i in standard["items"] if i["critical"]]
    assert critical == ["FS-03"]
    listed = ok(db_url, "standard", "list")["standards"]
    assert [(s["department"], s["position"], s["version"], s["items"]) for s in listed] == [
        ("field_service", "technician", 1, 7)]


def test_importing_an_identical_file_changes_nothing(db_url: str) -> None:
    from tests.helpers import snapshot
    ok(db_url, "standard", "import", str(EXAMPLE))
    before = snapshot(db_url)
    again = ok(db_url, "standard", "import", str(EXAMPLE), now=T0 + H)
    assert again["added"] is False and again["standard"]["version"] == 1
    assert snapshot(db_url) == before


def test_a_changed_file_adds_the_next_version_and_keeps_the_earlier_one(
    db_url: str, tmp_path: Path
) -> None:
    first = write_toml(tmp_path / "v1.toml", small_items())
    ok(db_url, "standard", "import", str(first))
    changed = small_items()
    changed[0]["weight"] = 2
    second = write_toml(tmp_path / "v2.toml", changed)
    document = ok(db_url, "standard", "import", str(second), now=T0 + H)
    assert document["added"] is True and document["standard"]["version"] == 2
    shown = ok(db_url, "standard", "show", "field_service", "technician")
    assert shown["version"] == 2 and shown["items"][0]["weight"] == 2
    past = ok(db_url, "standard", "show", "field_service", "technician", "--version", "1")
    assert past["version"] == 1 and past["items"][0]["weight"] == 1
    with Session(get_engine(db_url)) as session:
        assert current_standard(session, "field_service", "technician").version == 2
        assert standard_version(session, "field_service", "technician", 1).items[0].weight == 1
        with pytest.raises(NotFound) as missing:
            standard_version(session, "field_service", "technician", 9)
        assert missing.value.field == "version"
        with pytest.raises(NotFound) as nowhere:
            current_standard(session, "back_office", "clerk")
        assert nowhere.value.field == "department"
        with pytest.raises(NotFound) as no_position:
            current_standard(session, "field_service", "team_lead")
        assert no_position.value.field == "position"


def test_a_standard_imports_from_csv_too(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "desk.csv"
    path.write_text(
        "department,position,title,code,text,weight,factor,critical\n"
        "service_desk,agent,Desk call,D-1,Answers within three rings,1,methods,\n"
        "service_desk,agent,Desk call,D-2,Reads back the request,2.5,people,yes\n",
        encoding="utf-8")
    document = ok(db_url, "standard", "import", str(path))
    items = document["standard"]["items"]
    assert [(i["code"], i["weight"], i["critical"]) for i in items] == [
        ("D-1", 1.0, False), ("D-2", 2.5, True)]


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"department": "nowhere"}, "department", "'nowhere' is not a department"),
    ({"position": "pilot"}, "position", "'pilot' is not a position of field_service"),
])
def test_an_unknown_department_or_position_is_refused_and_writes_nothing(
    db_url: str, tmp_path: Path, change: dict[str, str], field: str, says: str
) -> None:
    path = write_toml(tmp_path / "s.toml", small_items(), **change)
    refused(db_url, "standard", "import", str(path), exit_code=2, field=field, says=[says])


@pytest.mark.parametrize(("item", "field", "says"), [
    ({"weight": 0}, "weight", "not above 0"),
    ({"weight": -2}, "weight", "not above 0"),
    ({"weight": "heavy"}, "weight", "'heavy' is not a number"),
    ({"factor": "money"}, "factor", "'money' is not a 5M1E factor"),
    ({"code": "B"}, "code", "'B' is listed twice"),
    ({"text": ""}, "text", "text: missing"),
])
def test_a_bad_item_is_named_and_the_import_writes_nothing(
    db_url: str, tmp_path: Path, item: dict[str, object], field: str, says: str
) -> None:
    items = small_items()
    items[0].update(item)
    path = write_toml(tmp_path / "s.toml", items)
    refused(db_url, "standard", "import", str(path), exit_code=2, field=field, says=[says])


def test_a_missing_field_and_a_missing_file_are_named(db_url: str, tmp_path: Path) -> None:
    items = small_items()
    del items[1]["factor"]
    refused(db_url, "standard", "import", str(write_toml(tmp_path / "s.toml", items)),
            exit_code=2, field="factor", says=["factor: missing (item 2)"])
    refused(db_url, "standard", "import", str(tmp_path / "none.toml"), exit_code=2,
            field="file")
    (tmp_path / "s.txt").write_text("x", encoding="utf-8")
    refused(db_url, "standard", "import", str(tmp_path / "s.txt"), exit_code=2, field="file")


def test_showing_an_unknown_standard_or_version_is_refused(db_url: str) -> None:
    ok(db_url, "standard", "import", str(EXAMPLE))
    refused(db_url, "standard", "show", "nowhere", "technician", exit_code=2,
            field="department")
    refused(db_url, "standard", "show", "field_service", "pilot", exit_code=2,
            field="position")
    refused(db_url, "standard", "show", "field_service", "technician", "--version", "4",
            exit_code=3, field="version")
    refused(db_url, "standard", "show", "back_office", "clerk", exit_code=3,
            field="department")
