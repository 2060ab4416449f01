"""Deliveries: the rows that say what is sent to whom, and the worker side that sends them.

The guarantees (docs/notifications.md):
- rows exist (committed) before any job is queued; a job only carries row ids;
- a worker takes rows with a conditional UPDATE (`pending` -> `claimed` + its token), so two
  workers, a retried job or a job queued twice never send the same row;
- the row goes to `sending` (committed) just before the SMTP final dot, and a stale `sending`
  row is never sent again: a worker killed at any point causes neither a lost nor a second
  message, except in the microseconds between that commit and the dot leaving the process;
- a server that answers 4xx, or hangs up before answering the dot, gets the message again later
  (RFC 5321 behaviour; only a server that stored it and died before answering sees it twice);
- transient failures go back to `pending` with exponential backoff through RQ's scheduler;
  permanent ones end as `failed`/`bounced` with the server's answer;
- the sweeper returns rows of dead workers and re-queues rows Redis forgot.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
import queue
import select
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.content import mime
from services.notifications.content.render import Rendered, render_mail
from services.notifications.deliveries import queries
from services.notifications.smtp.ratelimit import RateLimiter
from services.notifications.smtp.sender import Bounced, Fenced, Permanent, SmtpSender, Transient
from services.notifications.unsubscribe.tokens import unsubscribe_url
from shared.glossary import DeliveryKind, DeliveryStatus
from shared.logs import job_meta
from shared.models_base import utcnow
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.deliveries")

T = queries.T
C = queries.C
NEWSLETTER_KINDS = (DeliveryKind.newsletter.value,)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(T).on_conflict_do_nothing(index_elements=["dedupe_key"])


def add_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert delivery rows, skipping any whose `dedupe_key` exists (in the caller's transaction)."""
    if not rows:
        return
    now = utcnow()
    full = [{
        "kind": r["kind"], "dedupe_key": r["dedupe_key"], "to_email": r["to_email"],
        "to_name": r.get("to_name"), "newsletter_id": r.get("newsletter_id"), "contact_id": r.get("contact_id"),
        "user_id": r.get("user_id"), "subject": r.get("subject"), "body_markdown": r.get("body_markdown"),
        "status": DeliveryStatus.pending.value, "attempts": 0, "enqueued_at": now,
        "created_at": now, "updated_at": now,
    } for r in rows]
    session.execute(_insert(session), full)


# -- queueing -----------------------------------------------------------------------------------

def enqueue(ids: Iterable[int], *, bulk: bool, at: datetime | None = None) -> int:
    """Queue send jobs for delivery `ids` (already committed). Returns the number of jobs.

    A Redis failure is logged, not raised: the rows are pending in the database and the sweeper
    queues them again, so a request that committed never fails because Redis blinked.
    """
    from rq import Queue

    from services.notifications import jobs
    from services.notifications.queues import bulk_queue, main_queue

    ids = list(ids)
    if not ids:
        return 0
    size = max(1, get_settings().notifications_batch_size)
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    queue = bulk_queue() if bulk else main_queue()
    try:
        if at is not None:
            for chunk in chunks:
                queue.enqueue_at(at, jobs.send_batch, chunk, job_timeout=_job_timeout(len(chunk)), result_ttl=60,
                                 meta=job_meta())
            return len(chunks)
        with queue.connection.pipeline() as pipe:
            queue.enqueue_many([
                Queue.prepare_data(jobs.send_batch, args=(chunk,), timeout=_job_timeout(len(chunk)), result_ttl=60,
                                   meta=job_meta())
                for chunk in chunks
            ], pipeline=pipe)
            pipe.execute()
        return len(chunks)
    except Exception as exc:  # Redis away: the sweeper will queue the pending rows
        log.warning("could not queue %d deliveries, the sweeper will: %s", len(ids), exc)
        return 0


def _job_timeout(n: int) -> int:
    s = get_settings()
    per_message = 1.0 / s.notifications_rate_limit if s.notifications_rate_limit > 0 else 0.05
    return int(60 + n * per_message * 2 + s.smtp_timeout_seconds * 3)


# -- the worker side ----------------------------------------------------------------------------

@dataclass
class Claimed:
    id: int
    kind: str
    newsletter_id: int | None
    contact_id: int | None
    to_email: str
    to_name: str | None
    subject: str | None
    body_markdown: str | None
    attempts: int


