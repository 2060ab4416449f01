"""The embedded default's SMTP server: accepts every message and shows it on a web page.

`python -m services.notifications smtp-sink` listens for SMTP on 127.0.0.1:8025 and serves the
received mail at http://127.0.0.1:8026 (list, one message, raw .eml, JSON). Messages are kept in
a Maildir (`var/mail`) so they survive a restart; `--memory` keeps them in memory only (tests,
benchmarks). Tests reuse `SinkHandler` with a `policy` to answer 4xx/5xx on purpose.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import logging
import mailbox
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

log = logging.getLogger("jobbro.notifications.sink")


@dataclass
class Received:
    key: str
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    received_at: float = field(default_factory=time.time)

    def parsed(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class MemoryStore:
    def __init__(self) -> None:
        self._items: list[Received] = []
        self._lock = threading.Lock()

    def add(self, mail_from: str, rcpt_tos: list[str], data: bytes) -> str:
        with self._lock:
            key = str(len(self._items) + 1)
            self._items.append(Received(key, mail_from, list(rcpt_tos), data))
            return key

    def all(self) -> list[Received]:
        with self._lock:
            return list(self._items)

    def get(self, key: str) -> Received | None:
        with self._lock:
            return next((m for m in self._items if m.key == key), None)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class MaildirStore:
    """Envelope recipients go in an `X-Jobbro-Rcpt` header, as Maildir has no envelope."""

    def __init__(self, path: Path) -> None:
        # Maildir creates tmp/new/cur only when it creates the folder itself.
        path.parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(str(path), create=True)
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(exist_ok=True)
        self._lock = threading.Lock()

    def add(self, mail_from: str, rcpt_tos: list[str], data: bytes) -> str:
        head = f"X-Jobbro-Mail-From: {mail_from}\r\nX-Jobbro-Rcpt: {', '.join(rcpt_tos)}\r\n".encode()
        with self._lock:
            return self.box.add(mailbox.MaildirMessage(head + data))

    def all(self) -> list[Received]:
        out = []
        with self._lock:
            for key in self.box.keys():
                msg = self.box.get_message(key)
                out.append(self._to_received(key, msg))
        out.sort(key=lambda m: m.received_at)
        return out

    def get(self, key: str) -> Received | None:
        with self._lock:
            try:
                return self._to_received(key, self.box.get_message(key))
            except KeyError:
                return None

    @staticmethod
    def _to_received(key: str, msg: mailbox.MaildirMessage) -> Received:
        raw = msg.as_bytes()
        return Received(key, msg.get("X-Jobbro-Mail-From", ""), [a.strip() for a in msg.get("X-Jobbro-Rcpt", "").split(",")],
                        raw, msg.get_date())

    def __len__(self) -> int:
        return len(self.box)


Policy = Callable[[str, list[str]], str | None]  # (mail_from, rcpt_tos) -> an SMTP answer to refuse with


class SinkHandler:
    def __init__(self, store, policy: Policy | None = None, rcpt_policy: Policy | None = None) -> None:
        self.store = store
        self.policy = policy
        self.rcpt_policy = rcpt_policy

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_policy is not None:
            answer = self.rcpt_policy(envelope.mail_from, [address])
            if answer:
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.policy is not None:
            answer = self.policy(envelope.mail_from, envelope.rcpt_tos)
            if answer:
                return answer
        data = envelope.original_content or envelope.content
        key = self.store.add(envelope.mail_from, envelope.rcpt_tos, data)
        return f"250 2.0.0 OK: queued as {key}"


class _DrainingSMTP(SMTP):
    """aiosmtpd cancels a session the moment the client's EOF arrives, even when the client's
    last bytes (a complete message and its final dot) are still unread in the buffer. A mail
    server reading its socket in order would take that message; so does this sink: the EOF is
    handled a moment later, after the session has read what had already arrived."""

    def eof_received(self):
        self.loop.call_later(0.2, self._eof_after_drain)
        return True  # keep the transport until then

    def _eof_after_drain(self) -> None:
        if self.transport is None:
            return
        try:
            SMTP.eof_received(self)
        finally:
            if self.transport is not None:
                self.transport.close()


class _SinkController(Controller):
    def factory(self):
        return _DrainingSMTP(self.handler, **self.SMTP_kwargs)


def start_smtp(store, host: str = "127.0.0.1", port: int = 8025, **handler_kwargs) -> Controller:
    controller = _SinkController(SinkHandler(store, **handler_kwargs), hostname=host, port=port,
                                 data_size_limit=20 * 1024 * 1024, ready_timeout=10)
    controller.start()
    return controller


# -- the web view ------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:Arial,sans-serif;margin:24px;color:#1d2b36}}table{{border-collapse:collapse;width:100%}}
td,th{{padding:6px 8px;border-bottom:1px solid #dfe4e8;text-align:left;font-size:14px}}a{{color:#00567d}}
pre{{white-space:pre-wrap;background:#f4f6f8;padding:12px}}iframe{{width:100%;height:70vh;border:1px solid #dfe4e8}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""


def _summary(m: Received) -> dict:
    msg = m.parsed()
    return {"id": m.key, "from": m.mail_from, "to": m.rcpt_tos, "subject": str(msg.get("Subject", "")),
            "date": str(msg.get("Date", "")), "message_id": str(msg.get("Message-ID", "")),
            "list_unsubscribe": str(msg.get("List-Unsubscribe", "")) or None}


def make_web_handler(store):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet: honcho's output is for the services
            log.debug(fmt, *args)

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src *; frame-src 'self'")
            self.end_headers()
            self.wfile.write(body)

        def _page(self, title: str, body: str, status: int = 200) -> None:
            self._send(status, _PAGE.format(title=html.escape(title), body=body).encode(), "text/html; charset=utf-8")

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = unquote(self.path.split("?", 1)[0])
            if path in ("/", "/messages"):
                return self._list()
            if path == "/api/messages/count":
                return self._send(200, json.dumps({"total": len(store)}).encode(), "application/json")
            if path == "/api/messages":
                items = [_summary(m) for m in reversed(store.all())]
                return self._send(200, json.dumps({"items": items, "total": len(items)}).encode(), "application/json")
            if path.startswith("/messages/"):
                rest = path[len("/messages/"):]
                for suffix, kind in ((".eml", "raw"), (".html", "html")):
                    if rest.endswith(suffix):
                        return self._message(rest[: -len(suffix)], kind)
                return self._message(rest, "page")
            return self._page("Ikke fundet", "<p>Siden findes ikke.</p>", 404)

        def _list(self):
            rows = []
            for m in reversed(store.all()[-500:]):
                s = _summary(m)
                rows.append(f"<tr><td>{html.escape(s['date'])}</td><td>{html.escape(', '.join(s['to']))}</td>"
                            f"<td><a href='/messages/{html.escape(m.key)}'>{html.escape(s['subject']) or '(intet emne)'}</a></td></tr>")
            body = (f"<p>{len(store)} e-mail(s) modtaget af den lokale SMTP-server. Nyeste først.</p>"
                    "<table><tr><th>Dato</th><th>Til</th><th>Emne</th></tr>" + "".join(rows) + "</table>")
            return self._page("Jobbro: modtaget e-mail", body)

        def _message(self, key: str, kind: str):
            m = store.get(key)
            if m is None:
                return self._page("Ikke fundet", "<p>Beskeden findes ikke.</p>", 404)
            if kind == "raw":
                return self._send(200, m.data, "message/rfc822")
            msg = m.parsed()
            html_part = msg.get_body(("html",))
            text_part = msg.get_body(("plain",))
            if kind == "html":
                content = html_part.get_content() if html_part else "<p>(ingen HTML-del)</p>"
                return self._send(200, content.encode(), "text/html; charset=utf-8")
            s = _summary(m)
            head = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in (
                ("Fra", msg.get("From", "")), ("Til", msg.get("To", "")), ("Emne", s["subject"]), ("Dato", s["date"]),
                ("List-Unsubscribe", s["list_unsubscribe"] or "-")))
            body = (f"<p><a href='/'>&larr; Alle beskeder</a> &middot; <a href='/messages/{html.escape(key)}.eml'>Rå besked</a></p>"
                    f"<table>{head}</table>")
            if html_part:
                body += f"<h2>HTML</h2><iframe sandbox src='/messages/{html.escape(key)}.html'></iframe>"
            if text_part:
                body += f"<h2>Tekst</h2><pre>{html.escape(text_part.get_content())}</pre>"
            return self._page(s["subject"] or "(intet emne)", body)

    return Handler


def start_web(store, host: str = "127.0.0.1", port: int = 8026) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_web_handler(store))
    threading.Thread(target=server.serve_forever, name="sink-web", daemon=True).start()
    return server


def run(host: str, port: int, http_port: int, maildir: Path | None) -> None:
    import signal

    store = MemoryStore() if maildir is None else MaildirStore(maildir)
    controller = start_smtp(store, host, port)
    web = start_web(store, host, http_port) if http_port else None
    where = "memory" if maildir is None else str(maildir)
    print(f"smtp-sink: SMTP on {host}:{port}, mail at http://{host}:{http_port}/ (stored in {where})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    if web:
        web.shutdown()
