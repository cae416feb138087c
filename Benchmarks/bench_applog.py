#!/usr/bin/env python3
"""logsift application-log benchmark: throughput and peak RSS on a generated ~200 MB app log.

    python3 Benchmarks/bench_applog.py                  # generate (once), build, run 3 times
    python3 Benchmarks/bench_applog.py --mb 50 --runs 1
    python3 Benchmarks/bench_applog.py --harness        # force the processor harness

Two ways to run, chosen automatically:

1. `logsift report --format json --tz UTC FILE` when the CLI reads application logs (its JSON
   then has an `application` section with `events`), built with `swift build -c release`;
   events, levels and continuation lines are checked against the generator's truth.
2. Otherwise the processor harness: `ApplicationThroughputTests.throughputHarness`, built in
   release (`swift build -c release --build-tests -Xswiftc -enable-testing`), which frames the
   file like `LineReader` (256 KiB reads, one buffer) and feeds `ApplicationProcessor` on one
   core; it checks events, levels and continuation lines against the generator's truth.

Wall time and peak RSS come from a small trampoline that spawns the command and reads wait4's
ru_maxrss (see bench.py for why). For the harness, the process is the swift-testing runner,
so its RSS includes the test runner. Python 3.9+, stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"

TRAMPOLINE = r"""
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, ru = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
with open(out, "w") as f:
    f.write(f"{seconds} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(argv: list[str], env: dict[str, str], stdout_path: Path) -> tuple[float, int, int]:
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out, open(stdout_path, "w") as so:
        subprocess.run([sys.executable, "-I", "-S", "-c", TRAMPOLINE, out.name, *argv],
                       env=env, stdout=so, stderr=subprocess.DEVNULL, check=False)
        seconds, rss_kb, code = out.read().split()
    return float(seconds), int(rss_kb), int(code)


def allocations_per_line(argv: list[str], env: dict[str, str], log_path: Path, mode: str) -> str | None:
    """Heap allocations per line in steady state, with bench.py's LD_PRELOAD shim
    (Benchmarks/malloc_count.c): the same run on every tenth line of the log (the same time
    span, so the same buckets and groups) and on all of it; the difference in allocations over
    the difference in lines is what each further line costs (the design target is 0)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None or not (HERE / "malloc_count.c").exists():
        return "not measured (no C compiler or no Benchmarks/malloc_count.c)"
    shim = DATA / "malloc_count.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(shim), str(HERE / "malloc_count.c"), "-ldl"], check=True)
    short = DATA / "applog-alloc-short.log"
    lines = short_lines = 0
    with open(log_path, "rb") as src, open(short, "wb") as dst:
        for i, line in enumerate(src):
            lines += 1
            if i % 10 == 0:
                dst.write(line)
                short_lines += 1
    counts = []
    for path in (short, log_path):
        run_argv = [str(path) if a == str(log_path) else a for a in argv]
        run_env = {**env, "LD_PRELOAD": str(shim)}
        if mode == "harness":
            run_env["LOGSIFT_APPLOG_BENCH"] = str(path)
        proc = subprocess.run(run_argv, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        found = [int(l.split(":")[1]) for l in proc.stderr.splitlines() if l.startswith("logsift-malloc-count:")]
        counts.append(found[-1] if found else -1)
    short.unlink(missing_ok=True)
    if -1 in counts:
        return "not measured (the shim printed nothing)"
    per = (counts[1] - counts[0]) / (lines - short_lines)
    return (f"{counts[0]:,} for {short_lines:,} lines, {counts[1]:,} for {lines:,} lines "
            f"-> {per:.4f} per line in steady state")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--harness", action="store_true", help="time the processor harness even if the CLI is wired")
    ap.add_argument("--scratch", default=".build-app-rel", help="scratch path for the release build")
    ap.add_argument("--skip-allocations", action="store_true",
                    help="do not count heap allocations per line (needs a C compiler)")
    args = ap.parse_args()

    DATA.mkdir(exist_ok=True)
    log_path = DATA / f"applog-{int(args.mb)}mb-seed{args.seed}.log"
    if not log_path.exists() or not Path(str(log_path) + ".truth.json").exists():
        log(f"generating {log_path} ...")
        subprocess.run([sys.executable, str(HERE / "generate_applog.py"), "--mb", str(args.mb),
                        "--seed", str(args.seed), "--out", str(log_path)], check=True)
    truth = json.loads(Path(str(log_path) + ".truth.json").read_text())
    size = log_path.stat().st_size

    def build(scratch: str, tests: bool) -> Path:
        extra = ["--build-tests", "-Xswiftc", "-enable-testing"] if tests else ["--product", "logsift"]
        log(f"building (release{', tests' if tests else ''}) in {scratch} ...")
        subprocess.run(["swift", "build", "-c", "release", *extra, "--scratch-path", scratch], cwd=ROOT, check=True)
        return Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path", "--scratch-path", scratch],
                                   cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip())

    env = dict(os.environ)
    mode = "harness"
    if not args.harness:
        cli = build(args.scratch, tests=False) / "logsift"
        argv = [str(cli), "report", "--format", "json", "--tz", "UTC", str(log_path)]
        probe = subprocess.run(argv, capture_output=True, text=True)
        try:
            app = json.loads(probe.stdout).get("application") or {}
        except ValueError:
            app = {}
        if app.get("events"):
            mode = "cli"
            checks = [("events", app.get("events"), truth["events"]),
                      ("continuation_lines", app.get("continuation_lines"), truth["continuation_lines"])]
            checks += [(f"levels.{k}", (app.get("levels") or {}).get(k), v) for k, v in truth["levels"].items()]
            for name, got, want in checks:
                log(f"{'ok' if got == want else 'MISMATCH'}: {name} {got} (truth {want})")
        else:
            log("the CLI does not report application logs (yet): timing the processor harness")
    if mode == "harness":
        bin_dir = build(args.scratch + "-tests", tests=True)
        argv = [str(bin_dir / "logsiftPackageTests.xctest"), "--testing-library", "swift-testing",
                "--filter", "ApplicationThroughputTests"]
        env["LOGSIFT_APPLOG_BENCH"] = str(log_path)

    best = None
    peak = 0
    report = ""
    for run in range(args.runs):
        out = DATA / "applog-bench-stdout.txt"
        seconds, rss_kb, code = timed(argv, env, out)
        if code != 0:
            log(f"run {run + 1}: exit {code}; output in {out}")
            return 1
        text = out.read_text()
        if mode == "harness":
            for line in text.splitlines():
                if line.startswith("APPLOG_BENCH "):
                    inner = json.loads(line[len("APPLOG_BENCH "):])
                    report = f"processor-only {inner['seconds']:.2f} s ({inner['mb_per_s']:.0f} MB/s), events {inner['events']}"
                if line.startswith("APPLOG_GROUPS"):
                    report += "; " + line
        best = seconds if best is None else min(best, seconds)
        peak = max(peak, rss_kb)
        log(f"run {run + 1}: {seconds:.2f} s, peak RSS {rss_kb / 1024:.1f} MB")

    alloc_note = allocations_per_line(argv, env, log_path, mode) if not args.skip_allocations else None

    mb = size / 1e6
    print(f"mode      {mode}: {' '.join(Path(a).name if i == 0 else a for i, a in enumerate(argv))}")
    print(f"file      {log_path.name}: {mb:.1f} MB, {truth['events']} events, {truth['continuation_lines']} continuation lines")
    print(f"best      {best:.2f} s wall  ->  {mb / best:.0f} MB/s  ({truth['events'] / best / 1e6:.2f} M events/s)")
    print(f"peak RSS  {peak / 1024:.1f} MB")
    if report:
        print(f"harness   {report}")
    if alloc_note:
        print(f"allocs    {alloc_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
