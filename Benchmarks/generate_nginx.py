#!/usr/bin/env python3
"""Generate realistic nginx access logs together with their exact truth.

The truth (counts, status mix, latency percentiles per time bucket, templated paths) is
computed by this generator from the values it writes, independently of logsift, so logsift's
reports can be checked against it.

Example:
    python3 Benchmarks/generate_nginx.py --lines 2000000 --seed 1 --format combined_rt \\
        --out Benchmarks/data/access.log --truth Benchmarks/data/access.truth.json

Python 3.11+, standard library only. Deterministic for a given set of arguments.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import math
import random
import re
import sys
import time

FORMATS = ("combined", "main", "combined_rt", "combined_rt_upstream")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
QUANTILES = (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99))
# floor(q*(n-1)) computed in doubles and in exact integers agree for every n <= 2,000,000.
PERCENTILE_DEFINITION = "value at 0-based index floor(q*(n-1)) of the sorted request_time values"

# --------------------------------------------------------------------------------------------
# Path templating, exactly as logsift defines it (written here independently):
# the query string (from '?') is stripped; a whole '/'-separated segment becomes ':id' when it
# is all decimal digits, a UUID (8-4-4-4-12 hex), or all hex digits with length >= 8 and at
# least one decimal digit. Other segments are kept as written.
# --------------------------------------------------------------------------------------------
_DIGITS = re.compile(r"[0-9]+\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_HEX = re.compile(r"[0-9a-fA-F]{8,}\Z")
_HAS_DIGIT = re.compile(r"[0-9]")


def is_id_segment(seg: str) -> bool:
    if not seg:
        return False
    if _DIGITS.match(seg) or _UUID.match(seg):
        return True
    return bool(_HEX.match(seg) and _HAS_DIGIT.search(seg))


def template_path(path: str) -> str:
    path = path.split("?", 1)[0]
    return "/".join(":id" if is_id_segment(s) else s for s in path.split("/"))


def percentile(sorted_values: list[int], q100: int) -> int:
    """Value at 0-based index floor(q*(n-1)), q = q100/100 computed exactly in integers."""
    return sorted_values[(q100 * (len(sorted_values) - 1)) // 100]


def latency_summary(values_ms: list[int]) -> dict:
    if not values_ms:
        return {"count": 0, "p50": None, "p90": None, "p95": None, "p99": None, "max": None}
    v = sorted(values_ms)
    out = {"count": len(v)}
    for name, q in QUANTILES:
        out[name] = percentile(v, q) / 1000
    out["max"] = v[-1] / 1000
    return out


def classes_of(status_counts: dict[int, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s, n in status_counts.items():
        k = f"{s // 100}xx"
        out[k] = out.get(k, 0) + n
    return dict(sorted(out.items()))


def iso_utc(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------------
USER_AGENTS = [
    # (weight, user agent)
    (22, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (10, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.80"),
    (9, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (8, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    (12, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
    (10, "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36"),
    (3, "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36"),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"),
    (2, "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"),
    (2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"),
    (3, "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),
    (3, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    (1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"),
    (1, "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    (2, "ShopApp/4.12.1 (iPhone; iOS 18.1; Scale/3.00)"),
    (2, "okhttp/4.12.0"),
    (1, "python-requests/2.32.3"),
    (1, "curl/8.5.0"),
    (1, "Go-http-client/1.1"),
    (1, "Prometheus/2.55.1"),
    (1, "kube-probe/1.30"),
]

REFERRERS = [
    (40, "-"),
    (12, "https://shop.example.com/"),
    (8, "https://shop.example.com/products"),
    (5, "https://shop.example.com/cart"),
    (3, "https://shop.example.com/checkout"),
    (6, "https://www.google.com/"),
    (2, "https://www.bing.com/"),
    (2, "https://duckduckgo.com/"),
    (2, "https://shop.example.com/search?q=running+shoes&sort=price"),
    (1, "https://t.co/Xy7Qb2LmZk"),
    (1, "https://www.facebook.com/"),
    (1, "android-app://com.google.android.gm/"),
]

USERS = ["alice", "bob", "carol", "deploy", "admin", "ops"]

SEARCH_TERMS = ["shoes", "running+shoes", "jacket", "caf%C3%A9+mug", "usb-c+cable", "gift+card",
                "socks", "backpack", "rain+coat", "headphones"]

# Static assets: fixed size per file, so a file always has the same body size.
STATIC_ASSETS = [
    ("/static/js/app.js", 184_320), ("/static/js/vendor.js", 512_118), ("/static/js/runtime.js", 3_412),
    ("/static/css/main.css", 48_210), ("/static/css/print.css", 2_190),
    ("/static/img/logo.svg", 6_843), ("/static/img/hero.webp", 142_988), ("/static/img/sprite.png", 23_114),
    ("/static/fonts/inter.woff2", 98_304), ("/favicon.ico", 15_086), ("/robots.txt", 67),
]

SCANNER_PATHS = ["/wp-login.php", "/.env", "/.git/config", "/phpmyadmin/index.php",
                 "/admin/config.php", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
                 "/cgi-bin/luci/;stok=/locale", "/xmlrpc.php"]

TLS_JUNK = [
    r"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\x9A\x8F\xA7\x1B\x03\xE4\x8C\x10",
    r"\x16\x03\x01\x00\xF4\x01\x00\x00\xF0\x03\x03\xDA\x7F\x11\xB2\x05",
    r"\x05\x01\x00",
    "SSH-2.0-Go",
]

GARBAGE = [
    "{d} [error] 2817#2817: *{n} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.{a}.{b}, server: shop.example.com",
    "{d} [warn] 2817#2817: *{n} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/7/42/0000{n}",
    "nginx: [alert] could not open error log file: open() \"/var/log/nginx/error.log\" failed (13: Permission denied)",
    "*** log rotated by logrotate at {d} ***",
    "    at com.example.shop.api.OrderController.handle(OrderController.java:{a})",
]


def weighted_table(items, size, rng=None):
    """A lookup table of `size` entries where each value appears in proportion to its weight."""
    total = sum(w for w, _ in items)
    table = []
    acc = 0.0
    for i, (w, v) in enumerate(items):
        acc += w
        upto = size if i == len(items) - 1 else round(acc / total * size)
        table.extend([v] * (upto - len(table)))
    return table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=100_000, help="total lines written, garbage included")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2026-11-24T00:00:00Z", help="time of the first line (ISO 8601)")
    ap.add_argument("--rate", type=float, default=25.0, help="approximate lines per second")
    ap.add_argument("--format", choices=FORMATS, default="combined_rt")
    ap.add_argument("--tz", default="+0100", help="offset written in $time_local, e.g. +0100, -0500")
    ap.add_argument("--garbage-every", type=int, default=0, help="every K-th line is garbage (0 = none)")
    ap.add_argument("--burst", action="store_true", help="add a 5xx burst and a latency spike")
    ap.add_argument("--burst-start", default=None, help="ISO time of the burst (default: 60%% into the log)")
    ap.add_argument("--burst-seconds", type=int, default=None, help="burst length (default: 4%% of the span, 300..1800 s)")
    ap.add_argument("--bucket", type=int, default=60, help="truth bucket width in seconds")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    if args.lines < 0 or args.rate <= 0 or args.bucket <= 0 or args.garbage_every < 0:
        ap.error("--lines >= 0, --rate > 0, --bucket > 0, --garbage-every >= 0")
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", args.tz)
    if not m:
        ap.error("--tz must look like +0100")
    tz_sign = 1 if m.group(1) == "+" else -1
    tz_offset = tz_sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)
    tz_text = f"{m.group(1)}{m.group(2)}{m.group(3)}"

    def parse_time(s: str) -> float:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t.timestamp()

    start = parse_time(args.start)
    span = args.lines / args.rate
    burst_lo = burst_hi = None
    if args.burst:
        burst_lo = math.floor(parse_time(args.burst_start) if args.burst_start else start + 0.6 * span)
        length = args.burst_seconds if args.burst_seconds else int(min(1800, max(300, 0.04 * span)))
        burst_hi = burst_lo + length

    fmt = args.format
    has_rt = fmt in ("combined_rt", "combined_rt_upstream")
    has_up = fmt == "combined_rt_upstream"
    has_xff = fmt == "main"

    rng = random.Random(args.seed)
    rnd = rng.random

    # ---- pools -----------------------------------------------------------------------------
    ua_table = weighted_table(USER_AGENTS, 1000)
    ref_table = weighted_table(REFERRERS, 1000)
    # Client IPs with a heavy-headed (Zipf-like) distribution.
    ips = []
    for i in range(6000):
        kind = rng.random()
        if kind < 0.7:
            ips.append(f"{rng.choice([31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 85, 88, 91, 93, 95, 109, 176, 178, 185, 188, 212, 217])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")
        elif kind < 0.85:
            ips.append(f"2a02:{rng.randrange(0x10000):x}:{rng.randrange(0x10000):x}::{rng.randrange(1, 0x10000):x}")
        else:
            ips.append(f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")
    ip_table = weighted_table([(1.0 / (i + 1) ** 0.9, ip) for i, ip in enumerate(ips)], 20000)
    user_table = ["-"] * 980 + [USERS[i % len(USERS)] for i in range(20)]

    def hexid(n):
        s = "%0*x" % (n, rng.getrandbits(4 * n))
        if not _HAS_DIGIT.search(s):
            s = "7" + s[1:]
        return s

    def uuid4():
        h = "%032x" % rng.getrandbits(128)
        return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(rnd() * 4)]}{h[17:20]}-{h[20:32]}"

    def num(hi):
        return str(1 + int(rnd() * hi))

    def q_page():
        return f"?page={1 + int(rnd() * 12)}&limit=50" if rnd() < 0.4 else ""

    def q_search():
        return f"?q={SEARCH_TERMS[int(rnd() * len(SEARCH_TERMS))]}&sort={'price' if rnd() < 0.5 else 'relevance'}"

    def q_utm():
        return "?utm_source=newsletter&utm_medium=email&utm_campaign=bf2026" if rnd() < 0.05 else ""

    # Endpoints: (weight, kind, template, make_path, method table, status table, size median)
    # kind: "api" (proxied, latency from upstream), "page" (proxied HTML), "static" (from disk),
    # "probe" (health), "scan" (scanner 404s).
    GET = ["GET"]
    def methods(**w):
        return weighted_table(list((v, k) for k, v in w.items()), 100)

    ok_api = [(955, 200), (6, 201), (4, 204), (8, 400), (6, 401), (4, 403), (9, 404), (3, 429), (3, 499), (3, 500), (1, 502), (1, 503)]
    ok_page = [(900, 200), (40, 304), (20, 301), (8, 302), (20, 404), (3, 499), (2, 500), (1, 502)]
    ok_static = [(780, 200), (200, 304), (8, 404), (4, 206), (3, 499)]
    ok_probe = [(1, 200)]
    ok_scan = [(95, 404), (5, 403)]

    E = []
    def ep(weight, kind, template, make, meths, statuses, size, slow=1.0):
        E.append((weight, (kind, template, make, meths, weighted_table(statuses, 1000), size, slow)))

    ep(14, "api", "/api/v1/users/:id", lambda: f"/api/v1/users/{num(250000)}", methods(GET=90, PUT=6, DELETE=1, HEAD=3), ok_api, 900, slow=0.5)
    ep(4, "api", "/api/v1/users/:id/orders", lambda: f"/api/v1/users/{num(250000)}/orders{q_page()}", GET, ok_api, 3800, slow=1.8)
    ep(3, "api", "/api/v1/users/me", lambda: "/api/v1/users/me", methods(GET=95, PUT=5), ok_api, 700)
    ep(9, "api", "/api/v1/orders/:id", lambda: f"/api/v1/orders/{uuid4()}", methods(GET=93, PUT=4, DELETE=3), ok_api, 2100)
    ep(6, "api", "/api/v1/orders/:id/items", lambda: f"/api/v1/orders/{uuid4()}/items", methods(GET=80, POST=20), ok_api, 2600)
    ep(3, "api", "/api/v1/orders", lambda: f"/api/v1/orders{q_page()}", methods(GET=60, POST=40), ok_api, 5200, slow=2.0)
    ep(10, "api", "/api/v1/products/:id", lambda: f"/api/v1/products/{num(40000)}", GET, ok_api, 1600, slow=0.7)
    ep(7, "api", "/api/v1/products", lambda: f"/api/v1/products{q_page()}", GET, ok_api, 14000, slow=1.5)
    ep(5, "api", "/api/v1/search", lambda: f"/api/v1/search{q_search()}", GET, ok_api, 9000, slow=3.5)
    ep(4, "api", "/api/v1/cart", lambda: "/api/v1/cart", methods(GET=70, POST=20, DELETE=10), ok_api, 1200)
    ep(2, "api", "/api/v1/checkout", lambda: "/api/v1/checkout", methods(POST=100), ok_api, 800, slow=6.0)
    ep(3, "api", "/api/v2/sessions/:id", lambda: f"/api/v2/sessions/{hexid(24)}", methods(GET=70, DELETE=30), ok_api, 400)
    ep(1, "api", "/api/v2/builds/:id/artifacts", lambda: f"/api/v2/builds/{hexid(40)}/artifacts", GET, ok_api, 3000, slow=2.5)
    ep(1, "api", "/api/v1/auth/2fa/verify", lambda: "/api/v1/auth/2fa/verify", methods(POST=100), ok_api, 120)
    ep(2, "api", "/api/v1/auth/login", lambda: "/api/v1/auth/login", methods(POST=100), ok_api, 350, slow=2.2)
    ep(1, "api", "/api/v1/events", lambda: "/api/v1/events", methods(POST=100), ok_api, 0, slow=0.3)
    ep(4, "page", "/", lambda: f"/{q_utm()}", GET, ok_page, 31000)
    ep(3, "page", "/products/:id", lambda: f"/products/{num(40000)}{q_utm()}", GET, ok_page, 42000)
    ep(1, "page", "/cart", lambda: "/cart", GET, ok_page, 26000)
    ep(1, "page", "/checkout", lambda: "/checkout", GET, ok_page, 28000, slow=1.6)
    ep(1, "page", "/account/orders", lambda: "/account/orders", GET, ok_page, 24000)
    for path, size in STATIC_ASSETS:
        ep(2 if path.endswith((".js", ".css")) else 1, "static", path, (lambda p=path: p), methods(GET=97, HEAD=3), ok_static, size)
    ep(2, "probe", "/healthz", lambda: "/healthz", GET, ok_probe, 2)
    ep(1, "probe", "/metrics", lambda: "/metrics", GET, ok_probe, 18000)
    ep(0.4, "scan", "(scan)", lambda: SCANNER_PATHS[int(rnd() * len(SCANNER_PATHS))], methods(GET=80, POST=20), ok_scan, 153)
    ep_table = weighted_table(E, 4000)

    # Latency: lognormal-ish with a heavy tail, in integer milliseconds.
    def lat_table(median_ms, sigma, size=8192):
        t = []
        for _ in range(size):
            v = median_ms * math.exp(rng.gauss(0.0, sigma))
            u = rng.random()
            if u < 0.01:
                v *= 8 + 30 * rng.random()
            elif u < 0.04:
                v *= 3
            t.append(int(v + 0.5))
        return t
    lat = {"api": lat_table(38, 0.9), "page": lat_table(85, 0.7), "static": lat_table(1, 1.2),
           "probe": lat_table(2, 0.5), "scan": lat_table(1, 1.0)}
    size_noise = [math.exp(rng.gauss(0.0, 0.5)) for _ in range(4096)]
    protos = ["HTTP/1.1"] * 6 + ["HTTP/2.0"] * 4
    burst_status = weighted_table([(50, 502), (30, 503), (15, 504), (5, 500)], 100)

    # ---- truth accumulators ----------------------------------------------------------------
    status_counts: dict[int, int] = {}
    method_counts: dict[str, int] = {}
    path_counts: dict[str, int] = {}
    path_lat: dict[str, list[int]] = {}
    all_lat: list[int] = []
    buckets: dict[int, list] = {}  # start -> [count, {status: n}, [lat ms]]
    unmatched_lines: list[int] = []
    n_unmatched = 0
    n_no_path = 0
    n_upstream_dash = 0
    n_upstream_multi = 0
    bytes_total = 0
    first_sec = last_sec = None
    W = args.bucket

    out = open(args.out, "w", encoding="utf-8", newline="\n")
    buf: list[str] = []
    t = start
    cur_sec = None
    tl = ""
    bucket = None
    iso_date = ""
    gk = args.garbage_every
    t0 = time.perf_counter()
    log = math.log
    check_templates = True

    for lineno in range(1, args.lines + 1):
        t += -log(1.0 - rnd()) / args.rate
        sec = int(t)
        if sec != cur_sec:
            cur_sec = sec
            g = time.gmtime(sec + tz_offset)
            tl = f"{g.tm_mday:02d}/{MONTHS[g.tm_mon - 1]}/{g.tm_year}:{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {tz_text}"
            bstart = sec - sec % W
            bucket = buckets.get(bstart)
            if bucket is None:
                bucket = buckets[bstart] = [0, {}, []]
            in_burst = burst_lo is not None and burst_lo <= sec < burst_hi
            iso_date = f"{g.tm_year}/{g.tm_mon:02d}/{g.tm_mday:02d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}"

        if gk and lineno % gk == 0:
            n_unmatched += 1
            if len(unmatched_lines) < 20:
                unmatched_lines.append(lineno)
            r = rnd()
            if r < 0.3:
                # A line cut inside the request string (e.g. a crash mid-write): no closing quote.
                buf.append(f"{ip_table[int(rnd() * 20000)]} - - [{tl}] \"GET /api/v1/prod")
            else:
                buf.append(GARBAGE[int(rnd() * len(GARBAGE))].format(d=iso_date, n=lineno, a=lineno % 256, b=(lineno * 7) % 256))
            continue

        ip = ip_table[int(rnd() * 20000)]
        r = rnd()
        if r < 0.0015:
            # No usable request line: "-" (client opened a connection and sent nothing) or junk.
            if r < 0.0008:
                req, status, size = "-", (400 if r < 0.0005 else 408), 0
            else:
                req, status, size = TLS_JUNK[int(rnd() * len(TLS_JUNK))], 400, 157
            rt_ms = 0 if rnd() < 0.7 else int(rnd() * 60000)
            upstream = "-"
            template = None
            method = None
            ua = "-"
            ref = "-"
            user = "-"
        else:
            kind, template, make, meths, stab, med, slow = ep_table[int(rnd() * 4000)]
            path = make()
            if template == "(scan)":
                template = path
            method = meths[int(rnd() * len(meths))]
            status = stab[int(rnd() * 1000)]
            lt = lat[kind]
            rt_ms = lt[int(rnd() * 8192)]
            if slow != 1.0:
                rt_ms = int(rt_ms * slow + 0.5)
            if in_burst and kind in ("api", "page"):
                rt_ms = rt_ms * 8 + 120
                if rnd() < 0.35:
                    status = burst_status[int(rnd() * 100)]
            if status == 504:
                rt_ms = 60000 + int(rnd() * 5)
            elif status == 502:
                rt_ms = int(rnd() * 4)
            elif kind == "static" and rnd() < 0.3:
                rt_ms = 0
            if status in (304, 204, 499, 408) or method == "HEAD":
                size = 0
            elif status >= 400:
                size = (153, 146, 157, 162, 548)[status % 5] if kind != "api" else 60 + status % 97
            elif kind == "static":
                size = med
            else:
                size = int(med * size_noise[int(rnd() * 4096)])
            if kind in ("api", "page"):
                if status == 499 and rnd() < 0.5:
                    upstream = "-"
                else:
                    up = max(0, rt_ms - int(rnd() * 3))
                    if status == 502 and rnd() < 0.5 or rnd() < 0.003:
                        first = int(rnd() * 40)
                        upstream = f"{first // 1000}.{first % 1000:03d}, {up // 1000}.{up % 1000:03d}"
                    else:
                        upstream = f"{up // 1000}.{up % 1000:03d}"
            else:
                upstream = "-"
            req = f"{method} {path} {protos[int(rnd() * 10)]}"
            ua = ua_table[int(rnd() * 1000)]
            ref = ref_table[int(rnd() * 1000)] if kind != "probe" else "-"
            user = user_table[int(rnd() * 1000)]
            if check_templates and template_path(path) != template:
                sys.exit(f"generator bug: {path!r} templated as {template_path(path)!r}, expected {template!r}")
            path_counts[template] = path_counts.get(template, 0) + 1
            method_counts[method] = method_counts.get(method, 0) + 1
            if has_rt:
                pl = path_lat.get(template)
                if pl is None:
                    pl = path_lat[template] = []
                pl.append(rt_ms)

        line = f'{ip} - {user} [{tl}] "{req}" {status} {size} "{ref}" "{ua}"'
        if has_rt:
            rts = f"{rt_ms // 1000}.{rt_ms % 1000:03d}"
            if has_up:
                line = f"{line} {rts} {upstream}"
                if upstream == "-":
                    n_upstream_dash += 1
                elif "," in upstream:
                    n_upstream_multi += 1
            else:
                line = f"{line} {rts}"
            all_lat.append(rt_ms)
            bucket[2].append(rt_ms)
        elif has_xff:
            x = rnd()
            xff = "-" if x < 0.85 else (ip if x < 0.95 else f"{ip}, 10.0.{int(rnd() * 4)}.{1 + int(rnd() * 250)}")
            line = f'{line} "{xff}"'
        buf.append(line)
        if first_sec is None:
            first_sec = sec
        last_sec = sec
        bytes_total += size
        status_counts[status] = status_counts.get(status, 0) + 1
        bucket[0] += 1
        bs = bucket[1]
        bs[status] = bs.get(status, 0) + 1
        if template is None:
            n_no_path += 1
        if len(buf) >= 20000:
            buf.append("")
            out.write("\n".join(buf))
            buf.clear()
        if lineno == 100_000 and args.lines > 400_000:
            check_templates = False  # the templates were verified on the first 100k lines

    if buf:
        buf.append("")
        out.write("\n".join(buf))
    out.close()
    gen_seconds = time.perf_counter() - t0

    # ---- truth -----------------------------------------------------------------------------
    matched = args.lines - n_unmatched
    truth = {
        "generator": "Benchmarks/generate_nginx.py",
        "args": {"lines": args.lines, "seed": args.seed, "start": args.start, "rate": args.rate,
                 "format": fmt, "tz": tz_text, "garbage_every": args.garbage_every, "burst": args.burst},
        "format": fmt,
        "lines": args.lines,
        "matched": matched,
        "unmatched": n_unmatched,
        "unmatched_line_numbers": unmatched_lines,
        "no_path": n_no_path,
        "bytes_total": bytes_total,
        "first_epoch": first_sec,
        "last_epoch": last_sec,
        "status": {str(k): v for k, v in sorted(status_counts.items())},
        "classes": classes_of(status_counts),
        "methods": dict(sorted(method_counts.items())),
        "percentile_definition": PERCENTILE_DEFINITION,
        "latency": latency_summary(all_lat) if has_rt else None,
        "burst": ({"start": iso_utc(burst_lo), "start_epoch": burst_lo, "end": iso_utc(burst_hi), "end_epoch": burst_hi}
                  if burst_lo is not None else None),
        "bucket_seconds": W,
        "buckets": [],
        "paths": dict(sorted(path_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "paths_p95": ({k: percentile(sorted(v), 95) / 1000 for k, v in sorted(path_lat.items())} if has_rt else None),
    }
    if has_up:
        truth["upstream"] = {"dash": n_upstream_dash, "multi": n_upstream_multi}
    nonempty = sorted(k for k, b in buckets.items() if b[0])
    for k in nonempty:
        count, sc, lv = buckets[k]
        n5 = sum(n for s, n in sc.items() if 500 <= s <= 599)
        b = {"start": iso_utc(k), "start_epoch": k, "count": count,
             "status": {str(s): n for s, n in sorted(sc.items())}, "classes": classes_of(sc),
             "rate_5xx": n5 / count}
        b["latency"] = latency_summary(lv) if has_rt else None
        truth["buckets"].append(b)
    with open(args.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, separators=(",", ":"))
        f.write("\n")

    if not args.quiet:
        print(f"wrote {args.lines} lines to {args.out} in {gen_seconds:.1f}s "
              f"({args.lines / max(gen_seconds, 1e-9):,.0f} lines/s); truth in {args.truth}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
