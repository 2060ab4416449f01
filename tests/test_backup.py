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
    return subprocess.run(cmd, cwd=REPO, env={**os.environ, "DATABASE_URL": url, **env},
                          capture_output=True, text=True, timeout=120)


def test_backup_then_restore_brings_back_what_was_lost(scratch_db, tmp_path):
    migrate = _run([str(REPO / ".venv/bin/python"), "-m", "services.crm", "migrate"], scratch_db)
    assert migrate.returncode == 0, migrate.stderr
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        conn.execute("INSERT INTO company (cvr, name, sector, postcode, created_at, updated_at) "
                     "VALUES ('13585628', 'Backup A/S', 'privat', '4200', now(), now())")
    backup = _run(["make", "-s", "backup"], scratch_db, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.stat().st_size > 0
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        conn.execute("DELETE FROM company")
        conn.execute("INSERT INTO company (cvr, name, sector, postcode, created_at, updated_at) "
                     "VALUES ('10150817', 'Senere ApS', 'privat', '4200', now(), now())")
    restore = _run(["make", "-s", "restore", f"BACKUP={dump}"], scratch_db)
    assert restore.returncode == 0, restore.stderr
    with psycopg.connect(scratch_db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM company ORDER BY name")]
        version = conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0]
    assert names == ["Backup A/S"]
    assert version >= 1


def test_restore_of_a_missing_file_fails_clearly(scratch_db):
    res = _run(["make", "-s", "restore", "BACKUP=/nonexistent.dump"], scratch_db)
    assert res.returncode != 0
    assert "no such file" in res.stdout + res.stderr
