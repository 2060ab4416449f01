"""WCAG 2.1 AA contrast of the web front's colours, computed from the stylesheet itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.glossary import VERDENSMAAL_COLOURS

CSS = (Path(__file__).resolve().parents[2] / "services" / "web" / "static" / "css" / "app.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Every text colour the stylesheet puts on a background (text, background).
PAIRS = [
    ("ink", "paper"), ("ink", "wash"), ("muted", "paper"), ("muted", "wash"), ("brand", "paper"),
    ("brand", "wash"), ("paper", "brand"), ("paper", "brand-dark"), ("error", "paper"), ("error", "error-wash"),
    ("ok", "paper"), ("ok", "ok-wash"), ("warn", "paper"), ("warn", "warn-wash"), ("ink", "ok-wash"),
    ("ink", "warn-wash"), ("ink", "error-wash"),
]


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_reach_4_5_to_1(text, background):
    assert contrast(VARS[text], VARS[background]) >= 4.5, (text, background)


def test_selected_chip_background_keeps_text_readable():
    assert contrast(VARS["ink"], "#e3eef8") >= 4.5


@pytest.mark.parametrize("goal", sorted(VERDENSMAAL_COLOURS))
def test_verdensmaal_numbers_are_readable_on_the_official_colour(goal):
    rule = re.search(rf"\.sdg-{goal} \{{ background: (#[0-9A-Fa-f]{{6}}); color: (#[0-9a-fA-F]{{6}}); \}}", CSS)
    assert rule, f"no colour rule for Verdensmål {goal}"
    background, text = rule.groups()
    assert background.upper() == VERDENSMAAL_COLOURS[goal].upper()  # the goal's official colour
    assert contrast(text, background) >= 4.5
