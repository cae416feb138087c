#!/usr/bin/env python3
"""Printing matching lines against ripgrep, interleaved: `logsift query 'status >= 500' FILE`
(lines printed to /dev/null) and `rg -c ' 50[0-9] ' FILE` on the same plain log, run one after
the other in each round, so that both see the same load (issue 8: logsift at most 2x rg).

    python3 Benchmarks/bench_print.py --binary .build/release/logsift
    python3 Benchmarks/bench_print.py --binary .build/release/logsift --compare /tmp/old-logsift --runs 9

The log is bench.py's (Benchmarks/data/combined_rt-2000000-seed1.log; run bench.py --keep-data
once to make it) or --log FILE. Before timing, logsift's printed lines are counted and checked
against the generator's truth (lines with status >= 500) when its .truth.json is next to the log.
Reports, per command, the median and the lowest wall time and the median CPU time over --runs
rounds, and logsift's wall time over rg's: the ratio of the medians and the median of the
per-round ratios. Python 3.11+, stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LOG = HERE / "data" / "combined_rt-2000000-seed1.log"
QUERY = "status >= 500"


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run, stdout to /dev/null."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
        p.stderr.close()
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1) or (p.returncode == 1 and argv[0] != "rg"):
        sys.exit(f"bench_print: {' '.join(argv)} exited {p.returncode}: {err.strip()[:300]}")
    return wall, ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, required=True, help="logsift binary to time")
    ap.add_argument("--compare", type=Path, metavar="BINARY", help="another logsift binary, timed in the same rounds")
    ap.add_argument("--log", type=Path, default=DEFAULT_LOG, help=f"plain access log (default {DEFAULT_LOG.relative_to(HERE.parent)})")
    ap.add_argument("--runs", type=int, default=7, help="rounds; medians are kept (default 7)")
    ap.add_argument("--jobs", type=int, help="pass --jobs N to logsift")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    if not shutil.which("rg"):
        sys.exit("bench_print: rg not installed (apt-get install ripgrep)")
    log = str(args.log)
    if not args.log.exists():
        sys.exit(f"bench_print: {log} does not exist (python3 Benchmarks/bench.py --keep-data makes it)")

    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    commands = [("rg -c ' 50[0-9] '", ["rg", "-c", " 50[0-9] ", log])]
    commands.append((f"logsift query '{QUERY}'", [str(args.binary.resolve()), "query", *jobs, QUERY, log]))
    if args.compare:
        commands.append((f"[compare] logsift query '{QUERY}'", [str(args.compare.resolve()), "query", *jobs, QUERY, log]))

    # The lines printed, against the generator's truth.
    truth_path = Path(log[: -len(".log")] + ".truth.json") if log.endswith(".log") else None
    for label, argv in commands[1:]:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        printed = out.stdout.count(b"\n")
        note = f"{label}: {printed:,} lines printed"
        if truth_path and truth_path.exists():
            truth = json.loads(truth_path.read_text())
            want = sum(n for s, n in truth["status"].items() if int(s) >= 500)
            note += f"; truth (status >= 500): {want:,}" + ("" if printed == want else "  MISMATCH")
        print(note, file=sys.stderr)

    walls: dict[str, list[float]] = {label: [] for label, _ in commands}
    cpus: dict[str, list[float]] = {label: [] for label, _ in commands}
    for r in range(args.runs):
        # Alternate which command goes first, so neither always runs on a warmer machine.
        order = commands if r % 2 == 0 else list(reversed(commands))
        for label, argv in order:
            wall, cpu = run_once(argv)
            walls[label].append(wall)
            cpus[label].append(cpu)
        print(f"round {r + 1}: " + ", ".join(f"{label} {walls[label][-1]:.3f} s" for label, _ in commands), file=sys.stderr)

    rg = commands[0][0]
    print(f"{os.path.getsize(log) / 1e6:.1f} MB log {log}; {args.runs} interleaved rounds; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}; command: python3 Benchmarks/bench_print.py {' '.join(sys.argv[1:])}")
    print(f"| {'command':<40} | median wall s | min wall s | median cpu s | wall ÷ rg (medians) | median of per-round ratios |")
    print("|---|---|---|---|---|---|")
    for label, _ in commands:
        w, c = walls[label], cpus[label]
        ratio = statistics.median(w) / statistics.median(walls[rg])
        per_round = statistics.median(a / b for a, b in zip(w, walls[rg]))
        print(f"| {label:<40} | {statistics.median(w):.3f} | {min(w):.3f} | {statistics.median(c):.3f} | {ratio:.2f}× | {per_round:.2f}× |")


if __name__ == "__main__":
    main()
