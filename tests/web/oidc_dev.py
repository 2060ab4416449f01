"""The development OpenID Connect providers (infra/oidc-dev, panva's oidc-provider on node) for the tests.

Two real providers on loopback: the MitID Erhverv broker ("company") and the municipality's staff
provider ("staff"), with test identities for the seeded companies. Started by the web stack when
node is installed; the sign-in tests are skipped, saying why, when it is not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OIDC_DEV = REPO / "infra" / "oidc-dev"
CONFIG = json.loads((OIDC_DEV / "identities.json").read_text())
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
ORG = "https://data.gov.dk/model/core/eid/professional/orgName"
NAME = "https://data.gov.dk/model/core/eid/fullName"
PERSON = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
UNKNOWN_CVR = "32165498"


@dataclass
class OidcDev:
    company_issuer: str
    staff_issuer: str
    procs: list[subprocess.Popen]
    ports: tuple[int, int]


def missing() -> str | None:
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not found (the dev OpenID Connect provider runs on node >= 20)"
    return None


def install() -> None:
    """`npm ci` once; node_modules is kept (make does the same)."""
    lock = OIDC_DEV / "package-lock.json"
    stamp = OIDC_DEV / "node_modules" / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DEV, check=True,
                   capture_output=True, timeout=300)


def env(company_port: int, staff_port: int) -> dict[str, str]:
    company, staff = CONFIG["company"], CONFIG["staff"]
    return {
        "OIDC_COMPANY_ISSUER": f"http://127.0.0.1:{company_port}",
        "OIDC_COMPANY_CLIENT_ID": company["client_id"],
        "OIDC_COMPANY_CLIENT_SECRET": company["client_secret"],
        "OIDC_STAFF_ISSUER": f"http://127.0.0.1:{staff_port}",
        "OIDC_STAFF_CLIENT_ID": staff["client_id"],
        "OIDC_STAFF_CLIENT_SECRET": staff["client_secret"],
        "OIDC_STAFF_SCOPES": "openid profile email groups",
        # Small, so a token that has just expired is refused within the test's patience.
        "OIDC_CLOCK_SKEW_SECONDS": "1",
    }


def _person(pid: str, label: str, cvr: str, org: str, name: str, person: str, loa: str = "Substantial",
            **extra) -> dict:
    return {"id": pid, "label": label, **extra,
            "claims": {"name": name, CVR: cvr, ORG: org, NAME: name, PERSON: person, LOA: loa}}


def identities_for(company_cvr: str, company_name: str, other_cvr: str, other_name: str) -> dict:
    sofie = "urn:uuid:5a1e0000-0000-4000-8000-00000000501e"
    return {
        "company": [
            _person("test-sofie", f"Sofie Svejser – {company_name}", company_cvr, company_name, "Sofie Svejser", sofie),
            _person("test-sofie-other", f"Sofie Svejser – {other_name}", other_cvr, other_name, "Sofie Svejser", sofie),
            _person("test-low-loa", "Lone Lavniveau (sikringsniveau Lav)", company_cvr, company_name,
                    "Lone Lavniveau", "urn:uuid:5a1e0000-0000-4000-8000-0000000010a0", loa="Low"),
            _person("test-unknown", "Ulla Ukendt – Ukendt Smedje ApS", UNKNOWN_CVR, "Ukendt Smedje ApS",
                    "Ulla Ukendt", "urn:uuid:5a1e0000-0000-4000-8000-00000000a0a0"),
            _person("test-expiring", "Eva Udløb (kortlivet ID-token)", company_cvr, company_name, "Eva Udløb",
                    "urn:uuid:5a1e0000-0000-4000-8000-00000000e0a0", id_token_ttl=1),
        ],
        "staff": [
            {"id": "test-new-konsulent", "label": "Nikolaj Nykonsulent",
             "claims": {"name": "Nikolaj Nykonsulent", "email": "nikolaj@test.jobbro.dk",
                        "groups": ["alle-ansatte", "jobbro-konsulent"]}},
            {"id": "test-leder", "label": "Lars Leder",
             "claims": {"name": "Lars Leder", "email": "leder@test.jobbro.dk", "groups": ["jobbro-leder"]}},
            {"id": "test-no-role", "label": "Ib Ingenrolle",
             "claims": {"name": "Ib Ingenrolle", "email": "ib@test.jobbro.dk", "groups": ["alle-ansatte"]}},
        ],
    }


def start(free_ports, rps: list[str], identities: dict, logs: Path) -> OidcDev:
    """Both providers on free ports (`free_ports()` -> {"company": p, "staff": q}), tried again on
    other ports when another program takes one between the probe and the bind."""
    extra = logs / "oidc-identities.json"
    extra.write_text(json.dumps(identities))
    rp_args = [arg for rp in rps for arg in ("--rp", rp)]
    procs: list[subprocess.Popen] = []
    ports: dict[str, int] = {}
    for instance in ("company", "staff"):
        for _attempt in range(5):
            port = free_ports()[instance]
            log = logs / f"oidc-{instance}-{port}.log"
            proc = subprocess.Popen(["node", str(OIDC_DEV / "server.mjs"), "--instance", instance, "--port", str(port),
                                     *rp_args, "--identities", str(extra)],
                                    cwd=OIDC_DEV, stdout=log.open("w"), stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while f"listening on http://127.0.0.1:{port}" not in log.read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            else:
                procs.append(proc)
                ports[instance] = port
                break
            proc.kill()
            proc.wait()
            if "EADDRINUSE" not in log.read_text():
                for p in procs:
                    p.kill()
                raise RuntimeError(f"oidc-dev {instance} did not start:\n{log.read_text()[-3000:]}")
        else:
            for p in procs:
                p.kill()
            raise RuntimeError(f"oidc-dev {instance}: no free port")
    return OidcDev(f"http://127.0.0.1:{ports['company']}", f"http://127.0.0.1:{ports['staff']}", procs,
                   (ports["company"], ports["staff"]))
