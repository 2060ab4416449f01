"""The service boundaries hold (issue 12): import-linter's contracts in `.importlinter`, run as
`make test` runs everything, and a grep that no service names another's package."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("crm", "matching", "notifications", "web")


def test_import_contracts_are_kept():
    res = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "2 kept, 0 broken" in res.stdout


def test_no_service_names_another_services_package_anywhere():
    """Also what import-linter cannot see: strings (`importlib`, RQ job paths, Procfile-like)."""
    offenders = []
    for service in SERVICES:
        others = "|".join(s for s in SERVICES if s != service)
        pattern = re.compile(rf"services\.({others})\b")
        for path in (REPO / "services" / service).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_contract_catches_a_crossing_import(tmp_path):
    """The linter really looks: a module of matching importing crm breaks the contract."""
    probe = REPO / "services" / "matching" / "_contract_probe.py"
    probe.write_text("from services.crm.companies import models  # noqa: F401\n")
    try:
        res = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=REPO,
                             capture_output=True, text=True, timeout=300)
    finally:
        probe.unlink()
    assert res.returncode != 0 and "services.matching._contract_probe -> services.crm.companies" in res.stdout
