"""Side-by-side timing of `tracetop audit PREFIX` and psql's single
`SELECT * FROM ai_requests WHERE id LIKE 'PREFIX%'` (for task and trace
prefixes: on agent_tasks.task_id / ai_requests.trace_id), both as whole
processes (start, connect, query, print), median of RUNS per prefix, the
two taking turns run after run.

Prefixes: 8 characters of request ids, task ids and trace ids picked
spread over the table (the same ones for both), so the comparison covers
every kind the audit resolves. Also prints EXPLAIN of the prefix lookups
so an index range scan (not a sequential scan) can be checked by eye.
psql is $PSQL (default: the server's own binary from `pg_config --bindir`,
not Debian's /usr/bin/psql, a Perl wrapper that adds ~15 ms of start-up).
Usage: [PSQL=…] bench_audit.py BIN URL RUNS [COUNT]
"""
import os, shutil, statistics, subprocess, sys, time

bin_, url, runs = sys.argv[1:4]
runs = int(runs)
count = int(sys.argv[4]) if len(sys.argv) > 4 else 5


def default_psql():
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if os.access(os.path.join(bindir, "psql"), os.X_OK):
            return os.path.join(bindir, "psql")
    except (OSError, subprocess.CalledProcessError):
        pass
    return shutil.which("psql") or "psql"


PSQL = os.environ.get("PSQL") or default_psql()


def psql_rows(sql):
    out = subprocess.run([PSQL, "-X", "-At", "-d", url, "-c", sql], check=True, capture_output=True, text=True)
    return [l for l in out.stdout.splitlines() if l]


def median_walls(cmds, ok_codes=(0,)):
    """Median wall time (ms) of each command, the commands taking turns run
    after run, so a machine that gets busier or quieter during the
    measurement weighs on both sides alike."""
    times = [[] for _ in cmds]
    for _ in range(runs):
        for k, cmd in enumerate(cmds):
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[k].append(time.perf_counter() - t)
            if r.returncode not in ok_codes:
                raise SystemExit(f"{cmd!r} exited {r.returncode}")
    return [statistics.median(t) * 1000 for t in times]


def spread(sql):
    # every n-th id of a table, ordered, so the picks are stable per seed
    return [row[:8] for row in psql_rows(sql)]


n = max(1, count)
picks = {
    "request": spread(f"SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS k, count(*) OVER () AS c FROM ai_requests) x WHERE k % greatest(c / {n}, 1) = 0 LIMIT {n}"),
    "task": spread(f"SELECT task_id FROM (SELECT task_id, row_number() OVER (ORDER BY task_id) AS k, count(*) OVER () AS c FROM agent_tasks) x WHERE k % greatest(c / {n}, 1) = 0 LIMIT {n}"),
    "trace": spread(f"SELECT trace_id FROM (SELECT trace_id, row_number() OVER (ORDER BY trace_id) AS k, count(*) OVER () AS c FROM (SELECT DISTINCT trace_id FROM ai_requests WHERE trace_id IS NOT NULL) t) x WHERE k % greatest(c / {n}, 1) = 0 LIMIT {n}"),
}

# psql's single lookup for each kind: the table and column that id lives in
REFERENCE = {
    "request": "ai_requests WHERE id",
    "task": "agent_tasks WHERE task_id",
    "trace": "ai_requests WHERE trace_id",
}

sample = picks["request"][0]
print("== EXPLAIN of the prefix lookups (each should be an Index / Bitmap Index Scan)")
for table, column in [("ai_requests", "id"), ("ai_requests", "task_id"), ("ai_requests", "trace_id"),
                      ("agent_tasks", "task_id"), ("agent_tasks", "trace_id"), ("mcp_tool_executions", "trace_id")]:
    plan = psql_rows(f"EXPLAIN SELECT 1 FROM {table} WHERE {column} LIKE '{sample}%'")
    scan = next((l.strip() for l in plan if "Scan" in l), plan[0])
    print(f"  {table}.{column}: {scan}")

print(f"psql: {PSQL}")
print(f"{'kind':<9}{'prefix':<10}{'tracetop ms':>13}{'psql LIKE ms':>14}{'ratio':>8}")
ratios = []
for kind, prefixes in picks.items():
    for prefix in prefixes:
        # an ambiguous prefix lists candidates and exits 2: still a full answer
        ours, ref = median_walls([
            [bin_, "audit", prefix, "--database-url", url, "--format", "json"],
            [PSQL, "-X", "-q", "-d", url, "-c", f"SELECT * FROM {REFERENCE[kind]} LIKE '{prefix}%'"],
        ], ok_codes=(0, 2))
        ratio = ours / ref if ref else float("inf")
        ratios.append(ratio)
        print(f"{kind:<9}{prefix:<10}{ours:>13.1f}{ref:>14.1f}{ratio:>8.2f}")
print(f"audit: median ratio {statistics.median(ratios):.2f}, worst {max(ratios):.2f} (target <= 1.50)")
