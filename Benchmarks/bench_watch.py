#!/usr/bin/env python3
"""logsift watch benchmark (issue 9's three performance bullets), next to `report --jobs 1` and
the C PCRE2 floor measured in the same run:

  (a) ingestion: the 2,000,000-line nginx log of bench.py piped on stdin through
      `logsift watch --rules R` with the 4 access rules of samples/alerts.yml; lines/s, median of
      --runs runs, and the ratios to `report --jobs 1` and to the PCRE2-JIT C loop over the same
      file (bench.py builds both; its functions are imported here);
  (b) alert latency: a writer appends to a followed file at --rate lines/s (>= 100,000), then a
      burst of 5xx lines makes a rule true; measured from just before the write() that holds
      the triggering line to the moment the alert's JSON line is read from logsift's stdout
      (goal: <= 1 s), --bursts times;
  (c) RSS: the same writer for --minutes minutes (default 2; the issue asks 30) with a rename
      rotation every --rotate-seconds seconds; logsift's RSS (VmRSS) sampled every second,
      and the lines it counted checked against the lines written.

    python3 Benchmarks/bench_watch.py                                  # build, run (a) (b) (c)
    python3 Benchmarks/bench_watch.py --binary .build/release/logsift --runs 1 --bursts 3
    python3 Benchmarks/bench_watch.py --binary .build/release/logsift --only rss --minutes 30 --rotate-seconds 60

The log of (a) is bench.py's (Benchmarks/data/, or --data-dir DIR holding it; generated when
missing). Python 3.11+, standard library only. See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
import bench  # noqa: E402  (build_logsift, ensure_data, build_floors, access_regex, measure, median)

log = bench.log


def access_rules(tmp: Path) -> Path:
    """samples/alerts.yml cut before its PostgreSQL rule: the 4 rules of source nginx."""
    text = (ROOT / "samples" / "alerts.yml").read_text()
    cut = text.index("  # Database:")
    rules = text[:cut]
    if rules.count("- alert:") != 4:
        sys.exit("bench_watch: samples/alerts.yml no longer starts with 4 nginx rules; update access_rules()")
    path = tmp / "access-rules.yml"
    path.write_text(rules)
    return path


def watch_totals(stdout_path: Path) -> dict:
    """Sums of the window lines' counters (`requests`, `late`, `unmatched`) and the alert lines."""
    totals = {"requests": 0, "late": 0, "unmatched": 0, "windows": 0, "alerts": 0}
    with open(stdout_path, "rb") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if "alert" in o:
                totals["alerts"] += 1
            elif "requests" in o:
                totals["windows"] += 1
                for k in ("requests", "late", "unmatched"):
                    totals[k] += o.get(k, 0)
    return totals


