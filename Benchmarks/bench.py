#!/usr/bin/env python3
"""logsift benchmark: `logsift report --format json` on a generated nginx log, plain and
gzipped, with goaccess on the same file for comparison.

    python3 Benchmarks/bench.py                      # build, generate 2,000,000 lines, run all
    python3 Benchmarks/bench.py --keep-data          # keep Benchmarks/data/ for the next run
    python3 Benchmarks/bench.py --binary .build/release/logsift --skip-goaccess
    python3 Benchmarks/bench.py --lines 200000 --runs 1

Each command runs --runs times (default 3); the best wall time is reported, and the peak RSS
(largest ru_maxrss of the child over the runs, from os.wait4). Python 3.11+, stdlib only.
See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
GENERATOR = HERE / "generate_nginx.py"

# The generated log: one day (24 h) of `combined_rt` lines for the default 2,000,000 lines.
FORMAT = "combined_rt"
START = "2026-11-24T00:00:00Z"
SECONDS_PER_DAY = 86400

GOACCESS_LOG_FORMAT = '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# Peak RSS: on Linux a child's ru_maxrss starts at the RSS high-water mark of the process that
# exec'd it (exec keeps max(old mm, new mm)), so a child spawned straight from this script would
# never report less than this script's own RSS. The child is therefore spawned from a small
# trampoline (`python3 -I -S`, ~8 MB) that measures wall time and wait4 usage itself; the
# trampoline's floor is measured with /bin/true and printed next to the table.
TRAMPOLINE = r"""
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as e:
    sys.stderr.write(f"bench: cannot run {argv[0]}: {e}\n")
    sys.exit(127)
