"""Side-by-side timing of `tracetop analytics …` and psql running the same SQL.

For each report: run it once with `log_statement=all` (set per database),
read the statements it sent from the cluster's CSV log, inline the bound
parameters as literals, then time both as whole processes (median of RUNS).
Usage: bench_pg_report.py BIN URL LOGDIR OUTDIR RUNS REPORT...
"""
import csv, glob, os, re, shlex, statistics, subprocess, sys, time

bin_, url, logdir, outdir, runs = sys.argv[1:6]
runs = int(runs)
reports = sys.argv[6:]
base_args = ["--database-url", url, "--since", "30d", "--format", "json"]
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def psql(sql, db=url):
    subprocess.run(["psql", "-X", "-q", "-d", db, "-c", sql], check=True, stdout=subprocess.DEVNULL)


def log_rows():
    rows = []
    for path in sorted(glob.glob(os.path.join(logdir, "*.csv"))):
        with open(path, newline="") as f:
            rows.extend(csv.reader(f))
    return rows


def capture(report):
    before = len(log_rows())
    psql("ALTER DATABASE bench SET log_statement = 'all'")
    subprocess.run([bin_, "analytics", *report.split(), *base_args], check=True, stdout=subprocess.DEVNULL)
    psql("ALTER DATABASE bench RESET log_statement")
    time.sleep(0.3)
    statements = []
    for row in log_rows()[before:]:
        # csvlog: message is column 13, detail column 14, database column 3
        if len(row) < 15 or row[2] != "bench":
            continue
        message, detail = row[13], row[14]
        m = re.match(r"(?:execute [^:]+|statement): (.*)", message, re.S)
        if not m or "log_statement" in message:
            continue
        sql = m.group(1)
        params = dict(PARAM.findall(detail)) if detail.startswith("parameters:") else {}
        for n in sorted(params, key=int, reverse=True):
            sql = re.sub(r"\$%s(?!\d)" % n, params[n], sql)
        statements.append(sql.strip().rstrip(";") + ";")
    return statements


def median_wall(cmd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


print(f"{'report':<22}{'stmts':>6}{'tracetop ms':>13}{'psql ms':>10}{'ratio':>8}")
worst = 0.0
for report in reports:
    statements = capture(report)
    sql_file = os.path.join(outdir, report.replace(" ", "_").replace("-", "") + ".sql")
    with open(sql_file, "w") as f:
        f.write("\n".join(statements) + "\n")
    ours = median_wall([bin_, "analytics", *report.split(), *base_args])
    ref = median_wall(["psql", "-X", "-q", "-d", url, "-f", sql_file])
    ratio = ours / ref if ref else float("inf")
    worst = max(worst, ratio)
    print(f"{report:<22}{len(statements):>6}{ours:>13.1f}{ref:>10.1f}{ratio:>8.2f}")
print(f"worst ratio {worst:.2f} (target <= 1.20)")
