#!/usr/bin/env python3
"""Writes a PostgreSQL stderr log with known truth, for logsift's truth test and benchmark.

The log uses Debian's prefix `%m [%p] %q%u@%d ` and looks like `log_min_duration_statement = 0`
with connection, checkpoint and autovacuum logging on:

- `duration: N ms  statement: ...` (some statements span lines: tab-led continuations),
- extended protocol: `parse`, `bind` and `execute <name>` steps with `DETAIL:  parameters: ...`,
- ERROR events with DETAIL/HINT/CONTEXT/STATEMENT lines (a few deadlocks among them),
- connection received/authorized, disconnection with session time,
- checkpoint starting/complete, automatic vacuum/analyze with tab-led detail lines,
- temporary files (with STATEMENT), lock waits (with DETAIL and STATEMENT).

The truth (JSON) is computed here, independently of logsift: for each statement template its
fingerprint is written by hand (SQLFingerprint's rules), and calls, total and max duration are
summed in integer microseconds, so totals are exact.

    python3 Benchmarks/generate_postgres.py --events 20000 --out pg.log --truth pg.truth.json
    python3 Benchmarks/generate_postgres.py --size-mb 300 --out big.log --truth big.truth.json
"""
import argparse
import json
import random

PREFIX = "%m [%p] %q%u@%d "
START = 1795132800  # 2026-11-20T00:00:00Z

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
         "O'Brien", "semi;colon", "dash -- dash", "kilo"]
USERS = [("app", "shop"), ("app", "billing"), ("report", "shop"), ("admin", "postgres")]
TABLES = ["shop.public.orders", "shop.public.order_items", "shop.public.customers",
          "billing.public.invoices", "billing.public.payments", "shop.public.sessions"]


def q(s):
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def inlist(r):
    return ", ".join(str(r.randint(1, 99999)) for _ in range(r.randint(1, 40)))


# (sql builder, fingerprint by SQLFingerprint's rules, duration scale in ms)
SIMPLE = [
    (lambda r: f"SELECT abalance FROM pgbench_accounts WHERE aid = {r.randint(1, 10**6)};",
     "select abalance from pgbench_accounts where aid = ?", 0.3),
    (lambda r: f"UPDATE pgbench_accounts SET abalance = abalance + {r.randint(-5000, 5000)} WHERE aid = {r.randint(1, 10**6)};",
     "update pgbench_accounts set abalance = abalance + ? where aid = ?", 0.8),
    (lambda r: f"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ({r.randint(1, 10)}, 1, {r.randint(1, 10**6)}, {r.randint(-5000, 5000)}, CURRENT_TIMESTAMP);",
     "insert into pgbench_history (tid, bid, aid, delta, mtime) values (...)", 0.4),
    (lambda r: f"SELECT * FROM orders WHERE customer_id IN ({inlist(r)}) AND status = {q(r.choice(WORDS))}",
     "select * from orders where customer_id in (...) and status = ?", 5.0),
    (lambda r: "SELECT o.id, o.total\nFROM orders o\n  JOIN customers c ON c.id = o.customer_id\n"
               f"WHERE c.email = {q(r.choice(WORDS) + '@example.com')}\nORDER BY o.created_at DESC\nLIMIT {r.choice([10, 20, 50])}",
     "select o.id, o.total from orders o join customers c on c.id = o.customer_id where c.email = ? order by o.created_at desc limit ?", 12.0),
    (lambda r: f"/* app:web */ SELECT name, price FROM products WHERE sku = {q(r.choice(WORDS))} AND price > {r.randint(1, 500)}.{r.randint(0, 99)}",
     "select name, price from products where sku = ? and price > ?", 1.2),
    (lambda r: f"SELECT count(*) FROM events WHERE payload->>'kind' = {q(r.choice(WORDS))} AND created_at > now() - interval '{r.randint(1, 24)} hours'",
     "select count(*) from events where payload->>? = ? and created_at > now() - interval ?", 40.0),
    (lambda r: f"DELETE FROM sessions WHERE expires_at < now() - interval '{r.randint(1, 9)} days'",
     "delete from sessions where expires_at < now() - interval ?", 25.0),
    (lambda r: "BEGIN", "begin", 0.02),
    (lambda r: "COMMIT", "commit", 0.9),
    (lambda r: f"UPDATE customers\n   SET last_seen = now(),\n       visits = visits + 1\n WHERE id = {r.randint(1, 10**5)}",
     "update customers set last_seen = now(), visits = visits + ? where id = ?", 2.0),
    (lambda r: f"SELECT c.id, sum(i.amount) FROM customers c JOIN invoices i ON i.customer_id = c.id WHERE i.issued_on >= '2026-0{r.randint(1, 9)}-01' GROUP BY c.id HAVING sum(i.amount) > {r.randint(100, 9999)} ORDER BY 2 DESC LIMIT 100",
     "select c.id, sum(i.amount) from customers c join invoices i on i.customer_id = c.id where i.issued_on >= ? group by c.id having sum(i.amount) > ? order by ? desc limit ?", 300.0),
]

