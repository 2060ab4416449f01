"""Configuration is documented: every setting has a line in docs/operations.md, and the
production compose file only sets variables that exist."""

import re
from pathlib import Path

from shared.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_operations():
    doc = (REPO / "docs" / "operations.md").read_text()
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in doc]
    assert not missing, f"settings without documentation in docs/operations.md: {missing}"


def test_compose_sets_only_known_settings():
    compose = (REPO / "docker-compose.yml").read_text()
    block = compose[compose.index("  environment: &app-env"):compose.index("  volumes:")]
    names = set(re.findall(r"^\s{4}([A-Z][A-Z0-9_]+):", block, re.M))
    known = {n.upper() for n in Settings.model_fields}
    assert names and names <= known, names - known
