import pytest


@pytest.fixture
def matching_client(db):
    from tests.conftest import _client_for

    from services.matching.index.memory import INDEX
    from services.matching.main import app

    INDEX.invalidate()
    with _client_for(app, db) as client:
        yield client
    app.dependency_overrides.clear()
    INDEX.invalidate()


@pytest.fixture
def embed_all(db):
    """Run what the RQ worker runs, on the test's own transaction (the worker's own connection
    could not see the rolled-back test data)."""
    from sqlmodel import select

    from services.matching.candidates.models import Candidate
    from services.matching.index import jobs
    from services.matching.index.memory import INDEX
    from services.matching.vacancies.models import Vacancy

    def _run():
        for cid in db.exec(select(Candidate.id)).all():
            jobs.embed_candidate_in(db, cid)
        for vid in db.exec(select(Vacancy.id)).all():
            jobs.embed_vacancy_in(db, vid)
        INDEX.invalidate()

    return _run


def run_matching(*args: str, timeout: float = 300) -> "subprocess.CompletedProcess[str]":
    """`python -m services.matching ...` in its own process, on the test database and Redis
    (tests/conftest.py put their URLs in the environment it inherits)."""
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([sys.executable, "-m", "services.matching", *args], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=timeout)