# ----------------------------------------------------------------------------------------------
# (a) ingestion
# ----------------------------------------------------------------------------------------------
def ingestion(binary: Path, args, tmp: Path, rules: Path) -> list[str]:
    files = bench.ensure_data(args.lines, args.seed) if args.data_dir is None else {
        "log": args.data_dir / f"{bench.FORMAT}-{args.lines}-seed{args.seed}.log",
        "truth": args.data_dir / f"{bench.FORMAT}-{args.lines}-seed{args.seed}.truth.json"}
    truth = json.loads(files["truth"].read_text())
    lines = truth["lines"]
    log_path = str(files["log"])
    size = files["log"].stat().st_size
    rows: list[tuple[str, dict]] = []
    out = tmp / "out.jsonl"
    floors = bench.build_floors()
    regex = bench.access_regex(binary, files["log"])
    if isinstance(floors, dict) and regex:
        rows.append(("C loop: PCRE2-JIT, logsift's regex, 1 core", bench.measure([str(floors["pcre2"]), regex, log_path],
                                                                                args.runs, None, "pcre2 floor")))
    rows.append(("report --format json --jobs 1 FILE", bench.measure(
        [str(binary), "report", "--format", "json", "--jobs", "1", log_path], args.runs, None, "report --jobs 1")))
    # stdin is the file itself (`< FILE`): `exec` keeps the shell's pid, so wait4 measures logsift.
    watch_argv = ["sh", "-c", 'exec "$0" "$@" < "$LOGSIFT_BENCH_INPUT"', str(binary), "watch", "--tz", "UTC",
                  "--window", "1m", "--rules", str(rules)]
    os.environ["LOGSIFT_BENCH_INPUT"] = log_path
    watch = bench.measure(watch_argv, args.runs, out, "watch --rules (4 rules) < FILE")
    rows.append(("watch --rules R (4 access rules) < FILE", watch))
    notes = []
    if not watch["failed"]:
        t = watch_totals(out)
        seen = t["requests"] + t["late"]
        tag = "ok" if seen == truth["matched"] and t["unmatched"] == truth["unmatched"] else "MISMATCH"
        notes.append(f"{tag}: watch windows: requests {t['requests']:,} + late {t['late']:,} = {seen:,} "
                     f"(truth matched {truth['matched']:,}), unmatched {t['unmatched']:,} (truth {truth['unmatched']:,}), "
                     f"{t['windows']} windows, {t['alerts']} alert lines")
    print(f"\n(a) ingestion: {lines:,} lines, {size / 1e6:.0f} MB, median of {args.runs} run(s)")
    print(f"| {'command':<44} | {'wall s':>7} | {'cpu s':>7} | {'lines/s':>11} | {'lines/cpu-s':>11} | {'RSS MB':>7} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 13}|{'-' * 13}|{'-' * 9}|")
    for label, r in rows:
        rate = lines / r["seconds"] if r["seconds"] > 0 else float("nan")
        per_cpu = lines / r["cpu"] if r["cpu"] > 0 else float("nan")
        failed = f" (failed: exit {r['exit']})" if r["failed"] else ""
        print(f"| {label:<44} | {r['seconds']:>7.2f} | {r['cpu']:>7.2f} | {rate:>11,.0f} | {per_cpu:>11,.0f} | "
              f"{r['peak_rss_kib'] / 1024:>7.1f} |{failed}")
    by = dict(rows)
    w = by["watch --rules R (4 access rules) < FILE"]
    for label in ("report --format json --jobs 1 FILE", "C loop: PCRE2-JIT, logsift's regex, 1 core"):
        if label in by and not by[label]["failed"] and not w["failed"]:
            print(f"watch ÷ {label}: wall {w['seconds'] / by[label]['seconds']:.2f}×, cpu {w['cpu'] / by[label]['cpu']:.2f}×")
    return notes


# ----------------------------------------------------------------------------------------------
# The live writer shared by (b) and (c)
# ----------------------------------------------------------------------------------------------
BLOCK_LINES = 2000
STAMP = b"01/Jan/2000:00:00:00 +0000"


def block(status: int) -> bytes:
    """BLOCK_LINES combined_rt lines with a placeholder time (replaced per second)."""
    out = []
    for i in range(BLOCK_LINES):
        out.append(f'10.1.{i % 200}.{i % 7} - - [{STAMP.decode()}] "GET /api/items/{i % 500}?page={i} HTTP/1.1" '
                   f'{status} {500 + i % 900} "-" "Mozilla/5.0 (bench)" 0.{i % 400 + 10:03d}\n')
    return "".join(out).encode()


class Writer:
    """Appends `rate` lines a second to `path` in blocks of BLOCK_LINES lines (one write() each),
    stamped with the current UTC second; counts what it wrote."""

    def __init__(self, path: Path, rate: int):
        self.path = path
        self.rate = rate
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.normal = block(200)
        self.written = 0
        self.bytes = 0
        self._stamp_second = -1
        self._stamped = b""

    def stamped(self, data: bytes) -> bytes:
        return data.replace(STAMP, time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()).encode())

    def write(self, data: bytes, lines: int) -> float:
        """Writes data at once; returns the time just before the write()."""
        t = time.time()
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        self.written += lines
        self.bytes += len(data)
        return t

    def run_for(self, seconds: float) -> None:
        start = time.monotonic()
        sent = 0
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= seconds:
                return
            if sent > elapsed * self.rate:
                time.sleep(min(sent / self.rate - elapsed, seconds - elapsed, 0.01))
                continue
            second = int(time.time())
            if second != self._stamp_second:
                self._stamp_second = second
                self._stamped = self.stamped(self.normal)
            self.write(self._stamped, BLOCK_LINES)
            sent += BLOCK_LINES

    def rotate(self) -> None:
        """Rename rotation: PATH -> PATH.1 (replacing the previous one), a new PATH."""
        os.rename(self.path, str(self.path) + ".1")
        os.close(self.fd)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        os.close(self.fd)