class _Process:
    """Per-process state a worker keeps between jobs: its SMTP connections and the rate limiter."""

    senders: list[SmtpSender] = []
    limiter: RateLimiter | None = None
    pid: int | None = None

    @classmethod
    def get(cls, n: int) -> tuple[list[SmtpSender], RateLimiter]:
        if cls.pid != os.getpid() or cls.limiter is None:
            from shared.redis_client import get_redis

            cls.senders = []
            cls.limiter = RateLimiter(get_redis(), get_settings().notifications_rate_limit)
            cls.pid = os.getpid()
        while len(cls.senders) < n:
            cls.senders.append(SmtpSender())
        return cls.senders[:n], cls.limiter

    @classmethod
    def reset(cls) -> None:
        for sender in cls.senders:
            sender._abort()  # mid-DATA a QUIT would become part of the message
        cls.senders = []
        cls.limiter = cls.pid = None


def backoff(attempts: int) -> float:
    s = get_settings()
    return min(s.notifications_retry_max_seconds, s.notifications_retry_base_seconds * 2 ** max(0, attempts - 1))


class _Renderer:
    """Newsletter bodies are rendered once per batch; transactional mails once per row."""

    def __init__(self, session: Session):
        self.session = session
        self.cache: dict[int, tuple[Rendered, str]] = {}
        s = get_settings()
        name, addr = mime.split_from(s.notifications_from)
        self.from_header = mime.encode_address(name, addr)
        self.envelope_from = addr
        self.domain = addr.rpartition("@")[2] or "jobbro.local"

    def _newsletter(self, newsletter_id: int) -> tuple[Rendered, str] | None:
        if newsletter_id not in self.cache:
            from services.notifications.newsletters.models import Newsletter

            nl = self.session.get(Newsletter, newsletter_id)
            if nl is None:
                return None
            rendered = render_mail(nl.subject, nl.body_markdown, unsubscribable=True)
            self.cache[newsletter_id] = (rendered, mime.encode_header_value(rendered.subject, "Subject"))
        return self.cache[newsletter_id]

    def build(self, row: Claimed) -> bytes | None:
        unsubscribable = row.kind == DeliveryKind.newsletter.value and row.contact_id is not None
        if row.newsletter_id is not None and row.body_markdown is None:
            got = self._newsletter(row.newsletter_id)
            if got is None:
                return None
            rendered, subject_header = got
            if row.kind == DeliveryKind.test.value:
                subject_header = mime.encode_header_value(f"[TEST] {rendered.subject}", "Subject")
        else:
            rendered = render_mail(row.subject or "", row.body_markdown or "", unsubscribable=False)
            subject_header = mime.encode_header_value(rendered.subject, "Subject")
        url = unsubscribe_url(row.contact_id, row.id) if unsubscribable else None
        html, text_body = rendered.personalise(url)
        return mime.build(
            from_header=self.from_header, to_address=row.to_email, to_name=row.to_name,
            subject_header=subject_header, text=text_body, html=html,
            message_id=mime.message_id_for(row.id, self.domain), unsubscribe_url=url,
            extra_headers={"X-Jobbro-Delivery": str(row.id), "Auto-Submitted": "auto-generated"}
            if row.kind not in NEWSLETTER_KINDS else {"X-Jobbro-Delivery": str(row.id)},
        )


def _marker_connection(engine: Engine):
    """Autocommit connection for the per-message `sending` mark.

    On PostgreSQL the mark commits without waiting for the WAL flush: a killed *worker* loses
    nothing (the server has the commit), only a crash of the database server itself within
    ~200 ms could forget a mark and let that message go out twice. That trade keeps the mark
    from costing a disk flush per e-mail.
    """
    if engine.dialect.name != "postgresql":
        return engine.connect()  # SQLite: each mark in its own short transaction (see _mark)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    conn.exec_driver_sql("SET synchronous_commit TO OFF")
    return conn


_MARK_SENDING_PQ = (b"UPDATE delivery SET status = 'sending', updated_at = $1 "
                    b"WHERE id = $2 AND claim_token = $3 AND status = 'claimed'")


