"""Configuration is documented: every setting has a line in docs/operations.md (the compose
file setting only known variables is checked in tests/test_compose.py)."""

from pathlib import Path

from shared.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_operations():
    doc = (REPO / "docs" / "operations.md").read_text()
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in doc]
    assert not missing, f"settings without documentation in docs/operations.md: {missing}"
