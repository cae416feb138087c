#!/usr/bin/env python3
"""Generates an application log with known truth, for logsift's application-log benchmark.

    python3 Benchmarks/generate_applog.py --mb 200 --seed 1 --out Benchmarks/data/app-200mb-seed1.log

Writes the log and `<out>.truth.json`. The log is one day (2026-11-24, times written without a
zone: read them with `--tz UTC`) of `app-text` lines in two layouts that share a file, as a
Java service and a Python worker behind one log collector would:

    2026-11-24 10:00:00.123 [http-nio-8080-exec-7] ERROR c.e.orders.OrderService - order 48213 failed: ...
    2026-11-24 10:00:00,123 - worker.jobs - WARNING - job 8812 retry 2 of 5 after 1500 ms

Levels: DEBUG, INFO, WARN/WARNING, ERROR, FATAL/CRITICAL. WARN+ events come from a fixed set of
message templates whose variable parts are numbers, ids, UUIDs, IPv4/IPv6 addresses with
ports, durations, e-mail addresses, paths with ids, hex and user names; some ERROR/FATAL events
carry a Java stack trace (with `Caused by:` and `... N more`) or a Python traceback.

Truth (exact, computed while writing): events, events per level, continuation lines, and for
each WARN+ template its count, first and last time (epoch seconds) and level.
Python 3.9+, stdlib only; deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

START = 1795478400  # 2026-11-24T00:00:00Z
DAY = 86400

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar",
         "peggy", "trent", "victor", "walter", "svc_batch", "svc_sync", "admin", "root"]
HOSTS = ["db-1.prod.example.com", "db-2.prod.example.com", "cache-3.prod.example.com", "api.payments.example.net"]


def ip(r: random.Random) -> str:
    return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


def ip6(r: random.Random) -> str:
    return "2001:db8:" + ":".join(f"{r.randrange(65536):x}" for _ in range(3)) + "::" + f"{r.randrange(1, 65536):x}"


def uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hexs(r: random.Random, n: int) -> str:
    return f"{r.getrandbits(4 * n):0{n}x}"


# (id, level, java?, weight, make(r) -> message, trace kind or None)
TEMPLATES = [
    ("order_failed", "ERROR", True, 30, lambda r: f"order {r.randrange(10**6)} failed: payment gateway returned {r.choice([502, 503, 504])}", "java"),
    ("db_timeout", "ERROR", True, 20, lambda r: f"query timed out after {r.randrange(1, 60)}s on {r.choice(HOSTS)}:5432 (pool {r.randrange(1, 9)}/8 busy)", "java"),
    ("user_not_found", "WARN", True, 40, lambda r: f"user {uuid(r)} not found in tenant {r.randrange(1000)}", None),
    ("login_failed", "WARN", True, 35, lambda r: f"login failed for {r.choice(USERS)} from {ip(r)}:{r.randrange(1024, 65535)}", None),
    ("cache_miss", "WARN", True, 25, lambda r: f"cache miss for key session:{hexs(r, 16)} took {r.randrange(1, 900)}ms", None),
    ("upstream_reset", "ERROR", True, 15, lambda r: f"connection reset by peer [{ip6(r)}]:{r.randrange(1024, 65535)} while reading response", "java"),
    ("mail_bounce", "WARN", True, 10, lambda r: f"mail to {r.choice(USERS)}{r.randrange(100)}@example.org bounced: 550 mailbox unavailable", None),
    ("file_missing", "ERROR", True, 8, lambda r: f"cannot open /var/data/tenants/{r.randrange(10**5)}/exports/{uuid(r)}.csv: No such file or directory", None),
    ("oom_killed", "FATAL", True, 2, lambda r: f"worker pool exhausted: {r.randrange(200, 400)} threads blocked, heap {r.randrange(90, 100)}% of {r.choice([2048, 4096])} MB", "java"),
    ("rate_limited", "WARN", True, 20, lambda r: f"rate limit exceeded for api key {hexs(r, 24)} ({r.randrange(100, 1000)} req/min)", None),
    ("job_retry", "WARNING", False, 30, lambda r: f"job {r.randrange(10**5)} retry {r.randrange(1, 5)} of 5 after {r.randrange(100, 5000)} ms", None),
    ("job_crashed", "ERROR", False, 18, lambda r: f"job {r.randrange(10**5)} crashed in step {r.choice(['fetch', 'parse', 'store'])}", "python"),
    ("s3_denied", "ERROR", False, 7, lambda r: f"S3 PutObject denied for s3://exports-{r.randrange(10)}/{uuid(r)}.json (request id {hexs(r, 16).upper()})", None),
    ("disk_full", "CRITICAL", False, 1, lambda r: f"disk /var/lib/worker is {r.randrange(95, 100)}% full, {r.randrange(1, 900)} MB left", "python"),
    ("slow_task", "WARNING", False, 22, lambda r: f"task {r.choice(['resize', 'thumbnail', 'transcode'])} for {r.choice(USERS)} took {r.randrange(5, 120)}.{r.randrange(10)}s (limit 5s)", None),
]

INFO_JAVA = [
    lambda r: f"GET /api/orders/{r.randrange(10**6)} 200 in {r.randrange(1, 400)} ms",
    lambda r: f"order {r.randrange(10**6)} created for customer {r.randrange(10**5)}",
    lambda r: f"health check ok ({r.randrange(1, 50)} ms)",
]
INFO_PY = [
    lambda r: f"job {r.randrange(10**5)} done in {r.randrange(10, 9000)} ms",
    lambda r: f"fetched {r.randrange(1, 500)} rows from {r.choice(['orders', 'users', 'invoices'])}",
]
DEBUG_LINES = [
    lambda r: f"cache hit key=user:{r.randrange(10**5)}",
    lambda r: f"sql: SELECT * FROM orders WHERE id = {r.randrange(10**6)}",
]

JAVA_FRAMES = [
    "com.example.orders.OrderService.place(OrderService.java:{})",
    "com.example.orders.OrderController.create(OrderController.java:{})",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:{})",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:{})",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:{})",
    "java.base/java.lang.Thread.run(Thread.java:{})",
]


def java_trace(r: random.Random) -> list[str]:
    lines = [f"java.lang.IllegalStateException: {r.choice(['gateway error', 'timeout', 'closed'])}"]
    for f in r.sample(JAVA_FRAMES, r.randrange(3, len(JAVA_FRAMES) + 1)):
        lines.append("\tat " + f.format(r.randrange(20, 900)))
    if r.random() < 0.6:
        lines.append(f"Caused by: java.net.SocketTimeoutException: Read timed out after {r.randrange(1000, 30000)} ms")
        lines.append("\tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:{})".format(r.randrange(200, 400)))
        lines.append(f"\t... {r.randrange(5, 40)} more")
    return lines


def python_trace(r: random.Random) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for name in r.sample(["run", "step", "store", "fetch"], r.randrange(2, 4)):
        lines.append(f'  File "/app/worker/{name}.py", line {r.randrange(10, 300)}, in {name}')
        lines.append(f"    result = {name}(job)")
    lines.append(r.choice(["ValueError: bad input", "KeyError: 'tenant'", "TimeoutError: timed out"]))
    return lines


def stamp(t_ms: int, python: bool) -> str:
    s, ms = divmod(t_ms, 1000)
    d = s - START
    hh, rem = divmod(d, 3600)
    mm, ss = divmod(rem, 60)
    sep = "," if python else "."
    return f"2026-11-24 {hh:02d}:{mm:02d}:{ss:02d}{sep}{ms:03d}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200.0, help="approximate size in MB (10^6 bytes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    r = random.Random(args.seed)
    target = int(args.mb * 1_000_000)
    # Time advances with the bytes written, so the events fill the day evenly.
    approx = 0

    levels_truth = {"debug": 0, "info": 0, "warn": 0, "error": 0, "fatal": 0}
    norm = {"DEBUG": "debug", "INFO": "info", "WARN": "warn", "WARNING": "warn", "ERROR": "error",
            "FATAL": "fatal", "CRITICAL": "fatal"}
    groups = {t[0]: {"count": 0, "first": None, "last": None, "level": norm[t[1]]} for t in TEMPLATES}
    weights = [t[3] for t in TEMPLATES]
    events = 0
    continuation = 0
    written = 0
    t_ms = START * 1000
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        buf: list[str] = []
        while approx < target:
            t_ms = min(START * 1000 + DAY * 1000 - 1, START * 1000 + (DAY * 1000 * approx) // target)
            roll = r.random()
            trace: list[str] = []
            if roll < 0.12:
                tid, level, java, _, make, kind = r.choices(TEMPLATES, weights)[0]
                message = make(r)
                g = groups[tid]
                sec = t_ms // 1000
                g["count"] += 1
                g["first"] = sec if g["first"] is None else g["first"]
                g["last"] = sec
                if kind == "java" and r.random() < 0.5:
                    trace = java_trace(r)
                elif kind == "python" and r.random() < 0.7:
                    trace = python_trace(r)
            elif roll < 0.27:
                level, java = "DEBUG", r.random() < 0.5
                message = r.choice(DEBUG_LINES)(r)
            else:
                level, java = "INFO", r.random() < 0.6
                message = r.choice(INFO_JAVA if java else INFO_PY)(r)
            if java:
                thread = f"http-nio-8080-exec-{r.randrange(1, 200)}"
                logger = "c.e.orders.OrderService" if level != "INFO" else "c.e.web.RequestLog"
                line = f"{stamp(t_ms, False)} [{thread}] {level:<5} {logger} - {message}"
            else:
                line = f"{stamp(t_ms, True)} - worker.jobs - {level} - {message}"
            buf.append(line)
            buf.extend(trace)
            approx += len(line) + 1 + sum(len(x) + 1 for x in trace)
            events += 1
            continuation += len(trace)
            levels_truth[norm[level]] += 1
            if len(buf) >= 4096:
                chunk = "\n".join(buf) + "\n"
                f.write(chunk)
                written += len(chunk.encode("utf-8"))
                buf = []
        if buf:
            chunk = "\n".join(buf) + "\n"
            f.write(chunk)
            written += len(chunk.encode("utf-8"))
    truth = {
        "file": args.out.name, "bytes": written, "seed": args.seed, "zone": "UTC",
        "events": events, "levels": levels_truth, "continuation_lines": continuation,
        "error_rate": (levels_truth["error"] + levels_truth["fatal"]) / events,
        "first_time": START, "last_time": t_ms // 1000,
        "groups": groups,
    }
    Path(str(args.out) + ".truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"wrote {args.out} ({written / 1e6:.1f} MB, {events} events)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
