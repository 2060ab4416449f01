"""Which installation this process belongs to, and the Redis names that are its own.

Several installations may share one Redis (a developer's `make run` beside the test suite, two
demos, or a staging and a test stack on one server). Everything an installation keeps in Redis —
the event stream and its consumer groups, the RQ queues, locks and counters — is therefore named
under its installation id, and every event carries the id, so a consumer that still meets a
foreign event (a misconfigured producer) ignores it and logs that it did.

The id is `JOBBRO_INSTALLATION_ID` when set (docker-compose sets it; all replicas of one
installation share it). Otherwise it is made once, at random, and kept in the data folder
(`var/installation-id`) beside the embedded SQLite files, so a fresh `var/` — a new database —
is a new installation whose consumers never see the events an earlier one left pending.
"""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from shared.settings import get_settings

_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FILE_NAME = "installation-id"


class InstallationIdError(ValueError):
    pass


def _check(value: str, origin: str) -> str:
    value = value.strip()
    if not _VALID.match(value):
        raise InstallationIdError(
            f"{origin}: installation id {value!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return value


def _from_file(folder: Path) -> str:
    path = folder / FILE_NAME
    try:
        return _check(path.read_text(), str(path))
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    candidate = secrets.token_hex(6)
    try:
        # O_EXCL: processes starting together (honcho starts all at once) agree on one id.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return _check(path.read_text(), str(path))
    with os.fdopen(fd, "w") as f:
        f.write(candidate + "\n")
    return candidate


@lru_cache
def installation_id() -> str:
    settings = get_settings()
    if settings.jobbro_installation_id:
        return _check(settings.jobbro_installation_id, "JOBBRO_INSTALLATION_ID")
    return _from_file(settings.jobbro_data_dir)


def redis_key(*parts: str) -> str:
    """`jobbro:<installation>:<parts...>`: a Redis key of this installation's."""
    return ":".join(("jobbro", installation_id(), *parts))


def queue_name(name: str) -> str:
    """An RQ queue of this installation's (RQ keeps it under `rq:queue:<this name>`)."""
    return f"jobbro:{installation_id()}:{name}"


def plain_queue_name(namespaced: str) -> str:
    """The name an operator configured, for logs and metrics labels."""
    prefix = f"jobbro:{installation_id()}:"
    return namespaced[len(prefix):] if namespaced.startswith(prefix) else namespaced
