"""Structured JSON logs with the request id carried through a context variable.

The id comes from the caller's `X-Request-ID` (or is made at the edge), is echoed in the response,
passed on by the web front to the APIs, and stored with jobs so a worker's lines carry it too.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields never written to a log line, whatever a caller passes in `extra`.
_REDACT = {"password", "token", "access_token", "authorization", "cpr"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms", "job_id", "queue"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        for key, value in getattr(record, "fields", {}).items():
            if key.lower() not in _REDACT:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_jobbro", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler._jobbro = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own access log would repeat our request line in another format.
    logging.getLogger("uvicorn.access").disabled = True


@contextmanager
def request_context(request_id: str | None) -> Iterator[None]:
    """Log lines inside carry `request_id` (a job's or an event's, taken from what caused it)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


def job_meta() -> dict[str, str]:
    """RQ job meta carrying the current request id, so the job's log lines share it."""
    rid = request_id_var.get()
    return {"request_id": rid} if rid else {}
