"""`python -m services.notifications serve|worker|events|smtp-sink`"""

from __future__ import annotations

import argparse
from pathlib import Path

from shared import cli
from shared.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    from shared.db import use_service

    use_service("notifications")  # this process works on notifications's own database
    parser = argparse.ArgumentParser(prog="python -m services.notifications")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="migrate notifications's own database (its Alembic history)")
    cli.add_serve_parser(sub, default_port=8003)

    w = sub.add_parser("worker", help="one RQ worker with its scheduler and the periodic jobs")
    w.add_argument("--queues", nargs="+", help="queues to serve (default: settings.notifications_worker_queues)")
    w.add_argument("--burst", action="store_true", help="empty the queues, then stop")
    w.add_argument("--no-cron", action="store_true", help="do not enqueue the periodic jobs from this worker")
    w.add_argument("--name", help="worker name (default: random)")

    sub.add_parser("rebuild-recipients",
                   help="rebuild the read model of recipients and orders from crm's API (after a loss)")

    e = sub.add_parser("events", help="read crm's event stream once (the worker does this every few seconds)")
    e.add_argument("--budget", type=float, default=20.0, help="seconds to spend at most")

    s = sub.add_parser("smtp-sink", help="the local SMTP server of the embedded default, with a web view")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=None, help="SMTP port (default: SMTP_PORT, 8025)")
    s.add_argument("--http-port", type=int, default=None, help="web view port (default: 8026; 0 = none)")
    s.add_argument("--dir", type=Path, default=None, help="Maildir to keep mail in (default: var/mail)")
    s.add_argument("--memory", action="store_true", help="keep mail in memory only")

    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "migrate":
        cli.migrate("notifications")
    elif args.command == "serve":
        cli.serve("services.notifications.main:app", args)
    elif args.command == "worker":
        from services.notifications import worker

        queues = [q for part in (args.queues or []) for q in part.split(",") if q] or None
        worker.run(queues, burst=args.burst, cron=not args.no_cron, name=args.name)
    elif args.command == "rebuild-recipients":
        from services.notifications.recipients.rebuild import rebuild
        from shared.db import get_engine

        print(rebuild(get_engine()))
    elif args.command == "events":
        from services.notifications.events.consumer import consume
        from shared.db import get_engine
        from shared.redis_client import get_redis

        print(consume(get_engine(), get_redis(), budget_seconds=args.budget))
    elif args.command == "smtp-sink":
        from services.notifications.smtp import sink

        http_port = settings.smtp_sink_http_port if args.http_port is None else args.http_port
        maildir = None if args.memory else (args.dir or settings.smtp_sink_dir)
        sink.run(args.host, args.port or settings.smtp_port, http_port, maildir)


if __name__ == "__main__":
    main()