_, status, ru = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write(f"{seconds!r} {ru.ru_maxrss} {code} {ru.ru_utime!r} {ru.ru_stime!r}\n")
sys.exit(code if 0 <= code < 256 else 128 - code)
"""


def run_measured(argv: list[str], stdout_path: Path | None) -> dict:
    """Runs argv once; returns wall seconds, peak RSS (KiB, from wait4) and exit status."""
    fd, result_path = tempfile.mkstemp(prefix="bench-", suffix=".ru")
    os.close(fd)
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    try:
        p = subprocess.run([sys.executable, "-I", "-S", "-c", TRAMPOLINE, result_path, *argv],
                           stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        fields = Path(result_path).read_text().split()
    finally:
        if stdout_path:
            out.close()
        err.close()
        os.unlink(result_path)
    if len(fields) != 5:
        return {"seconds": float("nan"), "maxrss_kib": 0, "exit": p.returncode or 127, "stderr": stderr,
                "user": 0.0, "sys": 0.0}
    return {"seconds": float(fields[0]), "maxrss_kib": int(fields[1]), "exit": int(fields[2]),
            "stderr": stderr, "user": float(fields[3]), "sys": float(fields[4])}


def rss_floor_kib() -> int:
    """Peak RSS the trampoline reports for /bin/true: no measurement can be below this."""
    return min(run_measured(["true"], None)["maxrss_kib"] for _ in range(3))


def best_of(argv: list[str], runs: int, stdout_path: Path | None, label: str) -> dict:
    results = []
    for i in range(runs):
        r = run_measured(argv, stdout_path)
        log(f"  {label} run {i + 1}/{runs}: {r['seconds']:.2f}s, rss {r['maxrss_kib'] / 1024:.0f} MB, exit {r['exit']}")
        results.append(r)
        if r["exit"] != 0:
            break
    best = min(results, key=lambda r: r["seconds"])
    best = dict(best)
    best["peak_rss_kib"] = max(r["maxrss_kib"] for r in results)
    best["runs"] = [round(r["seconds"], 3) for r in results]
    best["failed"] = any(r["exit"] != 0 for r in results)
    if best["failed"]:
        failed = next(r for r in results if r["exit"] != 0)
        best["exit"] = failed["exit"]
        best["stderr"] = failed["stderr"]
    return best


# ----------------------------------------------------------------------------------------------
# Building and data
# ----------------------------------------------------------------------------------------------
def build_logsift() -> Path:
    log("building logsift: swift build -c release --product logsift")
    subprocess.run(["swift", "build", "-c", "release", "--product", "logsift"], cwd=ROOT, check=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    path = Path(bin_dir) / "logsift"
    if not path.exists():
        sys.exit(f"bench: build finished but {path} does not exist")
    return path


def data_files(lines: int, seed: int) -> dict[str, Path]:
    stem = f"{FORMAT}-{lines}-seed{seed}"
    return {"log": DATA / f"{stem}.log", "gz": DATA / f"{stem}.log.gz",
            "truth": DATA / f"{stem}.truth.json", "stamp": DATA / f"{stem}.stamp"}


def ensure_data(lines: int, seed: int) -> dict[str, Path]:
    """Generates the log, its truth and its gzipped twin, or reuses them when the cached copy
    was made by the same generator source with the same arguments."""
    DATA.mkdir(parents=True, exist_ok=True)
    files = data_files(lines, seed)
    rate = lines / SECONDS_PER_DAY
    gen_args = ["--lines", str(lines), "--seed", str(seed), "--start", START, "--rate", repr(rate),
                "--format", FORMAT, "--tz", "+0100"]
    stamp = hashlib.sha256(GENERATOR.read_bytes() + repr(gen_args).encode()).hexdigest()
    if all(files[k].exists() for k in ("log", "gz", "truth", "stamp")) and files["stamp"].read_text().strip() == stamp:
        log(f"reusing cached data in {DATA}")
        return files
    files["stamp"].unlink(missing_ok=True)
    log(f"generating {lines:,} lines -> {files['log']}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(GENERATOR), *gen_args, "--out", str(files["log"]),
                    "--truth", str(files["truth"])], check=True)
    log(f"  generated in {time.perf_counter() - t0:.1f}s")
    log(f"compressing -> {files['gz']}")
    t0 = time.perf_counter()
    tmp = files["gz"].with_suffix(".gz.tmp")
    if shutil.which("gzip"):
        with open(tmp, "wb") as f:
            subprocess.run(["gzip", "-c", str(files["log"])], stdout=f, check=True)
    else:
        import gzip
        with open(files["log"], "rb") as src, gzip.open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(files["gz"])
    log(f"  compressed in {time.perf_counter() - t0:.1f}s")
    files["stamp"].write_text(stamp + "\n")
    return files


# ----------------------------------------------------------------------------------------------
# Checking logsift's JSON against the truth (defensive: the schema may still be moving)
# ----------------------------------------------------------------------------------------------
def dig(doc, dotted: str):
    cur = doc
    for part in dotted.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


def first_of(doc, candidates: list[str]):
    for c in candidates:
        v = dig(doc, c)
        if v is not None and not isinstance(v, (dict, list)):
            return c, v
    return None, None


def check_report(stdout_path: Path, truth: dict, label: str) -> list[str]:
    """Returns a list of check lines ('ok ...', 'MISMATCH ...', 'warning ...'); never raises."""
    notes: list[str] = []
    try:
        text = stdout_path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        return [f"warning: {label}: cannot read output: {e}"]
    try:
        doc = json.loads(text)
    except ValueError:
        # Maybe JSON lines: take the last line that parses as an object.
        doc = None
        for line in reversed(text.splitlines()):
            try:
                doc = json.loads(line)
                break
            except ValueError:
                continue
        if not isinstance(doc, dict):
            return [f"warning: {label}: output is not JSON ({len(text)} bytes, starts {text[:60]!r}); no truth check"]
    if not isinstance(doc, dict):
        return [f"warning: {label}: JSON output is not an object; no truth check"]

    checks = [
        ("requests (matched lines)", truth["matched"],
         ["total.requests", "totals.requests", "summary.requests", "traffic.requests", "requests.total",
          "total.matched", "totals.matched", "matched", "requests"]),
        ("unmatched lines", truth["unmatched"],
         ["total.unmatched", "totals.unmatched", "summary.unmatched", "input.unmatched", "unmatched.count",
          "unmatched"]),
        ("bytes", truth["bytes_total"],
         ["total.bytes", "totals.bytes", "summary.bytes", "total.body_bytes_sent", "bytes"]),
    ]
    lat = truth.get("latency") or {}
    for q in ("p50", "p95", "p99"):
        if lat.get(q) is not None:
            checks.append((f"latency {q} (s)", lat[q],
                           [f"total.latency.{q}", f"totals.latency.{q}", f"summary.latency.{q}",
                            f"total.request_time.{q}", f"latency.{q}"]))
    found_any = False
    for name, expected, candidates in checks:
        key, got = first_of(doc, candidates)
        if key is None:
            notes.append(f"warning: {label}: no key for {name} (tried {', '.join(candidates[:4])}, ...)")
            continue
        found_any = True
        if isinstance(expected, float) and isinstance(got, (int, float)):
            # Sketch-based percentiles may be approximate: report the relative error.
            rel = abs(got - expected) / expected if expected else abs(got)
            tag = "ok" if rel <= 0.01 else ("close" if rel <= 0.05 else "MISMATCH")
            notes.append(f"{tag}: {label}: {name} {key}={got} truth={expected} (rel err {rel:.2%})")
        else:
            tag = "ok" if got == expected else "MISMATCH"
            notes.append(f"{tag}: {label}: {name} {key}={got} truth={expected}")
    if not found_any:
        notes.append(f"warning: {label}: JSON has none of the expected keys; top-level keys: {sorted(doc)[:15]}")

    # Count maps, compared without their zero entries.
    for name, expected, candidates in (("status counts", truth["status"], ["total.status", "totals.status", "status"]),
                                       ("class counts", truth["classes"], ["total.classes", "totals.classes", "classes"])):
        got = next((dig(doc, c) for c in candidates if isinstance(dig(doc, c), dict)), None)
        if got is None:
            notes.append(f"warning: {label}: no {name} map")
            continue
        got = {str(k): v for k, v in got.items() if v}
        diff = {k: (got.get(k), expected.get(k)) for k in sorted(set(got) | set(expected)) if got.get(k) != expected.get(k)}
        notes.append(f"ok: {label}: {name} match" if not diff else f"MISMATCH: {label}: {name} (got, truth): {diff}")

    # Per-bucket request counts, when the bucket widths agree.
    buckets = doc.get("buckets")
    if isinstance(buckets, list) and doc.get("bucket_seconds") == truth.get("bucket_seconds"):
        got = {b.get("start"): b.get("count") for b in buckets if isinstance(b, dict) and b.get("count")}
        expected = {b["start"]: b["count"] for b in truth["buckets"]}
        bad = [k for k in sorted(set(got) | set(expected)) if got.get(k) != expected.get(k)]
        notes.append(f"ok: {label}: {len(expected)} bucket counts match" if not bad else
                     f"MISMATCH: {label}: {len(bad)} of {len(expected)} buckets differ, first {bad[0]}: "
                     f"got {got.get(bad[0])} truth {expected.get(bad[0])}")
    elif isinstance(buckets, list):
        notes.append(f"warning: {label}: bucket width {doc.get('bucket_seconds')} != truth {truth.get('bucket_seconds')}; buckets not checked")

    # Top paths (templated), when listed with counts.
    top = dig(doc, "top_paths.by_count") or (doc.get("top_paths") if isinstance(doc.get("top_paths"), list) else None)
    if isinstance(top, list) and top:
        bad = [(p.get("path"), p.get("count"), truth["paths"].get(p.get("path")))
               for p in top if isinstance(p, dict) and p.get("count") != truth["paths"].get(p.get("path"))]
        notes.append(f"ok: {label}: counts of the {len(top)} top paths match" if not bad else
                     f"MISMATCH: {label}: top paths (path, got, truth): {bad[:5]}")
    return notes


# ----------------------------------------------------------------------------------------------
# goaccess
# ----------------------------------------------------------------------------------------------
def goaccess_argv(log_path: Path, out_json: Path) -> list[str]:
    return ["goaccess", str(log_path), "--no-global-config", "--no-progress",
            f"--log-format={GOACCESS_LOG_FORMAT}", "--date-format=%d/%b/%Y", "--time-format=%H:%M:%S",
            "-o", str(out_json)]


def check_goaccess(out_json: Path, truth: dict) -> list[str]:
    try:
        g = json.loads(out_json.read_text())["general"]
    except (OSError, ValueError, KeyError) as e:
        return [f"warning: goaccess: cannot read its JSON: {e}"]
    notes = []
    for name, key, expected in (("valid requests", "valid_requests", truth["matched"]),
                                ("failed requests", "failed_requests", truth["unmatched"]),
                                ("bandwidth", "bandwidth", truth["bytes_total"])):
        got = g.get(key)
        notes.append(f"{'ok' if got == expected else 'MISMATCH'}: goaccess: {name} {key}={got} truth={expected}")
    return notes


# ----------------------------------------------------------------------------------------------
def allocations_per_line(binary: Path, log_path: Path, lines: int) -> str | None:
    """Heap allocations per line in steady state: logsift runs under Benchmarks/malloc_count.c
    on every tenth line of the log (the same time span, so the same buckets) and on the whole of
    it; the difference in allocations over the difference in lines is what each further line
    costs (the design target is 0)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return "allocations per line: not measured (no C compiler)"
    shim = DATA / "malloc_count.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(shim), str(HERE / "malloc_count.c"), "-ldl"], check=True)
    short = DATA / "alloc-short.log"
    short_lines = max(1, lines // 10)
    with open(log_path, "rb") as src, open(short, "wb") as dst:
        short_lines = 0
        for i, line in enumerate(src):
            if i % 10 == 0:
                dst.write(line)
                short_lines += 1
    counts = []
    for path in (short, log_path):
        for jobs in ("1", "2"):
            proc = subprocess.run([str(binary), "report", "--format", "json", "--jobs", jobs, str(path)],
                                  env={**os.environ, "LD_PRELOAD": str(shim)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            found = [int(l.split(":")[1]) for l in proc.stderr.splitlines() if l.startswith("logsift-malloc-count:")]
            counts.append(found[-1] if found else -1)
    short.unlink(missing_ok=True)
    if -1 in counts:
        return "allocations per line: not measured (the shim printed nothing)"
    per1 = (counts[2] - counts[0]) / (lines - short_lines)
    per2 = (counts[3] - counts[1]) / (lines - short_lines)
    return (f"heap allocations: {counts[0]:,} for {short_lines:,} lines, {counts[2]:,} for {lines:,} lines (1 job); "
            f"{counts[1]:,} / {counts[3]:,} (2 jobs) -> {per1:.4f} and {per2:.4f} per line in steady state")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=2_000_000, help="lines in the generated log (default 2,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="runs per command; the best time is kept (default 3)")
    ap.add_argument("--binary", type=Path, help="logsift binary to use (default: build it in release)")
    ap.add_argument("--keep-data", action="store_true",
                    help=f"keep the generated data in {DATA.relative_to(ROOT)}/ so the next run reuses it")
    ap.add_argument("--skip-goaccess", action="store_true", help="do not run goaccess")
    ap.add_argument("--results", type=Path, help="also write the measurements as JSON to this file")
    ap.add_argument("--skip-allocations", action="store_true",
                    help="do not count heap allocations per line (needs a C compiler)")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.lines < 1:
        ap.error("--runs and --lines must be >= 1")

    binary = args.binary.resolve() if args.binary else build_logsift()
    if not binary.exists():
        sys.exit(f"bench: {binary} does not exist")

    files = ensure_data(args.lines, args.seed)
    truth = json.loads(files["truth"].read_text())
    plain_bytes = files["log"].stat().st_size
    gz_bytes = files["gz"].stat().st_size
    lines = truth["lines"]

    floor = rss_floor_kib()
    tmp = Path(tempfile.mkdtemp(prefix="logsift-bench-"))
    rows = []
    notes: list[str] = []
    try:
        for label, path, disk in (("plain", files["log"], plain_bytes), ("gzip", files["gz"], gz_bytes)):
            log(f"logsift report --format json {path.name}")
            out = tmp / f"logsift-{label}.json"
            r = best_of([str(binary), "report", "--format", "json", str(path)], args.runs, out, f"logsift {label}")
            if r["failed"]:
                notes.append(f"warning: logsift {label}: exit {r['exit']}: {r['stderr'].strip()[:300]}")
            else:
                notes.extend(check_report(out, truth, f"logsift {label}"))
            rows.append({"tool": "logsift", "input": path.name, "disk_bytes": disk, "result": r})

        ga = None
        if not args.skip_goaccess:
            if shutil.which("goaccess") is None:
                notes.append("warning: goaccess not found; comparison skipped")
            else:
                log(f"goaccess {files['log'].name} -o json")
                out_json = tmp / "goaccess.json"
                ga = best_of(goaccess_argv(files["log"], out_json), args.runs, None, "goaccess")
                if ga["failed"]:
                    notes.append(f"warning: goaccess: exit {ga['exit']}: {ga['stderr'].strip()[:300]}")
                else:
                    notes.extend(check_goaccess(out_json, truth))
                rows.append({"tool": "goaccess", "input": files["log"].name, "disk_bytes": plain_bytes, "result": ga})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    allocation_line = None if args.skip_allocations else allocations_per_line(binary, files["log"], lines)

    # ---- table ---------------------------------------------------------------------------------
    print()
    print(f"logsift benchmark: {lines:,} lines of nginx {FORMAT}, {plain_bytes / 1e6:.1f} MB plain "
          f"({gz_bytes / 1e6:.1f} MB gzip); best of {args.runs} runs; MB = 10^6 bytes of uncompressed log")
    print(f"binary: {binary}")
    print(f"peak RSS is ru_maxrss from wait4; measurement floor (the same spawn of /bin/true): {floor / 1024:.1f} MB")
    header = f"{'tool':<9} {'input':<34} {'size MB':>8} {'lines':>10} {'seconds':>8} {'MB/s':>8} {'lines/s':>11} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for row in rows:
        r = row["result"]
        s = r["seconds"]
        status = "" if not r["failed"] else f"  (failed: exit {r['exit']})"
        print(f"{row['tool']:<9} {row['input']:<34} {row['disk_bytes'] / 1e6:>8.1f} {lines:>10,} {s:>8.2f} "
              f"{plain_bytes / 1e6 / s:>8.1f} {lines / s:>11,.0f} {r['peak_rss_kib'] / 1024:>12.1f}{status}")
    plain = rows[0]["result"]
    if ga is not None and not ga["failed"] and not plain["failed"]:
        print(f"\ngoaccess / logsift (plain): {ga['seconds']:.2f}s / {plain['seconds']:.2f}s = "
              f"{ga['seconds'] / plain['seconds']:.2f}x")
    elif ga is not None:
        print("\ngoaccess / logsift ratio: not available (a run failed)")
    if allocation_line:
        print(allocation_line)
    print()
    for n in notes:
        print(n)

    if args.results:
        args.results.write_text(json.dumps({
            "lines": lines, "format": FORMAT, "plain_bytes": plain_bytes, "gzip_bytes": gz_bytes,
            "runs": args.runs, "binary": str(binary),
            "rows": [{"tool": row["tool"], "input": row["input"], "disk_bytes": row["disk_bytes"],
                      "seconds": round(row["result"]["seconds"], 4), "all_runs": row["result"]["runs"],
                      "peak_rss_kib": row["result"]["peak_rss_kib"], "failed": row["result"]["failed"]}
                     for row in rows],
            "checks": notes}, indent=2) + "\n")

    if not args.keep_data:
        for p in files.values():
            p.unlink(missing_ok=True)
        log(f"removed the generated data (use --keep-data to keep it in {DATA.relative_to(ROOT)}/)")
    return 1 if any(row["result"]["failed"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