EXTENDED = [
    ("SELECT * FROM accounts WHERE id = $1", "select * from accounts where id = ?",
     lambda r: f"$1 = '{r.randint(1, 10**6)}'", 0.5),
    ("UPDATE inventory SET qty = qty - $1 WHERE sku = $2 AND qty >= $1", "update inventory set qty = qty - ? where sku = ? and qty >= ?",
     lambda r: f"$1 = '{r.randint(1, 5)}', $2 = {q(r.choice(WORDS))}", 1.5),
    ("INSERT INTO audit (actor, action, at) VALUES ($1, $2, now())", "insert into audit (actor, action, at) values (...)",
     lambda r: f"$1 = {q(r.choice(WORDS))}, $2 = 'login'", 0.7),
]

ERRORS = [
    ("ERROR", "relation \"missing_{w}\" does not exist at character 15", "relation \"...\" does not exist at character <*>",
     lambda r: f"SELECT * FROM missing_{r.choice(['a', 'b'])}", []),
    ("ERROR", "duplicate key value violates unique constraint \"orders_pkey\"", "duplicate key value violates unique constraint \"...\"",
     lambda r: f"INSERT INTO orders (id) VALUES ({r.randint(1, 1000)})",
     [("DETAIL", lambda r: f"Key (id)=({r.randint(1, 1000)}) already exists.")]),
    ("ERROR", "deadlock detected", "deadlock detected",
     lambda r: f"UPDATE pgbench_accounts SET abalance = 0 WHERE aid = {r.randint(1, 1000)}",
     [("DETAIL", lambda r: f"Process {r.randint(100, 999)} waits for ShareLock on transaction {r.randint(1000, 9999)}; blocked by process {r.randint(100, 999)}.\n\tProcess {r.randint(100, 999)} waits for ShareLock on transaction {r.randint(1000, 9999)}; blocked by process {r.randint(100, 999)}."),
      ("HINT", lambda r: "See server log for query details."),
      ("CONTEXT", lambda r: f"while updating tuple ({r.randint(0, 99)},{r.randint(0, 99)}) in relation \"pgbench_accounts\"")]),
    ("FATAL", "password authentication failed for user \"{w}\"", "password authentication failed for user \"...\"", None,
     [("DETAIL", lambda r: "Connection matched pg_hba.conf line 99: \"host all all 0.0.0.0/0 md5\"")]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--size-mb", type=float, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--step-ms", type=int, default=3, help="events are 0..N ms apart (default 3: a busy server)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    args = ap.parse_args()
    r = random.Random(args.seed)
    limit_bytes = int(args.size_mb * 1024 * 1024) if args.size_mb else None
    limit_events = args.events if args.events else (None if limit_bytes else 10000)

    truth = {"prefix": PREFIX, "queries": 0, "queries_total_us": 0, "fingerprints": {},
             "parse_steps": 0, "bind_steps": 0, "errors": 0, "deadlocks": 0, "sqlstate": {},
             "error_templates": {}, "connections_received": 0, "connections_authorized": 0,
             "connections_by_user_database": {}, "disconnections": 0, "session_ms_total": 0,
             "checkpoints": 0, "checkpoint_write_ms": 0, "checkpoint_sync_ms": 0, "checkpoint_total_ms": 0,
             "autovacuums": 0, "autoanalyzes": 0, "tables": {}, "temp_files": 0, "temp_bytes": 0,
             "lock_waits": 0, "events": 0, "lines": 0, "queries_per_minute": {}}
    fps = truth["fingerprints"]

    def record(fp, us, t):
        e = fps.setdefault(fp, {"calls": 0, "total_us": 0, "max_us": 0})
        e["calls"] += 1
        e["total_us"] += us
        e["max_us"] = max(e["max_us"], us)
        truth["queries"] += 1
        truth["queries_total_us"] += us
        minute = str(t // 60000 * 60)
        truth["queries_per_minute"][minute] = truth["queries_per_minute"].get(minute, 0) + 1

    def duration_us(scale):
        # log-normal-ish durations, written with 3 decimals in ms
        return max(1, int(r.expovariate(1.0) * scale * 1000 * (10 if r.random() < 0.01 else 1)))

    out = open(args.out, "w", encoding="utf-8", newline="\n")
    written = 0
    t = START * 1000  # milliseconds
    n = 0
    pids = list(range(2000, 2064))

    def stamp(ms):
        s, m = divmod(ms, 1000)
        import time as _t
        return _t.strftime("%Y-%m-%d %H:%M:%S", _t.gmtime(s)) + f".{m:03d} UTC"

    def emit(text):
        nonlocal written
        out.write(text)
        written += len(text.encode("utf-8"))
        truth["lines"] += text.count("\n")

    def line(pid, session, severity, message):
        prefix = f"{stamp(t)} [{pid}] " + (f"{session[0]}@{session[1]} " if session else "")
        # Multi-line messages: PostgreSQL puts a tab after each newline.
        emit(prefix + f"{severity}:  " + message.replace("\n", "\n\t") + "\n")

    while True:
        if limit_events is not None and n >= limit_events:
            break
        if limit_bytes is not None and written >= limit_bytes:
            break
        n += 1
        truth["events"] += 1
        t += r.randint(0, args.step_ms)
        pid = r.choice(pids)
        session = USERS[pid % len(USERS)]
        k = r.random()
        if k < 0.70:
            build, fp, scale = r.choice(SIMPLE)
            us = duration_us(scale)
            record(fp, us, t)
            line(pid, session, "LOG", f"duration: {us // 1000}.{us % 1000:03d} ms  statement: {build(r)}")
        elif k < 0.88:
            sql, fp, params, scale = r.choice(EXTENDED)
            p = params(r)
            name = r.choice(["<unnamed>", "S_1", "S_2"])
            pu, bu, eu = duration_us(0.05), duration_us(0.05), duration_us(scale)
            line(pid, session, "LOG", f"duration: {pu // 1000}.{pu % 1000:03d} ms  parse {name}: {sql}")
            line(pid, session, "LOG", f"duration: {bu // 1000}.{bu % 1000:03d} ms  bind {name}: {sql}")
            line(pid, session, "DETAIL", f"parameters: {p}")
            line(pid, session, "LOG", f"duration: {eu // 1000}.{eu % 1000:03d} ms  execute {name}: {sql}")
            line(pid, session, "DETAIL", f"parameters: {p}")
            truth["parse_steps"] += 1
            truth["bind_steps"] += 1
            truth["events"] += 2  # parse, bind, execute are three events (DETAILs join them)
            record(fp, eu, t)
        elif k < 0.91:
            severity, message, template, statement, extra = r.choice(ERRORS)
            message = message.replace("{w}", r.choice(["a", "b", "bob"]))
            line(pid, session, severity, message)
            for sev, text in extra:
                line(pid, session, sev, text(r))
            if statement:
                line(pid, session, "STATEMENT", statement(r))
            truth["errors"] += 1
            if template == "deadlock detected":
                truth["deadlocks"] += 1
            truth["error_templates"][template] = truth["error_templates"].get(template, 0) + 1
        elif k < 0.95:
            host = f"10.0.{r.randint(0, 3)}.{r.randint(1, 250)}"
            port = r.randint(30000, 60000)
            user, db = r.choice(USERS)
            line(pid, None, "LOG", f"connection received: host={host} port={port}")
            line(pid, (user, db), "LOG", f"connection authorized: user={user} database={db} application_name=psql")
            ms = r.randint(1, 3_600_000)
            line(pid, (user, db), "LOG", f"disconnection: session time: {ms // 3600000}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d} user={user} database={db} host={host} port={port}")
            truth["events"] += 2
            truth["connections_received"] += 1
            truth["connections_authorized"] += 1
            key = f"{user}@{db}"
            truth["connections_by_user_database"][key] = truth["connections_by_user_database"].get(key, 0) + 1
            truth["disconnections"] += 1
            truth["session_ms_total"] += ms
        elif k < 0.955:
            w, s = r.randint(1, 30000), r.randint(0, 500)
            line(1999, None, "LOG", "checkpoint starting: time")
            line(1999, None, "LOG", f"checkpoint complete: wrote {r.randint(1, 9000)} buffers (1.2%); 0 WAL file(s) added, 0 removed, 1 recycled; "
                                    f"write={w // 1000}.{w % 1000:03d} s, sync={s // 1000}.{s % 1000:03d} s, total={(w + s + 3) // 1000}.{(w + s + 3) % 1000:03d} s; "
                                    "sync files=12, longest=0.010 s, average=0.001 s; distance=1234 kB, estimate=2345 kB")
            truth["events"] += 1
            truth["checkpoints"] += 1
            truth["checkpoint_write_ms"] += w
            truth["checkpoint_sync_ms"] += s
            truth["checkpoint_total_ms"] += w + s + 3
        elif k < 0.975:
            table = r.choice(TABLES)
            entry = truth["tables"].setdefault(table, {"vacuums": 0, "analyzes": 0})
            if r.random() < 0.5:
                line(3000 + r.randint(0, 9), None, "LOG", f"automatic vacuum of table \"{table}\": index scans: 1\n"
                     f"pages: 0 removed, {r.randint(1, 999)} remain, 5 scanned (1.00% of total)\n"
                     f"tuples: {r.randint(0, 999)} removed, {r.randint(0, 9999)} remain, 0 are dead but not yet removable\n"
                     "buffer usage: 100 hits, 0 misses, 2 dirtied\n"
                     "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.01 s")
                truth["autovacuums"] += 1
                entry["vacuums"] += 1
            else:
                line(3000 + r.randint(0, 9), None, "LOG", f"automatic analyze of table \"{table}\"\n"
                     "system usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: 0.02 s")
                truth["autoanalyzes"] += 1
                entry["analyzes"] += 1
        elif k < 0.99:
            size = r.randint(1, 10**9)
            line(pid, session, "LOG", f"temporary file: path \"base/pgsql_tmp/pgsql_tmp{pid}.{r.randint(0, 9)}\", size {size}")
            line(pid, session, "STATEMENT", "SELECT * FROM events ORDER BY created_at")
            truth["temp_files"] += 1
            truth["temp_bytes"] += size
        else:
            line(pid, session, "LOG", f"process {pid} still waiting for ShareLock on transaction {r.randint(1000, 9999)} after {r.randint(1000, 5000)}.{r.randint(0, 999):03d} ms")
            line(pid, session, "DETAIL", f"Process holding the lock: {r.randint(100, 999)}. Wait queue: {pid}.")
            line(pid, session, "STATEMENT", "UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1")
            truth["lock_waits"] += 1
    out.close()
    truth["bytes"] = written
    with open(args.truth, "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
