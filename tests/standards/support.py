"""What the standards tests share: the example standard shipped in data/, and writing a
standard file of one's own."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "standards" / \
    "field_service-technician.toml"

ITEM_KEYS = ("code", "text", "weight", "factor", "critical")


def write_toml(path: Path, items: list[dict[str, object]], *, department: str = "field_service",
               position: str = "technician", title: str = "Field service visit") -> Path:
    lines = [f'department = "{department}"', f'position = "{position}"', f'title = "{title}"']
    for item in items:
        lines.append("[[items]]")
        for key, value in item.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float):
                lines.append(f"{key} = {value}")
            else:
                lines.append(f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def small_items() -> list[dict[str, object]]:
    return [
        {"code": "A", "text": "Greets the customer", "weight": 1, "factor": "people"},
        {"code": "B", "text": "Locks out the unit", "weight": 3, "factor": "environment",
         "critical": True},
    ]
