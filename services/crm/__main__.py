"""`python -m services.crm serve|migrate|worker|demo|demo-identities`"""

from __future__ import annotations

import argparse

from shared import cli


def main(argv: list[str] | None = None) -> None:
    from shared.db import use_service

    use_service("crm")  # this process works on crm's own database
    parser = argparse.ArgumentParser(prog="python -m services.crm")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_serve_parser(sub, default_port=8001)
    sub.add_parser("migrate", help="migrate crm's own database (its Alembic history)")
    w = sub.add_parser("worker", help="crm's RQ worker with its schedule (outbox relay, morning round)")
    w.add_argument("--burst", action="store_true", help="empty the queue, then stop")
    w.add_argument("--no-cron", action="store_true", help="do not enqueue the periodic jobs from this worker")
    from services.crm.demo import cli as demo_cli

    demo_cli.add_parser(sub)
    from services.crm.demo import identities as demo_identities

    demo_identities.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve":
        cli.serve("services.crm.main:app", args)
    elif args.command == "migrate":
        cli.migrate("crm")
    elif args.command == "worker":
        from services.crm import worker

        worker.run(burst=args.burst, cron=not args.no_cron)
    elif args.command == "demo":
        demo_cli.run(args)
    elif args.command == "demo-identities":
        demo_identities.run(args)


if __name__ == "__main__":
    main()
