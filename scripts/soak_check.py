#!/usr/bin/env python3
"""The verdict of scripts/soak.sh: every tail's events against the database.

A row is comparable when it was written during the run (its creation time
is at or after --since). Each row's *final* state (status, or open/ended for
a session) must have reached every tail exactly once; no (row, state) pair
may reach a tail twice (a pending request seen once and then its completion
once is right; the completion twice is a duplicate); no tail may get a gap.
Serve's RSS samples ("pid seconds rss_kb") must stay flat on every
instance once it has warmed up (see RSS_CRITERION). Prints the figures and
PASS or FAIL.
"""
import argparse
import collections
import json
import subprocess
import sys

# table: (id column, state expression, creation time column)
TABLES = {
    "logs": ("id", "''", "timestamp"),
    "ai_requests": ("id", "status", "created_at"),
    "mcp_tool_executions": ("mcp_execution_id", "status", "created_at"),
    "agent_tasks": ("task_id", "status", "created_at"),
    "task_execution_steps": ("step_id", "status", "started_at"),
    "user_sessions": ("session_id", "CASE WHEN ended_at IS NULL THEN 'open' ELSE 'ended' END", "started_at"),
    "user_contexts": ("context_id", "''", "created_at"),
    "users": ("id", "''", "created_at"),
}


def event_key(event):
    """(table, id, state) of a row event, else None."""
    kind = event.get("type")
    if kind == "log":
        return "logs", event["log"]["id"], ""
    if kind in ("ai_request_started", "ai_request_completed", "ai_request_failed"):
        r = event["request"]
        return "ai_requests", r["id"], r["status"]
    if kind == "mcp_execution":
        m = event["execution"]
        return "mcp_tool_executions", m["mcp_execution_id"], m["status"]
    if kind == "task_updated":
        t = event["task"]
        return "agent_tasks", t["task_id"], t["status"]
    if kind == "execution_step":
        s = event["step"]
        return "task_execution_steps", s["step_id"], s["status"]
    if kind == "session_started":
        return "user_sessions", event["session"]["session_id"], "open"
    if kind == "session_ended":
        return "user_sessions", event["session"]["session_id"], "ended"
    if kind == "user_seen":
        return "users", event["user"]["id"], ""
    if kind == "context_created":
        return "user_contexts", event["context"]["context_id"], ""
    return None


