"""Reading the installation's event stream with a consumer group: one group per consuming service.

XREADGROUP hands each entry to one consumer of the group, so replicas of a service share the
stream; an entry is XACKed only after its handler returned (its changes committed). An entry a
dead consumer took but never acknowledged is taken over with XAUTOCLAIM once it has been idle
for `claim_idle_ms`. An entry that failed `MAX_DELIVERIES` times is set aside (logged with its
fields) rather than block the stream. Entries from another installation are skipped and logged
(`shared.events.is_foreign`). Handlers must be idempotent: delivery is at least once.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError

from shared.event_contracts import VERSION
from shared.events import is_foreign, stream
from shared.logs import request_context

log = logging.getLogger("jobbro.consumer")

CLAIM_IDLE_MS = 60_000
MAX_DELIVERIES = 5

# Gets the decoded event (id, type, version, occurred_at, request_id, payload) and returns a count
# of what it did (rows, mails queued); 0 for an event it does not care about.
Handler = Callable[[dict[str, Any]], int]


def consumer_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_group(redis: Redis, group: str) -> None:
    """Create the group at the start of the stream (consumers filter old events themselves)."""
    try:
        redis.xgroup_create(stream(), group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def decode_fields(fields: dict) -> dict[str, str]:
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in fields.items()}


def decode(fields: dict) -> dict[str, Any]:
    f = decode_fields(fields)
    return {"id": f.get("id"), "type": f.get("type"), "version": int(f.get("version") or 1),
            "occurred_at": f.get("occurred_at"), "request_id": f.get("request_id"),
            "installation": f.get("installation"), "payload": json.loads(f.get("payload") or "{}")}


def _deliveries(redis: Redis, group: str, entry_id) -> int:
    info = redis.xpending_range(stream(), group, min=entry_id, max=entry_id, count=1)
    return int(info[0]["times_delivered"]) if info else 0


def consume(redis: Redis, group: str, handle: Handler, *, count: int = 200, budget_seconds: float = 20.0,
            claim_idle_ms: int = CLAIM_IDLE_MS, consumer: str | None = None, block_ms: int | None = None,
            stats: dict[str, int] | None = None) -> dict[str, int]:
    """Handle what is waiting (taken-over entries first), then return; callers loop or schedule."""
    ensure_group(redis, group)
    me = consumer or consumer_name()
    stats = stats if stats is not None else {}
    for key in ("handled", "done", "failed", "set_aside", "foreign"):
        stats.setdefault(key, 0)
    deadline = time.monotonic() + budget_seconds

    def process(entries) -> None:
        for entry_id, fields in entries:
            if fields is None:  # trimmed from the stream meanwhile
                redis.xack(stream(), group, entry_id)
                continue
            if is_foreign(decode_fields(fields), group):
                redis.xack(stream(), group, entry_id)
                stats["foreign"] += 1
                continue
            try:
                event = decode(fields)
                if event["version"] > VERSION.get(event["type"] or "", 1):
                    # A contract version this code does not know yet: left alone, and said so; the
                    # producer publishes the version this consumer knows beside it (docs/events.md).
                    log.warning("%s: event %s (%s) is version %s; this consumer knows %s: skipped", group,
                                event["id"], event["type"], event["version"], VERSION.get(event["type"] or "", 1))
                    redis.xack(stream(), group, entry_id)
                    stats["newer_version"] = stats.get("newer_version", 0) + 1
                    continue
                with request_context(event.get("request_id")):
                    stats["done"] += handle(event) or 0
                redis.xack(stream(), group, entry_id)
                stats["handled"] += 1
            except Exception:
                stats["failed"] += 1
                log.exception("%s: event %s could not be handled; it stays pending for a retry", group, entry_id)
                if _deliveries(redis, group, entry_id) >= MAX_DELIVERIES:
                    log.error("%s: event %s failed %d times; set aside: %s", group, entry_id, MAX_DELIVERIES,
                              decode_fields(fields))
                    redis.xack(stream(), group, entry_id)
                    stats["set_aside"] += 1

    start = "0-0"
    while time.monotonic() < deadline:
        res = redis.xautoclaim(stream(), group, me, min_idle_time=claim_idle_ms, start_id=start, count=count)
        start, claimed = res[0], res[1]
        process(claimed)
        if start in (b"0-0", "0-0"):
            break
    first = True
    while time.monotonic() < deadline:
        got = redis.xreadgroup(group, me, {stream(): ">"}, count=count,
                               block=block_ms if (first and block_ms) else None)
        first = False
        if not got:
            break
        for _stream, entries in got:
            process(entries)
    return stats
