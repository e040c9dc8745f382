"""Configuration: the environment settings and the policy TOML files (default + site override)."""

from config.loader import PolicyFileError, load_policies
from config.settings import Settings

__all__ = ["PolicyFileError", "Settings", "load_policies"]
