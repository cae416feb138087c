#!/usr/bin/env python3
"""logsift benchmark: `logsift report` and `logsift query` on a generated nginx log, plain and
gzipped, next to floors built and measured in the same run (a C loop matching logsift's own
regex with PCRE2-JIT, a C zlib inflate loop) and peers where installed (rg, lnav, goaccess).

    python3 Benchmarks/bench.py                      # build, generate 2,000,000 lines, run all
    python3 Benchmarks/bench.py --keep-data          # keep Benchmarks/data/ for the next run
    python3 Benchmarks/bench.py --binary .build/release/logsift --skip-goaccess
    python3 Benchmarks/bench.py --lines 200000 --runs 1

Each command runs --runs times (default 5); the median wall and CPU time are reported, the peak RSS
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


def median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def measure(argv: list[str], runs: int, stdout_path: Path | None, label: str) -> dict:
    """Runs argv `runs` times; keeps the median wall and CPU (user + sys) seconds, and the
    largest peak RSS. A failed run stops the series and marks it failed."""
    results = []
    for i in range(runs):
        r = run_measured(argv, stdout_path)
        log(f"  {label} run {i + 1}/{runs}: {r['seconds']:.2f}s wall, {r['user'] + r['sys']:.2f}s cpu, "
            f"rss {r['maxrss_kib'] / 1024:.0f} MB, exit {r['exit']}")
        results.append(r)
        if r["exit"] != 0:
            break
    out = {"seconds": median([r["seconds"] for r in results]),
           "cpu": median([r["user"] + r["sys"] for r in results]),
           "peak_rss_kib": max(r["maxrss_kib"] for r in results),
           "runs": [round(r["seconds"], 3) for r in results],
           "failed": any(r["exit"] != 0 for r in results), "exit": 0, "stderr": ""}
    if out["failed"]:
        failed = next(r for r in results if r["exit"] != 0)
        out["exit"] = failed["exit"]
        out["stderr"] = failed["stderr"]
    return out


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
def allocations_per_line(binary: Path, log_path: Path, lines: int) -> tuple[str, tuple[float, float] | None]:
    """Heap allocations per line in steady state: logsift runs under Benchmarks/malloc_count.c
    on every tenth line of the log (the same time span, so the same buckets) and on the whole of
    it; the difference in allocations over the difference in lines is what each further line
    costs (the design target is 0)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return "allocations per line: not measured (no C compiler)", None
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
        return "allocations per line: not measured (the shim printed nothing)", None
    per1 = (counts[2] - counts[0]) / (lines - short_lines)
    per2 = (counts[3] - counts[1]) / (lines - short_lines)
    return (f"heap allocations: {counts[0]:,} for {short_lines:,} lines, {counts[2]:,} for {lines:,} lines (1 job); "
            f"{counts[1]:,} / {counts[3]:,} (2 jobs) -> {per1:.4f} and {per2:.4f} per line in steady state"), (per1, per2)


def distinct_counts(log_path: Path) -> tuple[int, int]:
    """Distinct raw paths (query string cut) and client addresses: the log's cardinality, which
    the path table and sketches must not be slowed by."""
    paths, clients = set(), set()
    with open(log_path, "rb") as f:
        for line in f:
            head, _, rest = line.partition(b" ")
            clients.add(head)
            q = rest.find(b'"')
            parts = rest[q + 1:].split(b" ", 2)
            if len(parts) > 1:
                paths.add(parts[1].partition(b"?")[0])
    return len(paths), len(clients)


