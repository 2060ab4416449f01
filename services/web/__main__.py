"""`python -m services.web serve`"""

from __future__ import annotations

import argparse

from shared import cli


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.web")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_serve_parser(sub, default_port=8000)
    args = parser.parse_args(argv)
    if args.command == "serve":
        cli.serve("services.web.main:app", args)


if __name__ == "__main__":
    main()