def _mark_pipelined(marker, row_id: int, token: str):
    """Send the mark to PostgreSQL without waiting for it; returns the function that waits.

    The UPDATE is in the kernel's socket buffer when this returns, and the server commits it
    even if this process dies the next instant, so the dot can follow at once: the window in
    which a kill leaves a `sending` row whose dot never left shrinks to two syscalls, instead
    of a database round trip plus the time this thread waits to be scheduled again.
    """
    from psycopg import pq

    pgconn = marker.connection.dbapi_connection.pgconn
    pgconn.send_query_params(_MARK_SENDING_PQ, [utcnow().isoformat().encode(), str(row_id).encode(), token.encode()])

    def confirm() -> bool:
        while True:
            pgconn.consume_input()
            if not pgconn.is_busy():
                break
            select.select([pgconn.socket], [], [], 30)
        res = pgconn.get_result()
        while pgconn.get_result() is not None:
            pass
        if res is None or res.status != pq.ExecStatus.COMMAND_OK:
            raise RuntimeError(f"marking delivery {row_id} failed: {res.error_message if res else 'no result'}")
        return (res.command_tuples or 0) == 1

    return confirm


def _mark(marker, row_id: int, token: str) -> bool:
    """Commit `claimed` -> `sending` for this worker's row; False if the row is no longer ours."""
    params = {"id": row_id, "token": token, "now": utcnow()}
    if marker.dialect.name == "postgresql":
        return marker.execute(_MARK_SENDING, params).rowcount == 1
    with marker.begin():
        return marker.execute(_MARK_SENDING, params).rowcount == 1


_MARK_SENDING = text(
    "UPDATE delivery SET status = 'sending', updated_at = :now "
    "WHERE id = :id AND claim_token = :token AND status = 'claimed'"
)


