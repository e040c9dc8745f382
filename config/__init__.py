"""Configuration: the environment settings and the policy TOML files (default + site override)."""

from capaflow.config.loader import PolicyFileError, load_policies
from capaflow.config.settings import Settings

__all__ = ["PolicyFileError", "Settings", "load_policies"]