class LineReader(threading.Thread):
    """Reads logsift's stdout; keeps each line with the time it was read."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        for line in self.stream:
            with self.lock:
                self.lines.append((time.time(), line))

    def snapshot(self) -> list[tuple[float, bytes]]:
        with self.lock:
            return list(self.lines)


def start_watch(binary: Path, follow: Path, rules: Path, extra: list[str] = ()) -> tuple[subprocess.Popen, LineReader]:
    # --from-start: the file is empty when the watch starts, and a slow start must not skip lines.
    p = subprocess.Popen([str(binary), "watch", "--follow", str(follow), "--from-start", "--tz", "UTC", "--window", "1m",
                          "--output", "json", "--rules", str(rules), *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = LineReader(p.stdout)
    reader.start()
    time.sleep(0.5)
    return p, reader


def wait_caught_up(p: subprocess.Popen, written_bytes: int, timeout: float = 120) -> None:
    """Waits until the watch has read as many bytes as were written (rchar of /proc/PID/io
    counts every byte its read calls returned), then half a second for the last lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{p.pid}/io") as f:
                rchar = next(int(l.split()[1]) for l in f if l.startswith("rchar:"))
        except (OSError, StopIteration):
            break
        if rchar >= written_bytes:
            break
        time.sleep(0.1)
    time.sleep(0.5)


def stop_watch(p: subprocess.Popen, reader: LineReader) -> str:
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.wait(timeout=60), p.stderr.read()
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        err = b"(killed: did not stop within 60 s of SIGTERM)"
    reader.join(timeout=10)
    return err.decode("utf-8", "replace")


# ----------------------------------------------------------------------------------------------
# (b) alert latency
# ----------------------------------------------------------------------------------------------
BURST_RULE = """rules:
  - alert: Burst
    expr: count(status >= 500) > {threshold}
    window: 10s
    labels: {{severity: critical}}
"""