def build_floors() -> dict[str, Path] | str:
    """Compiles the C floors (Benchmarks/floors/*.c) into the data folder; a string says why not."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return "no C compiler"
    try:
        pcre_flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libpcre2-8"], check=True,
                                    capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return "pkg-config libpcre2-8 failed (install libpcre2-dev)"
    DATA.mkdir(parents=True, exist_ok=True)
    out = {"pcre2": DATA / "pcre2_loop", "inflate": DATA / "inflate_loop"}
    subprocess.run([cc, "-O2", "-o", str(out["pcre2"]), str(HERE / "floors" / "pcre2_loop.c"), *pcre_flags], check=True)
    subprocess.run([cc, "-O2", "-o", str(out["inflate"]), str(HERE / "floors" / "inflate_loop.c"), "-lz"], check=True)
    return out


def access_regex(binary: Path, log_path: Path) -> str | None:
    """The PCRE2 pattern logsift itself matches this log with (`detect --format json`)."""
    p = subprocess.run([str(binary), "detect", "--format", "json", str(log_path)], capture_output=True, text=True)
    try:
        return json.loads(p.stdout)[0].get("regex")
    except (ValueError, IndexError, AttributeError):
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=2_000_000, help="lines in the generated log (default 2,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5, help="runs per command; the median is kept (default 5)")
    ap.add_argument("--binary", type=Path, help="logsift binary to use (default: build it in release)")
    ap.add_argument("--keep-data", action="store_true",
                    help=f"keep the generated data in {DATA.relative_to(ROOT)}/ so the next run reuses it")
    ap.add_argument("--skip-goaccess", action="store_true", help="do not run goaccess")
    ap.add_argument("--skip-peers", action="store_true", help="do not run goaccess, lnav or rg")
    ap.add_argument("--compare", type=Path, metavar="BINARY",
                    help="also time the report rows with this other logsift binary (e.g. the build before a change)")
    ap.add_argument("--results", type=Path, help="also write the measurements as JSON to this file")
    ap.add_argument("--skip-allocations", action="store_true",
                    help="do not count heap allocations per line (needs a C compiler)")
    ap.add_argument("--max-allocations-per-line", type=float, default=0.01,
                    help="fail when steady-state heap allocations per line exceed this (default 0.01)")
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
    log_path, gz_path = str(files["log"]), str(files["gz"])

    floor = rss_floor_kib()
    floors = build_floors()
    regex = access_regex(binary, files["log"])
    tmp = Path(tempfile.mkdtemp(prefix="logsift-bench-"))
    # (group, label, argv, disk bytes, floor label or None, JSON output checked against the truth)
    commands: list[tuple[str, str, list[str], int, str | None, bool]] = []
    notes: list[str] = []
    if isinstance(floors, str):
        notes.append(f"warning: floors not built: {floors}; no ratios")
    else:
        if regex:
            commands.append(("floor", "C loop: PCRE2-JIT, logsift's regex, 1 core",
                             [str(floors["pcre2"]), regex, log_path], plain_bytes, None, False))
        else:
            notes.append("warning: logsift detect printed no regex; no PCRE2 floor")
        commands.append(("floor", "C loop: zlib inflate of the .gz, 1 core", [str(floors["inflate"]), gz_path], gz_bytes, None, False))
    pcre = "C loop: PCRE2-JIT, logsift's regex, 1 core" if regex and not isinstance(floors, str) else None
    inflate = None if isinstance(floors, str) else "C loop: zlib inflate of the .gz, 1 core"
    q_agg = "status >= 500 | count, p95(request_time) by path"
    commands += [
        ("logsift", "report --format json (2 cores)", [str(binary), "report", "--format", "json", log_path], plain_bytes, pcre, True),
        ("logsift", "report --format json --jobs 1", [str(binary), "report", "--format", "json", "--jobs", "1", log_path], plain_bytes, pcre, True),
        ("logsift", "report --format json FILE.gz", [str(binary), "report", "--format", "json", gz_path], gz_bytes, inflate, True),
        ("logsift", f"query '{q_agg}'", [str(binary), "query", "--format", "json", q_agg, log_path], plain_bytes, pcre, False),
        ("logsift", "query 'status >= 500' (lines printed)", [str(binary), "query", "status >= 500", log_path], plain_bytes, pcre, False),
    ]
    if args.compare:
        other = str(args.compare.resolve())
        commands += [
            ("compare", "[compare] report --format json (2 cores)", [other, "report", "--format", "json", log_path], plain_bytes, pcre, True),
            ("compare", "[compare] report --format json --jobs 1", [other, "report", "--format", "json", "--jobs", "1", log_path], plain_bytes, pcre, True),
            ("compare", "[compare] report --format json FILE.gz", [other, "report", "--format", "json", gz_path], gz_bytes, inflate, True),
        ]
    if not args.skip_peers:
        if shutil.which("rg"):
            commands.append(("peer", "rg -c ' 50[0-9] '", ["rg", "-c", " 50[0-9] ", log_path], plain_bytes, pcre, False))
        else:
            notes.append("note: rg not installed (apt-get install ripgrep); no rg row")
        if shutil.which("lnav"):
            commands.append(("peer", "lnav: count by minute (SQL)", ["lnav", "-n", "-c",
                             ";SELECT count(*) FROM access_log GROUP BY strftime('%Y-%m-%d %H:%M', log_time)", log_path],
                             plain_bytes, pcre, False))
        else:
            notes.append("note: lnav not installed; no lnav row")
        if not args.skip_goaccess and shutil.which("goaccess"):
            commands.append(("peer", "goaccess -o json", goaccess_argv(files["log"], tmp / "goaccess.json"), plain_bytes, pcre, False))
        elif not args.skip_goaccess:
            notes.append("note: goaccess not installed; no goaccess row")

    rows = []
    try:
        for group, label, cmd, disk, floor_label, check in commands:
            log(f"{label}")
            out = tmp / "out.json"
            r = measure(cmd, args.runs, out, label)
            if r["failed"]:
                notes.append(f"warning: {label}: exit {r['exit']}: {r['stderr'].strip()[:300]}")
            elif check:
                notes.extend(check_report(out, truth, label))
            elif label.startswith("goaccess"):
                notes.extend(check_goaccess(tmp / "goaccess.json", truth))
            rows.append({"group": group, "label": label, "argv": cmd, "disk_bytes": disk, "floor": floor_label, "result": r})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    allocation_line, per_line = (None, None) if args.skip_allocations else allocations_per_line(binary, files["log"], lines)

    distinct = distinct_counts(files["log"])

    # ---- table ---------------------------------------------------------------------------------
    by_label = {row["label"]: row["result"] for row in rows}
    print()
    print(f"logsift benchmark: {lines:,} lines of nginx {FORMAT}, {plain_bytes / 1e6:.1f} MB plain "
          f"({gz_bytes / 1e6:.1f} MB gzip), {distinct[0]:,} distinct raw paths, {distinct[1]:,} clients; "
          f"median of {args.runs} runs; MB/s = 10^6 bytes of uncompressed log per wall second")
    print(f"binary: {binary}{'; [compare]: ' + str(args.compare) if args.compare else ''}; machine: {os.cpu_count()} cores; command: python3 Benchmarks/bench.py "
          + " ".join(a for a in (argv if argv is not None else sys.argv[1:])))
    print(f"peak RSS is ru_maxrss from wait4 (floor for /bin/true: {floor / 1024:.1f} MB); "
          "ratios are wall/wall and cpu/cpu against the floor row named")
    header = f"| {'command':<52} | {'wall s':>7} | {'cpu s':>7} | {'MB/s':>7} | {'RSS MB':>7} | {'wall ÷ floor':>12} | {'cpu ÷ floor':>11} |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for row in rows:
        r = row["result"]
        ratio_wall = ratio_cpu = "-"
        f = by_label.get(row["floor"]) if row["floor"] else None
        if f and not f["failed"] and not r["failed"]:
            ratio_wall = f"{r['seconds'] / f['seconds']:.2f}×"
            ratio_cpu = f"{r['cpu'] / f['cpu']:.2f}×" if f["cpu"] > 0 else "-"
        status = "" if not r["failed"] else f" (failed: exit {r['exit']})"
        label = row['label'][:60].replace("|", "\\|")  # a Markdown table cell
        print(f"| {label:<52} | {r['seconds']:>7.2f} | {r['cpu']:>7.2f} | {plain_bytes / 1e6 / r['seconds']:>7.0f} | "
              f"{r['peak_rss_kib'] / 1024:>7.1f} | {ratio_wall:>12} | {ratio_cpu:>11} |{status}")
    print("floors: " + "; ".join(f"{k}" for k in (pcre, inflate) if k))
    if allocation_line:
        print(allocation_line)
    print()
    for n in notes:
        print(n)

    if args.results:
        args.results.write_text(json.dumps({
            "lines": lines, "format": FORMAT, "plain_bytes": plain_bytes, "gzip_bytes": gz_bytes,
            "runs": args.runs, "binary": str(binary), "allocations_per_line": per_line,
            "rows": [{"group": row["group"], "label": row["label"], "disk_bytes": row["disk_bytes"],
                      "seconds": round(row["result"]["seconds"], 4), "cpu": round(row["result"]["cpu"], 4),
                      "all_runs": row["result"]["runs"], "floor": row["floor"],
                      "peak_rss_kib": row["result"]["peak_rss_kib"], "failed": row["result"]["failed"]}
                     for row in rows],
            "checks": notes}, indent=2) + "\n")

    if not args.keep_data:
        for p in files.values():
            p.unlink(missing_ok=True)
        log(f"removed the generated data (use --keep-data to keep it in {DATA.relative_to(ROOT)}/)")
    failed = any(row["result"]["failed"] for row in rows if row["group"] in ("floor", "logsift"))
    mismatched = any(n.startswith("MISMATCH") for n in notes)
    if per_line is not None and max(per_line) > args.max_allocations_per_line:
        print(f"FAIL: steady-state allocations per line {max(per_line):.4f} exceed "
              f"--max-allocations-per-line {args.max_allocations_per_line}")
        failed = True
    return 1 if failed or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
