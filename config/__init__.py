"""Configuration: the environment settings, the policy TOML files (default + site override) and
their typed model."""

from capaflow.config.loader import PolicyFileError, load_policies, merge_policies
from capaflow.config.policies import Policies, validate_policies
from capaflow.config.sections import PolicyError
from capaflow.config.settings import Settings

__all__ = [
    "Policies",
    "PolicyError",
    "PolicyFileError",
    "Settings",
    "load_policies",
    "merge_policies",
    "validate_policies",
]