@dataclass
class _Outcome:
    """What happened to each row of a batch; filled by the sending threads (list.append is atomic)."""

    sent: list[int] = field(default_factory=list)
    final: list[tuple[int, DeliveryStatus, int | None, str]] = field(default_factory=list)
    retry: list[tuple[Claimed, str, int | None, DeliveryStatus]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def send_batch(engine: Engine, ids: list[int]) -> dict[str, int]:
    """Claim and send the deliveries `ids`; returns counts by outcome.

    The rows are shared by `notifications_smtp_connections` threads, each with its own SMTP
    connection: while one waits for the server's answer, another renders or sends, which is
    what lets a worker keep up with the relay rather than with its own round trips.
    """
    settings = get_settings()
    token = str(uuid.uuid4())
    now = utcnow()
    claimed_mono = time.monotonic()
    out = _Outcome()
    with Session(engine, expire_on_commit=False) as session:
        rows = [Claimed(*r) for r in session.execute(queries.claim(token, ids, now, now + timedelta(seconds=2))).all()]
        session.commit()
        if not rows:
            return {}
        rows.sort(key=lambda r: r.id)
        rows = _drop_withdrawn(session, token, rows, out.counts)
        renderer = _Renderer(session)
        for nl_id in {r.newsletter_id for r in rows if r.newsletter_id is not None}:
            renderer._newsletter(nl_id)  # render in this thread: the session is not shared
        renderer.session = None
        # End this session's read transaction: on SQLite a transaction that read before the
        # threads' marks were written could not write the outcome afterwards.
        session.commit()
        n = max(1, min(settings.notifications_smtp_connections, (len(rows) + 9) // 10))
        senders, limiter = _Process.get(n)
        # One lock per batch: a thread holds it whenever it runs, and lets go only while it
        # waits for the SMTP server. So no other thread runs between a mark's commit and the
        # dot that follows it, which keeps that window (the one a kill -9 could hit) at
        # microseconds, as with a single connection.
        cpu = threading.Lock()
        for sender in senders:
            sender.lock = cpu
        work: queue.SimpleQueue[Claimed] = queue.SimpleQueue()
        for row in rows:
            work.put(row)
        stop = threading.Event()
        threads = [threading.Thread(target=_send_rows, args=(engine, token, sender, limiter, renderer, work, stop, out, cpu,
                                                             claimed_mono, settings.notifications_stale_seconds),
                                    name=f"smtp-{i}", daemon=True) for i, sender in enumerate(senders)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        except BaseException:
            # A job timeout or a stop request: let each thread finish its message, then record.
            stop.set()
            for t in threads:
                t.join(settings.smtp_timeout_seconds * 2)
            _Process.reset()
            raise
        finally:
            while True:
                try:
                    row = work.get_nowait()
                except queue.Empty:
                    break
                out.retry.append((row, "Afbrudt; prøves igen.", None, DeliveryStatus.claimed))
            _finish(session, token, out.sent, out.final, out.retry, settings.notifications_max_attempts)
    out.counts["sent"] = len(out.sent)
    return dict(out.counts)


def _send_rows(engine: Engine, token: str, sender: SmtpSender, limiter: RateLimiter, renderer: "_Renderer",
               work: "queue.SimpleQueue[Claimed]", stop: threading.Event, out: _Outcome, cpu: threading.Lock,
               claimed_mono: float, stale: float) -> None:
    marker = None
    try:
        marker = _marker_connection(engine)
        while not stop.is_set():
            try:
                row = work.get_nowait()
            except queue.Empty:
                return
            limiter.acquire()
            with cpu:
                _send_one(marker, token, sender, renderer, row, stop, out, claimed_mono, stale)
    except Exception:
        log.exception("sending thread failed; its rows go back to pending")
        sender._abort()
    finally:
        sender.lock = None
        if marker is not None:
            marker.close()


def _send_one(marker, token: str, sender: SmtpSender, renderer: "_Renderer", row: Claimed,
              stop: threading.Event, out: _Outcome, claimed_mono: float, stale: float) -> None:
    try:
        data = renderer.build(row)
    except Exception as exc:
        log.exception("delivery %s could not be rendered", row.id)
        out.final.append((row.id, DeliveryStatus.failed, None, f"Beskeden kunne ikke dannes: {exc}"))
        return
    if data is None:
        out.final.append((row.id, DeliveryStatus.failed, None, "Nyhedsbrevet findes ikke længere."))
        return

    def before_dot():
        # Pipelined only while the claim is young: the sweeper cannot have taken the row back
        # yet, so the answer (are we still the owner?) may come after the dot.
        if marker.dialect.name == "postgresql" and time.monotonic() - claimed_mono < stale / 2:
            return _mark_pipelined(marker, row.id, token)
        return _mark(marker, row.id, token)

    try:
        sender.send(renderer.envelope_from, row.to_email, data, before_dot)
        out.sent.append(row.id)
    except Fenced:
        out.counts["fenced"] += 1
    except Transient as exc:
        was = DeliveryStatus.sending if exc.after_dot else DeliveryStatus.claimed
        out.retry.append((row, str(exc), exc.code, was))
        out.counts["retry"] += 1
        if exc.code is None:
            stop.set()  # the server is unreachable: the rest of the batch would fail the same way
    except Permanent as exc:
        status = DeliveryStatus.bounced if isinstance(exc, Bounced) else DeliveryStatus.failed
        out.final.append((row.id, status, exc.code, str(exc)))
        out.counts[status.value] += 1
    except BaseException:
        # The mark or the connection broke in an unexpected way, before the dot: the row, claimed
        # or already marked, goes back to pending.
        out.retry.append((row, "Uventet fejl under afsendelsen; prøves igen.", None, None))
        raise


def _drop_withdrawn(session: Session, token: str, rows: list[Claimed], outcome) -> list[Claimed]:
    """Consent is checked again now: whoever unsubscribed since the send was ordered gets nothing."""
    from services.notifications.recipients.segments import still_consenting

    newsletter_rows = [r for r in rows if r.kind in NEWSLETTER_KINDS]
    if not newsletter_rows:
        return rows
    allowed = still_consenting(session, [r.contact_id for r in newsletter_rows if r.contact_id is not None])
    withdrawn = [r.id for r in newsletter_rows if r.contact_id not in allowed]
    if withdrawn:
        now = utcnow()
        session.execute(update(T).where(queries.owned(withdrawn, token, DeliveryStatus.claimed)).values(
            status=DeliveryStatus.skipped.value, updated_at=now,
            last_error="Kontaktpersonen har ikke længere samtykke til nyhedsbrevet."))
        session.commit()
        outcome["skipped"] += len(withdrawn)
    gone = set(withdrawn)
    return [r for r in rows if r.id not in gone]


def _finish(session: Session, token: str, sent: list[int],
            final: list[tuple[int, DeliveryStatus, int | None, str]],
            retry: list[tuple[Claimed, str, int | None, DeliveryStatus | None]], max_attempts: int) -> None:
    now = utcnow()
    try:
        if sent:
            session.execute(update(T).where(queries.owned(sent, token, DeliveryStatus.sending))
                            .values(status=DeliveryStatus.sent.value, sent_at=now, updated_at=now, smtp_code=250))
        for row_id, status, code, answer in final:
            session.execute(update(T).where(C.id == row_id, C.claim_token == token,
                                            C.status.in_([DeliveryStatus.claimed.value, DeliveryStatus.sending.value]))
                            .values(status=status.value, updated_at=now, smtp_code=code, last_error=answer[:1000]))
        later: dict[datetime, list[int]] = defaultdict(list)
        for row, answer, code, was in retry:
            if row.attempts >= max_attempts:
                session.execute(update(T).where(queries.owned([row.id], token, was)).values(
                    status=DeliveryStatus.failed.value, updated_at=now, smtp_code=code,
                    last_error=f"Opgivet efter {row.attempts} forsøg: {answer}"[:1000]))
                continue
            when = now + timedelta(seconds=backoff(row.attempts))
            # Rows in the same batch retry together, at the same second.
            when = when.replace(microsecond=0) + timedelta(seconds=1)
            res = session.execute(update(T).where(queries.owned([row.id], token, was)).values(
                status=DeliveryStatus.pending.value, claim_token=None, updated_at=now, next_attempt_at=when,
                enqueued_at=when, smtp_code=code, last_error=answer[:1000]))
            if res.rowcount:
                later[when].append(row.id)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not record the outcome of a batch; the sweeper will recover its rows")
        return
    for when, ids in later.items():
        enqueue(ids, bulk=True, at=when)


# -- the sweeper --------------------------------------------------------------------------------

def sweep(engine: Engine) -> dict[str, int]:
    """Recover what a dead worker or a lost Redis left behind; safe to run anywhere, any time."""
    s = get_settings()
    now = utcnow()
    stale = now - timedelta(seconds=s.notifications_stale_seconds)
    result = {"released": 0, "assumed_sent": 0, "requeued": 0}
    with Session(engine) as session:
        res = session.execute(update(T).where(queries.stale_claimed(stale)).values(
            status=DeliveryStatus.pending.value, claim_token=None, updated_at=now, enqueued_at=None,
            next_attempt_at=None))
        result["released"] = res.rowcount or 0
        # The dot may have reached the server before the worker died: never send it again. A
        # live worker may still be waiting for the answer (up to the SMTP timeout), and a 4xx
        # or a hang-up then sends it back to pending, so such rows are left to it that long.
        stale_sending = stale - timedelta(seconds=2 * s.smtp_timeout_seconds)
        res = session.execute(update(T).where(queries.stale_sending(stale_sending)).values(
            status=DeliveryStatus.sent.value, sent_at=now, updated_at=now,
            last_error="Afleveret til SMTP-serveren; arbejdsprocessen stoppede før svaret blev registreret."))
        result["assumed_sent"] = res.rowcount or 0
        session.commit()

        lost_before = now - timedelta(seconds=s.notifications_requeue_seconds)
        lost = session.execute(
            text("SELECT id, kind FROM delivery WHERE status = 'pending' "
                 "AND (next_attempt_at IS NULL OR next_attempt_at <= :now) "
                 "AND (enqueued_at IS NULL OR enqueued_at < :before) ORDER BY id LIMIT 50000"),
            {"now": now, "before": lost_before}).all()
        if lost:
            ids = [r[0] for r in lost]
            for i in range(0, len(ids), 5000):
                session.execute(update(T).where(C.id.in_(ids[i:i + 5000])).values(enqueued_at=now))
            session.commit()
            bulk = [r[0] for r in lost if r[1] in NEWSLETTER_KINDS]
            other = [r[0] for r in lost if r[1] not in NEWSLETTER_KINDS]
            enqueue(bulk, bulk=True)
            enqueue(other, bulk=False)
            result["requeued"] = len(ids)
    if any(result.values()):
        log.info("sweep: %s", result)
    return result


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
