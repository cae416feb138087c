#!/usr/bin/env python3
"""Time a 10-minute --since/--until window of a ~2 GB plain access log (issue 8's bullet:
"answers in under 0.2 s"), against a full scan of the same file with the same query.

Example:
    swift build -c release --product logsift
    python3 Benchmarks/bench_window.py --binary .build/release/logsift

The log is made from Benchmarks/generate_nginx.py: a base log of --base-lines lines (25 lines/s,
about 40 hours), then copies of it with every date moved on by 2 days, appended until the file
reaches --size bytes (cut at a line end). The copies keep times in order (each copy starts after
the one before ends), so the file is what a busy two-week log looks like to a seek. Data goes to
Benchmarks/data/ (gitignored); --keep-data keeps it for another run.

Printed: the command, each run's wall time, the median of --runs runs for the window, the same
for --full-scan, and their ratio. Nothing is compared with a threshold here: it measures.

Python 3.11+, standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATE = re.compile(rb"\[(\d\d)/([A-Z][a-z][a-z])/(\d{4}):")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def shifted(days: int):
    """A regex replacement moving `[DD/Mon/YYYY:` on by `days` days."""
    cache: dict[bytes, bytes] = {}

    def replace(m: re.Match) -> bytes:
        key = m.group(0)
        if key not in cache:
            d = dt.date(int(m.group(3)), MONTHS.index(m.group(2).decode()) + 1, int(m.group(1))) + dt.timedelta(days=days)
            cache[key] = f"[{d.day:02d}/{MONTHS[d.month - 1]}/{d.year:04d}:".encode()
        return cache[key]

    return replace


def build(path: Path, base_lines: int, size: int) -> None:
    base = path.with_suffix(".base")
    if not base.exists():
        subprocess.run([sys.executable, str(HERE / "generate_nginx.py"), "--lines", str(base_lines), "--seed", "7",
                        "--out", str(base), "--truth", str(path.with_suffix(".truth.json")), "--quiet"], check=True)
    written = 0
    with open(path, "wb") as out:
        copy = 0
        while written < size:
            replace = shifted(2 * copy)
            with open(base, "rb") as src:
                for line in src:
                    if copy:
                        line = DATE.sub(replace, line, count=1)
                    if written + len(line) > size:
                        return
                    out.write(line)
                    written += len(line)
            copy += 1


def first_time(path: Path) -> dt.datetime:
    with open(path, "rb") as f:
        for line in f:
            m = re.search(rb"\[([^\]]+)\]", line)
            if m:
                return dt.datetime.strptime(m.group(1).decode(), "%d/%b/%Y:%H:%M:%S %z")
    raise SystemExit(f"{path}: no timed line")


def timed(command: list[str], runs: int) -> tuple[list[float], str]:
    times = []
    out = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"exit {done.returncode}: {done.stderr}")
        out = done.stdout
    return times, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=HERE.parent / ".build/release/logsift")
    ap.add_argument("--size", type=int, default=2_000_000_000, help="bytes of the log (default 2,000,000,000)")
    ap.add_argument("--base-lines", type=int, default=3_600_000, help="lines generated before copying (default 3,600,000)")
    ap.add_argument("--runs", type=int, default=5, help="runs per command; the median is printed (default 5)")
    ap.add_argument("--at", type=float, default=0.5, help="where the window starts, as a share of the log's span (default 0.5)")
    ap.add_argument("--keep-data", action="store_true", help="keep Benchmarks/data/window.log for another run")
    args = ap.parse_args(argv)

    data = HERE / "data"
    data.mkdir(exist_ok=True)
    log = data / "window.log"
    if not log.exists() or log.stat().st_size < args.size * 0.99:
        build(log, args.base_lines, args.size)
    size = log.stat().st_size
    # The span: the first time, and the last copy's dates (read from the file's tail).
    start = first_time(log)
    with open(log, "rb") as f:
        f.seek(max(0, size - 65536))
        tail = f.read().splitlines()[-2]
    end = dt.datetime.strptime(re.search(rb"\[([^\]]+)\]", tail).group(1).decode(), "%d/%b/%Y:%H:%M:%S %z")
    since = start + (end - start) * args.at
    since = since.replace(microsecond=0)
    until = since + dt.timedelta(minutes=10)
    query = "count, p95(request_time)"
    window = [str(args.binary), "query", query, "--since", since.isoformat(), "--until", until.isoformat(), str(log)]
    print(f"log: {log} ({size:,} bytes, {start.isoformat()} .. {end.isoformat()})")
    print("$ " + " ".join(f"'{a}'" if " " in a else a for a in window))
    seek_times, seek_out = timed(window, args.runs)
    print(seek_out.rstrip())
    print("window runs (s): " + ", ".join(f"{t:.3f}" for t in seek_times))
    full = window + ["--full-scan"]
    print("$ " + " ".join(f"'{a}'" if " " in a else a for a in full))
    full_times, full_out = timed(full, args.runs)
    print(full_out.rstrip())
    print("full-scan runs (s): " + ", ".join(f"{t:.3f}" for t in full_times))
    if seek_out != full_out:
        print("DIFFERENT RESULTS between the seek and the full scan", file=sys.stderr)
    a, b = statistics.median(seek_times), statistics.median(full_times)
    print(f"median: window {a:.3f} s, full scan {b:.3f} s, ratio {a / b:.4f} ({b / a:.0f}x faster)")
    if not args.keep_data:
        for p in (log, log.with_suffix(".base"), log.with_suffix(".truth.json")):
            p.unlink(missing_ok=True)
    return 1 if seek_out != full_out else 0


if __name__ == "__main__":
    sys.exit(main())