def database_rows(psql, url, since):
    rows = {}
    for table, (id_col, state, time_col) in TABLES.items():
        sql = f"SELECT {id_col}, {state} FROM {table} WHERE {time_col} >= '{since}'::timestamptz"
        out = subprocess.run([psql, url, "-At", "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            row_id, _, final = line.partition("\t")
            rows[(table, row_id)] = final
    return rows


def check_tail(path, rows):
    seen = collections.Counter()
    gaps = 0
    bad_lines = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                bad_lines += 1
                continue
            if event.get("type") == "gap":
                gaps += 1
                continue
            key = event_key(event)
            if key is not None:
                seen[key] += 1
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    lost = [(t, i, s) for (t, i), s in rows.items() if seen[(t, i, s)] == 0]
    return sum(seen.values()), duplicates, lost, gaps, bad_lines, seen


# Flat: on each serve instance, once WARM_UP_S seconds past its first
# sample, the last sample is within GROWTH_FRACTION + GROWTH_MB of the first
# warm sample, and no sample exceeds that bound by more than PEAK_SLACK_MB
# (the replay ring holds a few big events at a time: a 2 MB tool output in
# the ring is legitimate, one copy per client would not be).
WARM_UP_S = 20
GROWTH_FRACTION = 0.20
GROWTH_MB = 8
PEAK_SLACK_MB = 16
RSS_CRITERION = (f"flat = after {WARM_UP_S} s of warm-up, last RSS <= first warm RSS "
                 f"x {1 + GROWTH_FRACTION:.2f} + {GROWTH_MB} MB and peak <= that + {PEAK_SLACK_MB} MB, "
                 f"on every serve instance")


def rss_verdict(path):
    by_pid = collections.OrderedDict()
    try:
        with open(path) as f:
            for line in f:
                pid, t, rss = line.split()
                by_pid.setdefault(pid, []).append((int(t), int(rss)))
    except FileNotFoundError:
        return False, "no RSS samples"
    if not by_pid:
        return False, "no RSS samples"
    lines = []
    for n, samples in enumerate(by_pid.values(), 1):
        values = [r for _, r in samples]
        lines.append(f"  serve instance {n}: {len(values)} samples over {samples[-1][0] - samples[0][0]} s, "
                     f"RSS first {values[0] / 1024:.1f} MB, last {values[-1] / 1024:.1f} MB, max {max(values) / 1024:.1f} MB")
    flat = True
    lines.append("  " + RSS_CRITERION)
    for n, samples in enumerate(by_pid.values(), 1):
        warm = [r for t, r in samples if t >= samples[0][0] + WARM_UP_S]
        if len(warm) < 2:
            continue
        base, end, peak = warm[0], warm[-1], max(warm)
        bound = base * (1 + GROWTH_FRACTION) + GROWTH_MB * 1024
        ok = end <= bound and peak <= bound + PEAK_SLACK_MB * 1024
        flat = flat and ok
        lines.append(f"  instance {n} after warm-up: {base / 1024:.1f} MB -> {end / 1024:.1f} MB, "
                     f"peak {peak / 1024:.1f} MB, bound {bound / 1024:.1f} MB ({'flat' if ok else 'GROWING'})")
    return flat, "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psql", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--since", required=True)
    ap.add_argument("--rss", required=True)
    ap.add_argument("--pg-restarts", type=int, default=0)
    ap.add_argument("--serve-restarts", type=int, default=0)
    ap.add_argument("--lost-out", help="write the lost rows (as JSON) to this file")
    ap.add_argument("tails", nargs="+")
    a = ap.parse_args()
    rows = database_rows(a.psql, a.database_url, a.since)
    per_table = collections.Counter(t for t, _ in rows)
    ok = True
    total_events = total_dups = total_lost = total_gaps = 0
    examples = []
    lost_all = set()
    for path in a.tails:
        events, dups, lost, gaps, bad, seen = check_tail(path, rows)
        total_events += events
        total_dups += dups
        total_lost += len(lost)
        lost_all.update(lost)
        total_gaps += gaps
        if dups or lost or gaps or bad:
            ok = False
            if len(examples) < 5:
                dup_keys = [k for k, n in seen.items() if n > 1][:3]
                examples.append(f"  {path}: {dups} duplicate(s) {dup_keys}, {len(lost)} lost {lost[:3]}, "
                                f"{gaps} gap(s), {bad} bad line(s)")
    if lost_all:
        by_table = collections.Counter(t for t, _, _ in lost_all)
        print("  rows lost by some tail: " + ", ".join(f"{t} {n}" for t, n in sorted(by_table.items())))
        if a.lost_out:
            with open(a.lost_out, "w") as out:
                for table, row_id, state in sorted(lost_all):
                    id_col = TABLES[table][0]
                    sql = f"SELECT row_to_json(x) FROM {table} x WHERE {id_col} = '{row_id}'"
                    row = subprocess.run([a.psql, a.database_url, "-At", "-c", sql], check=True,
                                         capture_output=True, text=True).stdout.strip()
                    out.write(f"{table}\t{state}\t{row}\n")
            print(f"  the lost rows as the database holds them: {a.lost_out}")
    rss_ok, rss_text = rss_verdict(a.rss)
    ok = ok and rss_ok and len(rows) > 0
    print(f"soak: {len(a.tails)} tails, {a.pg_restarts} Postgres restarts, {a.serve_restarts} serve restarts")
    print(f"  rows written during the run: {len(rows)} ("
          + ", ".join(f"{t} {n}" for t, n in sorted(per_table.items())) + ")")
    print(f"  row events received: {total_events} in all, {total_events // max(1, len(a.tails))} per tail")
    print(f"  duplicates: {total_dups}, losses: {total_lost}, gaps: {total_gaps}")
    for line in examples:
        print(line)
    print(rss_text)
    print("soak: PASS" if ok else "soak: FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
