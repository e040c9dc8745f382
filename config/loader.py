"""Loads config/default.toml and deep-merges a site's override file over it.

The merged document is validated as a whole by the typed model (config.policies), once, by
the composition root (capaflow.runtime); this module knows TOML and merging, nothing more.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


class PolicyFileError(ValueError):
    """The override file is missing or is not valid TOML; the message names the file."""


def merge_policies(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    # Tables merge key by key so a site can change one deadline without restating the rest;
    # any other value (string, list) replaces the default whole.
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_policies(merged[key], value)
        else:
            merged[key] = value
    return merged


def default_policies() -> dict[str, Any]:
    text = resources.files("capaflow.config").joinpath("default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_policies(override_path: str | None = None) -> dict[str, Any]:
    policies = default_policies()
    if override_path is None:
        return policies
    path = Path(override_path)
    try:
        override = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyFileError(f"config: file {override_path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyFileError(f"config: {override_path} is not valid TOML: {exc}") from exc
    return merge_policies(policies, override)
