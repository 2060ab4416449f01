"""Validate docker-compose.yml without a Docker engine (none runs on CI machines).

`docker compose config` needs the compose plugin, which these machines do not have. This does what
it checks that matters here: variables interpolate, the file matches the Compose specification's
JSON schema (taken from the `docker-compose` wheel on PyPI, fetched once into .cache/), and the
production rules of docs/operations.md hold (pinned images, health checks, persistence, non-root).
Usage: python infra/validate_compose.py [docker-compose.yml]
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "compose-spec"
SPEC_WHEEL = "docker-compose==1.29.2"
_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}")

EXAMPLE_ENV = {"POSTGRES_PASSWORD": "example", "JOBBRO_SECRET_KEY": "example-secret"}


def interpolate(text: str, env: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        value = env.get(name)
        if op in (":-", "-"):
            return value if value else arg
        if op in (":?", "?"):
            if not value:
                raise SystemExit(f"required variable {name} is not set: {arg}")
            return value
        return value or ""

    return _VAR.sub(sub, text)


def load_schema() -> dict:
    target = CACHE / "compose_spec.json"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(CACHE), SPEC_WHEEL],
                       check=True)
        wheel = next(CACHE.glob("docker_compose-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            target.write_bytes(zf.read("compose/config/compose_spec.json"))
    return json.loads(target.read_text())


def project_rules(doc: dict) -> list[str]:
    problems = []
    services = doc.get("services", {})
    for name, svc in services.items():
        image = svc.get("image", "")
        if image and (":" not in image or image.endswith(":latest")):
            problems.append(f"{name}: image '{image}' is not pinned to a version")
        one_shot = svc.get("restart") == "no"
        if not one_shot and name not in ("mailcatcher", "proxy") and "healthcheck" not in svc:
            problems.append(f"{name}: no healthcheck")
    redis_cmd = " ".join(services.get("redis", {}).get("command", []))
    if "--appendonly yes" not in redis_cmd:
        problems.append("redis: AOF persistence (--appendonly yes) is off")
    if not any(str(v).endswith(":/var/lib/postgresql/data") for v in services.get("postgres", {}).get("volumes") or []):
        problems.append("postgres: no volume for its data")
    for name in ("worker", "crm"):
        if services.get(name, {}).get("deploy", {}).get("replicas", 1) < 2:
            problems.append(f"{name}: should run at least 2 replicas")
    dockerfile = (REPO / "infra" / "Dockerfile").read_text()
    if not re.search(r"^USER (?!root)\S+", dockerfile, re.M):
        problems.append("infra/Dockerfile: runs as root (no USER)")
    return problems


def validate(path: Path, env: dict[str, str] | None = None) -> list[str]:
    import jsonschema

    env = {**EXAMPLE_ENV, **(env if env is not None else os.environ)}
    doc = yaml.safe_load(interpolate(path.read_text(), env))
    schema = load_schema()
    errors = [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    return errors + project_rules(doc)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docker-compose.yml"
    problems = validate(path)
    for p in problems:
        print(f"INVALID {p}")
    if not problems:
        print(f"{path.name}: valid (Compose schema + production rules)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
