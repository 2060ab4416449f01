"""The embedded default under load (issue 11): every process of `make run` on one fresh SQLite DATABASE_URL.

The processes of the Procfile (crm, web, matching, the matching worker, which really embeds every
order's vacancy, the matching events consumer, notifications, the notifications worker with its
scheduler, the SMTP sink, and whatever else the Procfile lists) run on `DATABASE_URL=sqlite:///<tmp>/
jobbro.sqlite3`: that one file, or, where the settings give each service its own database
(`Settings.database_url_for`), the service's file beside it, written by all of that service's
processes. 8 clients (`tests/ops/load.py`) create companies, contacts, visits, calls and orders and
log in, with right and wrong passwords, through the crm API and the web front, for
`JOBBRO_LOAD_SECONDS` (default 60).

Before the fix, requests failed with `sqlite3.OperationalError: database is locked` (answered 503):
a DEFERRED transaction that read and then wrote got SQLITE_BUSY at once when another process had
committed in between. Now no answer may be a 5xx, no process may log a lock error, every
acknowledged record must be there afterwards, and a wrong password must be a 401 (API) or the login
form with its message (web), never a 503.

Redis db 9 (15 is the suite's, 6 scale-out's, 5 the soak's, 13 the notifications benchmark's), not
flushed: the run's keys are named after its own `JOBBRO_INSTALLATION_ID` and deleted afterwards.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _REDIS_URL
from tests.ops import load

pytestmark = [pytest.mark.redis]

SECONDS = float(os.environ.get("JOBBRO_LOAD_SECONDS", "60"))
CLIENTS = 8
REDIS_DB = 9


@pytest.fixture
def system(tmp_path):
    from shared.settings import get_settings

    redis_url = _REDIS_URL.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    installation = f"load-test-{secrets.token_hex(4)}"
    # `make test` builds the model first; without it matching runs without embeddings, as /ready says.
    has_model = Path(get_settings().matching_model).is_dir()
    started = time.monotonic()
    system = load.start_system(f"sqlite:///{tmp_path / 'jobbro.sqlite3'}", redis_url, tmp_path / "logs",
                               installation_id=installation, clients=CLIENTS, load_model=has_model)
    print(f"\nstack up in {time.monotonic() - started:.1f} s (logs in {tmp_path / 'logs'}, installation "
          f"{installation}, model {'loaded' if has_model else 'missing: MATCHING_LOAD_MODEL=0'})", file=sys.stderr)
    try:
        yield system
    finally:
        system.stack.stop()
        load.forget_installation(redis_url, installation)


def test_every_process_on_one_sqlite_file_under_load_answers_without_lock_errors(system):
    result = load.run_load(system, clients=CLIENTS, seconds=SECONDS)
    summary = result.summary()
    print({k: v for k, v in summary.items() if k != "ops"}, file=sys.stderr)
    dead = load.dead_processes(system)
    logged = load.scan_logs(system)  # "database is locked", "OperationalError"

    assert not logged, "lock errors in the logs:\n" + "\n".join(
        f"{name}: {len(lines)} line(s), first: {lines[0][:500]}" for name, lines in logged.items())
    assert result.server_errors == 0, f"{result.server_errors} answers were 5xx: {result.unexpected[:10]}"
    assert result.transport_errors == 0, result.unexpected[:10]
    assert not dead, dead
    assert not result.unexpected, result.unexpected[:10]

    # Wrong passwords: 401 from the API with crm's message; the web's form again, saying so (a 422
    # alone could hide a crm failure, which the form answers "Login mislykkedes.").
    wrong_api, wrong_web = result.ops["api_login_wrong"], result.ops["web_login_wrong"]
    assert wrong_api.count > 0 and set(wrong_api.statuses) == {401}, wrong_api.statuses
    assert wrong_web.count > 0 and set(wrong_web.statuses) == {422}, wrong_web.statuses

    # Every acknowledged record is there.
    assert not result.missing, result.missing[:10]
    assert not result.read_back_errors, result.read_back_errors[:10]
    created = summary["created"]
    assert result.read_back == result.writes

    # Not vacuous: the clients really worked, through every path, for the whole time.
    assert result.requests >= 3 * SECONDS, summary
    assert result.writes >= SECONDS, summary
    for kind in ("company", "contact", "activity", "order", "activity_web"):
        assert created.get(kind, 0) > 0, f"no {kind} was created: {created}"
    for op in ("api_login_ok", "web_login_ok", "api_get_order", "api_timeline", "web_company_page", "web_order_page",
               "web_portal_order_page", "web_create_order", "web_create_activity", "api_create_order_portal"):
        assert result.ops[op].count > 0, f"{op} never ran: {sorted(result.ops)}"