def latency(binary: Path, args, tmp: Path) -> list[str]:
    """--bursts times: --warmup seconds at --rate, then --burst 5xx lines in one write() (the
    rule counts more than --burst - 1 of them, so the last line of the burst makes it true),
    then 12 s more at --rate (the 10 s window empties: the alert resolves before the next)."""
    rules = tmp / "burst.yml"
    rules.write_text(BURST_RULE.format(threshold=args.burst - 1))
    path = tmp / "live.log"
    path.touch()
    writer = Writer(path, args.rate)
    errors = block(503)
    burst = (errors * (args.burst // BLOCK_LINES + 1)).split(b"\n")[:args.burst]
    burst = b"\n".join(burst) + b"\n"
    p, reader = start_watch(binary, path, rules)
    results = []
    t_start, n_start = time.time(), writer.written
    try:
        for i in range(args.bursts):
            writer.run_for(args.warmup)
            t_write = writer.write(writer.stamped(burst), args.burst)
            writer.run_for(12.0)
            fired = [t for t, line in reader.snapshot() if b'"Burst"' in line and b'"firing"' in line]
            results.append(fired[i] - t_write if len(fired) > i else None)
            log(f"  burst {i + 1}/{args.bursts}: " + (f"alert {results[-1] * 1000:.0f} ms after the write"
                                                      if results[-1] is not None else "no alert line"))
        achieved = (writer.written - n_start) / (time.time() - t_start)
    finally:
        writer.close()
        wait_caught_up(p, writer.bytes)
        err = stop_watch(p, reader)
    t = watch_totals_from(reader.snapshot())
    got = [r for r in results if r is not None]
    print(f"\n(b) alert latency at {args.rate:,} lines/s asked, {achieved:,.0f} lines/s written "
          f"(burst of {args.burst} 5xx lines; rule count(status >= 500) > {args.burst - 1} over 10s)")
    print("  per burst (s): " + ", ".join("none" if r is None else f"{r:.3f}" for r in results))
    if got:
        print(f"  median {bench.median(got):.3f} s, max {max(got):.3f} s (goal <= 1 s)")
    tag = "ok" if t["requests"] + t["late"] == writer.written else "MISMATCH"
    notes = [f"{tag}: latency run: watch counted {t['requests']:,} + late {t['late']:,}, the writer wrote {writer.written:,}"]
    if err.strip():
        notes.append("latency run stderr: " + err.strip()[:300])
    return notes


# ----------------------------------------------------------------------------------------------
# (c) RSS over a run with rotation
# ----------------------------------------------------------------------------------------------
def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rss_run(binary: Path, args, tmp: Path, rules: Path) -> list[str]:
    path = tmp / "rss.log"
    path.touch()
    writer = Writer(path, args.rate)
    p, reader = start_watch(binary, path, rules)
    samples: list[tuple[float, int]] = []
    start = time.monotonic()
    rotations = 0
    next_rotation = start + args.rotate_seconds
    try:
        while time.monotonic() - start < args.minutes * 60:
            writer.run_for(1.0)
            samples.append((time.monotonic() - start, rss_kib(p.pid)))
            if time.monotonic() >= next_rotation:
                writer.rotate()
                rotations += 1
                next_rotation += args.rotate_seconds
        elapsed = time.monotonic() - start
    finally:
        writer.close()
        wait_caught_up(p, writer.bytes)
        err = stop_watch(p, reader)
    for suffix in ("", ".1"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    mb = [k / 1024 for _, k in samples]
    minute = max(1, min(60, len(mb) // 4))
    print(f"\n(c) RSS over {elapsed / 60:.1f} min at {writer.written / elapsed:,.0f} lines/s written "
          f"({writer.written:,} lines), rename rotation every {args.rotate_seconds:g} s ({rotations} rotations), 4 rules")
    print(f"  VmRSS MB: first sample {mb[0]:.1f}, max {max(mb):.1f}, mean of the first {minute} s {sum(mb[:minute]) / minute:.1f}, "
          f"mean of the last {minute} s {sum(mb[-minute:]) / minute:.1f}, last {mb[-1]:.1f} (goal: flat, <= 100 MB)")
    t = watch_totals_from(reader.snapshot())
    tag = "ok" if t["requests"] + t["late"] == writer.written else "MISMATCH"
    notes = [f"{tag}: RSS run: watch counted {t['requests']:,} + late {t['late']:,}, the writer wrote {writer.written:,}"]
    if err.strip():
        notes.append("RSS run stderr: " + err.strip()[:300])
    if args.rss_samples:
        args.rss_samples.write_text("".join(f"{s:.1f} {k}\n" for s, k in samples))
    return notes


def watch_totals_from(lines: list[tuple[float, bytes]]) -> dict:
    t = {"requests": 0, "late": 0}
    for _, line in lines:
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if "requests" in o:
            t["requests"] += o["requests"]
            t["late"] += o.get("late", 0)
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, help="logsift binary (default: build it in release)")
    ap.add_argument("--only", choices=["ingest", "latency", "rss"], action="append",
                    help="run only this part (repeatable); default all three")
    ap.add_argument("--runs", type=int, default=5, help="(a): runs per command, median kept (default 5)")
    ap.add_argument("--lines", type=int, default=2_000_000, help="(a): lines of bench.py's log (default 2,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, help="(a): folder already holding bench.py's log and truth (read in place)")
    ap.add_argument("--rate", type=int, default=100_000, help="(b), (c): lines a second the writer appends (default 100,000)")
    ap.add_argument("--bursts", type=int, default=5, help="(b): bursts measured (default 5)")
    ap.add_argument("--burst", type=int, default=1000, help="(b): 5xx lines in a burst (default 1000)")
    ap.add_argument("--warmup", type=float, default=3.0, help="(b): seconds of normal traffic before each burst (default 3)")
    ap.add_argument("--minutes", type=float, default=2.0, help="(c): length of the RSS run (default 2; the issue asks 30)")
    ap.add_argument("--rotate-seconds", type=float, default=60.0, help="(c): seconds between rotations (default 60)")
    ap.add_argument("--rss-samples", type=Path, help="(c): also write 'seconds rss_kib' per sample to this file")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.rate < 1 or args.bursts < 1 or args.burst < 1 or args.minutes <= 0 or args.rotate_seconds <= 0:
        ap.error("--runs, --rate, --bursts, --burst, --minutes and --rotate-seconds must be positive")
    parts = args.only or ["ingest", "latency", "rss"]
    binary = args.binary.resolve() if args.binary else bench.build_logsift()
    print(f"bench_watch: binary {binary}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start; "
          "command: python3 Benchmarks/bench_watch.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    tmp = Path(tempfile.mkdtemp(prefix="logsift-bench-watch-"))
    notes: list[str] = []
    try:
        rules = access_rules(tmp)
        if "ingest" in parts:
            notes += ingestion(binary, args, tmp, rules)
        if "latency" in parts:
            notes += latency(binary, args, tmp)
        if "rss" in parts:
            notes += rss_run(binary, args, tmp, rules)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print()
    for n in notes:
        print(n)
    return 1 if any(n.startswith("MISMATCH") for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
