"""Run every benchmark script and print each figure beside its target (`make bench`).

Protocol (every `bench/bench_*.py` follows it, so a new benchmark is just a new file):

- The runner starts each script as its own process from the repository root
  (`python bench/bench_<name>.py`), with the caller's environment.
- The script prints one JSON object per line on stdout for every figure it measured:

      {"figure": "crm.kpi_full_year_ms", "value": 41.2, "unit": "ms", "target": "< 150",
       "baseline": 1.3}

  `figure`: a unique name (`<service>.<what>`); `value`: a number (or a boolean); `unit`: e.g.
  "ms", "req/s"; `target`: a comparison the value must meet ("< 150", "<= 50", ">= 300"; text
  after the number is kept as a note), a boolean the value must equal, or null (or text without a
  comparison) for a figure shown for information only; `baseline` (optional): the same measure of something trivial
  in the same run (e.g. the /health rate on the same server), so a reader can tell a slow machine
  from a slow endpoint. Other stdout lines are ignored; progress and logs go to stderr, which the
  runner passes through.
- Exit status 0 means the script ran; a figure that misses its target is reported by the runner,
  not by the script's exit status.

The runner prints a table (figure, value, unit, target, pass/fail), updates `bench/results.json`
as `{figure: {value, unit, target, baseline?, pass}}` (figures of scripts not run this time are
kept), and exits 1 when a script failed or a figure missed its target.

Usage: `python bench/run_all.py [crm notifications ...]` (default: every script).
"""

from __future__ import annotations

import json
import operator
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results.json"
_TARGET = re.compile(r"^\s*(<=|>=|<|>|==)\s*(-?\d[\d,_]*(?:\.\d+)?)")
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}


def meets(value, target) -> bool | None:
    """True/False against a target "<op> <number>" (text after the number is a note), a boolean
    target by equality; None (information only) for no target or one that states no comparison."""
    if target is None:
        return None
    if isinstance(target, bool) or isinstance(value, bool):
        return value == target if isinstance(target, bool) else None
    match = _TARGET.match(str(target))
    if not match or not isinstance(value, (int, float)):
        return None
    return _OPS[match.group(1)](float(value), float(match.group(2).replace(",", "").replace("_", "")))


def parse_figures(stdout: str) -> list[dict]:
    figures = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "figure" in obj and "value" in obj:
            figures.append(obj)
    return figures


def run_script(path: Path) -> tuple[list[dict], int, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(path)], cwd=REPO, stdout=subprocess.PIPE, stderr=None, text=True)
    return parse_figures(proc.stdout), proc.returncode, time.perf_counter() - started


def _fmt(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def print_table(rows: list[dict]) -> None:
    header = ("figure", "value", "unit", "target", "baseline", "result")
    table = [header] + [
        (r["figure"], _fmt(r["value"]), r.get("unit", ""), "-" if r.get("target") is None else str(r["target"]),
         _fmt(r["baseline"]) if r.get("baseline") is not None else "-",
         {True: "pass", False: "FAIL", None: "info"}[r["pass"]])
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(str(cell).ljust(w) if i in (0, 2, 3, 5) else str(cell).rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(p for p in BENCH.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted)
    if not scripts:
        print(f"no benchmark scripts match {sorted(wanted)}", file=sys.stderr)
        return 1
    rows: list[dict] = []
    failed_scripts: list[str] = []
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr, flush=True)
        figures, code, seconds = run_script(script)
        print(f"== {script.name}: {len(figures)} figure(s) in {seconds:.0f} s, exit {code}", file=sys.stderr)
        if code != 0:
            failed_scripts.append(script.name)
        for fig in figures:
            rows.append({**fig, "pass": meets(fig["value"], fig.get("target"))})
    print()
    print_table(rows)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for r in rows:
        entry = {"value": r["value"], "unit": r.get("unit"), "target": r.get("target")}
        if r.get("baseline") is not None:
            entry["baseline"] = r["baseline"]
        entry["pass"] = r["pass"]
        previous[r["figure"]] = entry
    RESULTS.write_text(json.dumps(previous, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    missed = [r["figure"] for r in rows if r["pass"] is False]
    print()
    if failed_scripts:
        print(f"scripts that failed: {', '.join(failed_scripts)}")
    print(f"{len(rows) - len(missed)} of {len(rows)} figures meet or have no target"
          + (f"; missed: {', '.join(missed)}" if missed else "") + f". Results in {RESULTS.relative_to(REPO)}.")
    return 1 if failed_scripts or missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
