"""docker-compose.yml is checked without a Docker engine (infra/validate_compose.py)."""

from pathlib import Path

import pytest

from infra.validate_compose import validate

REPO = Path(__file__).resolve().parent.parent
COMPOSE = (REPO / "docker-compose.yml").read_text()


def test_production_compose_file_is_valid():
    assert validate(REPO / "docker-compose.yml", env={}) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("image: redis:7.4.1-bookworm", "image: redis:latest", "redis: image 'redis:latest' is not pinned"),
        ('"--appendonly", "yes"', '"--appendonly", "no"', "redis: AOF persistence"),
        ("restart: unless-stopped\n    # AOF", "restart: [1, 2]\n    # AOF", "schema: services/redis/restart"),
        ("      - pgdata:/var/lib/postgresql/data\n", "", "postgres: no volume"),
    ],
)
def test_broken_compose_files_are_refused(tmp_path, old, new, expected):
    assert old in COMPOSE
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.replace(old, new))
    problems = validate(broken, env={})
    assert any(expected in p for p in problems), problems


def test_a_service_without_healthcheck_is_refused(tmp_path):
    start = COMPOSE.index("  matching-worker:")
    block = COMPOSE[start:COMPOSE.index("  proxy:")]
    without = block[: block.index("    healthcheck:")]
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.replace(block, without))
    assert "matching-worker: no healthcheck" in validate(broken, env={})


def test_required_secrets_fail_loudly_when_missing(tmp_path, monkeypatch):
    from infra import validate_compose

    monkeypatch.setattr(validate_compose, "EXAMPLE_ENV", {})
    with pytest.raises(SystemExit, match="POSTGRES_PASSWORD|JOBBRO_SECRET_KEY"):
        validate(REPO / "docker-compose.yml", env={})
