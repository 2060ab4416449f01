"""make backup / make restore round-trip on a scratch PostgreSQL database."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres

SCRATCH = "jobbro_backup_scratch"


def _admin():
    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)


@pytest.fixture
def scratch_db():
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{SCRATCH}"
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def _run(cmd, url, **env):
    from tests.conftest import own_databases

    return subprocess.run(cmd, cwd=REPO, env={**own_databases(dict(os.environ), url), **env},
                          capture_output=True, text=True, timeout=120)


def test_backup_then_restore_brings_back_what_was_lost(scratch_db, tmp_path):
    # One database, a schema per service: the dump holds every service's data.
    for service in ("crm", "matching", "notifications"):
        migrate = _run([str(REPO / ".venv/bin/python"), "-m", f"services.{service}", "migrate"], scratch_db)
        assert migrate.returncode == 0, migrate.stderr
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        conn.execute("SET search_path TO crm")
        conn.execute("INSERT INTO notifications.recipient_company (company_id, name, event_at) VALUES (1, 'Backup A/S', now())")
        conn.execute("INSERT INTO company (cvr, name, sector, postcode, created_at, updated_at) "
                     "VALUES ('13585628', 'Backup A/S', 'privat', '4200', now(), now())")
    backup = _run(["make", "-s", "backup"], scratch_db, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.stat().st_size > 0
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        conn.execute("SET search_path TO crm")
        conn.execute("DELETE FROM notifications.recipient_company")
        conn.execute("DELETE FROM company")
        conn.execute("INSERT INTO company (cvr, name, sector, postcode, created_at, updated_at) "
                     "VALUES ('10150817', 'Senere ApS', 'privat', '4200', now(), now())")
    restore = _run(["make", "-s", "restore", f"BACKUP={dump}"], scratch_db)
    assert restore.returncode == 0, restore.stderr
    with psycopg.connect(scratch_db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM crm.company ORDER BY name")]
        mirrored = [r[0] for r in conn.execute("SELECT name FROM notifications.recipient_company")]
        versions = [conn.execute(f"SELECT count(*) FROM {s}.alembic_version_{s}").fetchone()[0]
                    for s in ("crm", "matching", "notifications")]
    assert names == ["Backup A/S"] and mirrored == ["Backup A/S"]
    assert all(v == 1 for v in versions)


def test_restore_of_a_missing_file_fails_clearly(scratch_db):
    res = _run(["make", "-s", "restore", "BACKUP=/nonexistent.dump"], scratch_db)
    assert res.returncode != 0
    assert "no such file" in res.stdout + res.stderr
