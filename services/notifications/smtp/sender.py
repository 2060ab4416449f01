"""SMTP delivery with the final dot as the commit point.

A message is on the server once the server has read the line with the lone dot. Everything
before it can fail safely (the server discards an unfinished message), so the caller marks the
delivery `sending` in the database *just before* the dot goes out (`before_dot`), and a worker
that dies after that point never causes a second copy (the sweeper counts a stale `sending`
row as sent: the dot was already in the kernel's socket buffer on its way to a live server). Replies are classified the way RFC 5321
says: 2xx done, 4xx try again later, 5xx permanent; a 5xx on RCPT is a bounce of the address.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass

from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.smtp")


@dataclass
class SmtpFailure(Exception):
    code: int | None
    answer: str
    after_dot: bool = False  # raised after before_dot() committed the mark: the row is `sending`

    def __str__(self) -> str:
        return f"{self.code or ''} {self.answer}".strip()


class Transient(SmtpFailure):
    """4xx, refused connection, timeout: nothing was delivered; retry later."""


class Permanent(SmtpFailure):
    """5xx: the server will not take this message."""

    bounced: bool = False


class Bounced(Permanent):
    """5xx on RCPT: the address itself is refused."""

    bounced = True


class Ambiguous(Transient):
    """The dot went out but no answer came back.

    RFC 5321 (and RFC 1047 on duplicates) has the client treat this as not delivered and try
    again: the server vanished mid-answer, and it more likely lost the message than kept it.
    """


class Fenced(Exception):
    """The delivery was taken away from this worker before the dot: the message was abandoned."""


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _decode(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())[:900]


def _classify(code: int, resp: bytes, *, on_rcpt: bool = False) -> SmtpFailure:
    answer = _decode(resp)
    if 400 <= code < 500:
        return Transient(code, answer)
    if on_rcpt and code in (550, 551, 553):
        return Bounced(code, answer)
    return Permanent(code, answer)


class SmtpSender:
    """One connection, reused for many messages; reconnects when the server has hung up."""

    def __init__(self, host: str | None = None, port: int | None = None, *, timeout: float | None = None,
                 username: str | None = None, password: str | None = None, starttls: bool | None = None):
        s = get_settings()
        self.host = host or s.smtp_host
        self.port = port or s.smtp_port
        self.timeout = timeout if timeout is not None else s.smtp_timeout_seconds
        self.username = username if username is not None else s.smtp_username
        self.password = password if password is not None else s.smtp_password
        self.starttls = s.smtp_starttls if starttls is None else starttls
        self._conn: smtplib.SMTP | None = None
        self._fresh = False
        # Set by a worker that sends from several threads: held while this thread runs Python,
        # released only while it waits for the server (see deliveries.service._send_rows).
        self.lock: threading.Lock | None = None

    def _wait(self, fn, *args):
        if self.lock is None:
            return fn(*args)
        self.lock.release()
        try:
            return fn(*args)
        finally:
            self.lock.acquire()

    def _connect(self) -> smtplib.SMTP:
        try:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            # The final dot is a separate small write; with Nagle's algorithm it would wait for
            # the ACK of the body (delayed ACK: 40 ms), capping a connection at ~25 messages/s.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.ehlo_or_helo_if_needed()
            if self.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.ehlo()
            if self.username:
                conn.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise Transient(exc.smtp_code, f"login afvist: {_decode(exc.smtp_error)}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise Transient(None, f"ingen forbindelse til {self.host}:{self.port}: {exc}") from exc
        self._conn = conn
        self._fresh = True
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except Exception:
            try:
                conn.close()
            except Exception:
                pass

    def _abort(self) -> None:
        # Closing without the dot makes the server drop the half-sent message.
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def _envelope(self, envelope_from: str, to: str) -> smtplib.SMTP:
        """MAIL and RCPT, reconnecting once if a reused connection turns out to be dead."""
        for attempt in (1, 2):
            conn = self._conn or self._wait(self._connect)
            reused = not self._fresh
            self._fresh = False
            try:
                # putcmd rather than mail()/rcpt(): their address parsing costs more than the
                # rest of a message; the addresses come from validated rows.
                utf8 = not (to.isascii() and envelope_from.isascii())
                if utf8 and not conn.has_extn("smtputf8"):
                    raise Permanent(None, f"Adressen {to} kræver SMTPUTF8, som SMTP-serveren ikke understøtter.")
                conn.command_encoding = "utf-8" if utf8 else "ascii"
                conn.putcmd("mail", f"FROM:<{envelope_from}>" + (" SMTPUTF8" if utf8 else ""))
                code, resp = self._wait(conn.getreply)
                if code != 250:
                    self._rset(conn)
                    raise _classify(code, resp)
                conn.putcmd("rcpt", f"TO:<{to}>")
                code, resp = self._wait(conn.getreply)
                if code not in (250, 251):
                    self._rset(conn)
                    raise _classify(code, resp, on_rcpt=True)
                return conn
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._abort()
                if attempt == 1 and reused:
                    continue
                raise Transient(None, f"forbindelsen blev afbrudt: {exc}") from exc
        raise AssertionError("unreachable")

    def _rset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except Exception:
            self._abort()

    def send(self, envelope_from: str, to: str, data: bytes, before_dot: Callable[[], bool] | None = None) -> str:
        """Deliver `data` (CRLF line endings) to `to`; returns the server's answer.

        `before_dot()` runs after the whole message but the final dot has been sent; it returns
        False when the caller no longer owns the delivery (the message is then abandoned), True
        when its mark is committed, or a callable when the mark has been *sent* to the database
        but not yet confirmed: the dot then follows at once and the callable is asked after.
        """
        conn = self._envelope(envelope_from, to)
        try:
            conn.putcmd("data")
            code, resp = self._wait(conn.getreply)
            if code != 354:
                self._rset(conn)
                raise _classify(code, resp)
            payload = _LEADING_DOT.sub(b"..", data)
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            conn.send(payload)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._abort()
            raise Transient(None, f"forbindelsen blev afbrudt under afsendelsen: {exc}") from exc
        decision = before_dot() if before_dot is not None else True
        if decision is False:
            self._abort()
            raise Fenced()
        try:
            conn.sock.sendall(b".\r\n")
        except (OSError, AttributeError) as exc:
            # The dot did not get out, so the server drops the message; the row is `sending`.
            self._abort()
            if callable(decision):
                self._wait(decision)
            raise Transient(None, f"forbindelsen blev afbrudt før afslutningen: {exc}", after_dot=True) from exc
        if callable(decision) and not self._wait(decision):
            log.error("a delivery was handed to the SMTP server after its claim had been taken over")
        try:
            code, resp = self._wait(conn.getreply)
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            self._abort()
            raise Ambiguous(None, f"intet svar efter afsendelsen: {exc}", after_dot=True) from exc
        if code != 250:
            failure = _classify(code, resp)
            failure.after_dot = True
            raise failure
        return f"{code} {_decode(resp)}"
