"""Time `tracetop analytics costs --reprice` against psql's hand-written join.

The hand join prices every completed, non-synthetic AI request of all time
against data/prices.toml given as a VALUES list (aliases expanded, open spans
ending in 9999) and sums per model: the least a re-price has to do. tracetop
does that plus the unpriced models and the worst requests of each model.
Both run as whole processes, median of RUNS. Usage:
bench_reprice.py BIN URL RUNS
"""
import glob, os, statistics, subprocess, sys, time, tomllib

bin_, url, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
SINCE, UNTIL = "2000-01-01", "2100-01-01"


def micros(v):
    # prices are decimal text; integer µ$ per million tokens (no floats)
    from decimal import Decimal, ROUND_HALF_UP
    return int((Decimal(str(v)) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def values_list():
    with open("data/prices.toml", "rb") as f:
        entries = tomllib.load(f)["price"]
    rows = []
    for e in entries:
        inp = micros(e["input_usd_per_mtok"])
        rate = lambda k: micros(e[k]) if k in e else inp
        later = [o["effective_from"] for o in entries
                 if o["model"] == e["model"] and str(o["effective_from"]) > str(e["effective_from"])]
        valid_to = e.get("effective_to") or (min(later, key=str) if later else "9999-12-31")
        for name in [e["model"], *e.get("aliases", [])]:
            rows.append("('%s', timestamptz '%s', timestamptz '%s', %d, %d, %d, %d)" % (
                name, e["effective_from"], valid_to, inp, micros(e["output_usd_per_mtok"]),
                rate("cache_read_usd_per_mtok"), rate("cache_write_usd_per_mtok")))
    return ",\n  ".join(rows)


HAND_JOIN = f"""SELECT r.model, count(*), sum(r.cost_microdollars)::bigint AS stored,
  sum((greatest(coalesce(r.input_tokens, 0) - coalesce(r.cache_read_tokens, 0) - coalesce(r.cache_creation_tokens, 0), 0)::bigint * p.input_rate
       + coalesce(r.cache_read_tokens, 0)::bigint * p.read_rate
       + coalesce(r.cache_creation_tokens, 0)::bigint * p.write_rate
       + coalesce(r.output_tokens, 0)::bigint * p.output_rate + 500000) / 1000000)::bigint AS priced
FROM ai_requests r
JOIN (VALUES
  {values_list()}
) AS p(name, valid_from, valid_to, input_rate, output_rate, read_rate, write_rate)
  ON p.name = r.model AND r.created_at >= p.valid_from AND r.created_at < p.valid_to
WHERE r.created_at >= '{SINCE}' AND r.created_at < '{UNTIL}' AND r.status = 'completed' AND NOT r.synthetic
GROUP BY r.model;
"""


def median_wall(cmd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


os.makedirs("target/bench-reprice", exist_ok=True)
sql_path = "target/bench-reprice/hand_join.sql"
with open(sql_path, "w") as f:
    f.write(HAND_JOIN)
reprice = [bin_, "analytics", "costs", "--reprice", "--database-url", url,
           "--since", SINCE, "--until", UNTIL, "-o", "json"]
hand = ["psql", "-X", "-q", "-d", url, "-f", sql_path]
# warm both (caches, plans), and show the two answers agree on the totals
out = subprocess.run(reprice, check=True, capture_output=True, text=True).stdout
import json
doc = json.loads(out)
psql_out = subprocess.run(["psql", "-X", "-At", "-F", ",", "-d", url, "-f", sql_path],
                          check=True, capture_output=True, text=True).stdout
stored = sum(int(l.split(",")[2]) for l in psql_out.splitlines() if l)
priced = sum(int(l.split(",")[3]) for l in psql_out.splitlines() if l)
print(f"tracetop: {doc['request_count']} priced requests, stored {doc['stored_microdollars']} µ$, "
      f"priced {doc['priced_microdollars']} µ$, {doc['drifted_requests']} drifting, "
      f"{doc['unpriced_request_count']} unpriced")
print(f"psql:     stored {stored} µ$, priced {priced} µ$")
assert (stored, priced) == (doc["stored_microdollars"], doc["priced_microdollars"]), "answers differ"
t_tool = median_wall(reprice)
t_psql = median_wall(hand)
print(f"{'reprice (tracetop)':<22}{t_tool:>10.0f} ms")
print(f"{'hand join (psql)':<22}{t_psql:>10.0f} ms")
print(f"ratio {t_tool / t_psql:.2f}x (target <= 1.5x), median of {runs}")
