#!/usr/bin/env python3
"""Store benchmark: `virtperf analyse --store` against DuckDB SQL over the same Parquet files, in
one run.

Builds (not committed) under --dir:
  * seed/: `virtperf ingest sample-data --store seed` - the real outputs of sample-data (200
    files, 2,710 metric rows) in a store;
  * store/: --campaigns campaigns (c0000, c0001, ...), each --copies copies of the seed's rows
    (source paths made distinct per campaign and copy, every value multiplied by a jitter drawn
    uniformly from [0.9, 1.1], seeded), written as the seed's part files are
    (campaign=cNNNN/tool=T/part-0.parquet, same schema and string types) with a catalog naming
    them. The catalog's sha256 column is the hash of each synthetic path, not of a file.
Then times, in --repeat rounds (each round runs them back to back, page cache warm; the
all-campaign pair in --repeat-all rounds):
  * `virtperf analyse --store store --where campaign=cMIDDLE` (one campaign, release build),
  * DuckDB: the same campaign's per-group mean, sd and n in SQL,
  * `virtperf analyse --store store` (all campaigns, pooled per group as analyse pools them),
  * DuckDB: the same over all campaigns (GROUP BY workload, params, platform, platform_detail,
    metric),
and reports wall time and peak RSS (/usr/bin/time) with the medians of each round's own
ratios. DuckDB runs with its defaults (all cores); virtperf as it is.

Besides, `--prefix c00` times the campaigns whose names start with c00 (100 of them) the same
way, to show how time and memory grow with the selection.

Usage: python3 bench/store_bench.py [--dir /var/tmp/virtperf-store-bench] [--campaigns 1000]
       [--copies 4] [--repeat 3] [--repeat-all N] [--prefix c00]... [--reuse] [--build-only]
Needs: a release build (cargo build --release), duckdb and pyarrow (pip), /usr/bin/time, about
1 GB of free memory for all 1,000 campaigns (0.6 GiB at peak) and 200 MB of disk for the store.
Figures of a run: docs/performance.md, "The store".
"""
import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRTPERF = os.path.join(ROOT, "target", "release", "virtperf")


def build(args):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    seed = os.path.join(args.dir, "seed")
    store = os.path.join(args.dir, "store")
    for d in (seed, store):
        shutil.rmtree(d, ignore_errors=True)
    subprocess.run(
        [args.virtperf, "ingest", os.path.join(ROOT, "sample-data"), "--store", seed, "--campaign", "seed", "-q"],
        check=True,
    )
    catalog = pq.read_table(os.path.join(seed, "_catalog", "files.parquet"))
    parts = {}
    for tool_dir in sorted(os.listdir(os.path.join(seed, "campaign=seed"))):
        tool = tool_dir.split("=", 1)[1]
        parts[tool] = pq.read_table(os.path.join(seed, "campaign=seed", tool_dir, "part-0.parquet"))
    rng = random.Random(17)
    rows = 0
    cat_tables = []
    t0 = time.time()
    for i in range(args.campaigns):
        name = f"c{i:04d}"
        for tool, t in parts.items():
            copies = []
            n = t.num_rows
            for k in range(args.copies):
                prefix = f"{name}/copy{k}/"
                jitter = pa.array([rng.uniform(0.9, 1.1) for _ in range(n)], pa.float64())
                c = t.set_column(t.schema.get_field_index("source"), "source",
                                 pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), t["source"],
                                                             pa.scalar("", pa.large_string())))
                c = c.set_column(c.schema.get_field_index("value"), "value", pc.multiply(c["value"], jitter))
                c = c.set_column(c.schema.get_field_index("row"), "row",
                                 pc.add(c["row"], pa.scalar(k * 1_000_000, pa.uint64())))
                copies.append(c)
            out = pa.concat_tables(copies)
            d = os.path.join(store, f"campaign={name}", f"tool={tool}")
            os.makedirs(d, exist_ok=True)
            pq.write_table(out, os.path.join(d, "part-0.parquet"), compression="snappy")
            rows += out.num_rows
        for k in range(args.copies):
            prefix = f"{name}/copy{k}/"
            paths = [prefix + p for p in catalog["path"].to_pylist()]
            c = catalog.set_column(catalog.schema.get_field_index("path"), "path", pa.array(paths, pa.large_string()))
            c = c.set_column(c.schema.get_field_index("sha256"), "sha256",
                             pa.array([hashlib.sha256(p.encode()).hexdigest() for p in paths], pa.large_string()))
            c = c.set_column(c.schema.get_field_index("campaign"), "campaign",
                             pa.array([name] * c.num_rows, pa.large_string()))
            c = c.set_column(c.schema.get_field_index("parts"), "parts",
                             pc.replace_substring(c["parts"], "campaign=seed/", f"campaign={name}/"))
            cat_tables.append(c)
        if i % 100 == 99:
            print(f"  {i + 1} campaigns, {rows:,} rows, {time.time() - t0:.0f} s", file=sys.stderr)
    os.makedirs(os.path.join(store, "_catalog"), exist_ok=True)
    pq.write_table(pa.concat_tables(cat_tables), os.path.join(store, "_catalog", "files.parquet"),
                   compression="snappy")
    return store, rows


def sizes(store):
    import pyarrow.parquet as pq

    disk = uncompressed = rows = campaigns = 0
    for dirpath, _, files in os.walk(store):
        for f in files:
            p = os.path.join(dirpath, f)
            disk += os.path.getsize(p)
            if "campaign=" in dirpath:
                md = pq.read_metadata(p)
                uncompressed += sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
                rows += md.num_rows
        campaigns += os.path.basename(dirpath).startswith("campaign=")
    return disk, uncompressed, rows, campaigns


DUCK = """
import duckdb, sys
glob, campaign = sys.argv[1], sys.argv[2]
duckdb.sql("SET enable_progress_bar = false")
where = f"WHERE campaign LIKE '{campaign}'" if campaign else ""
rows = duckdb.sql(f'''
  SELECT workload, params, platform, platform_detail, metric,
         avg(value), stddev_samp(value), count(value)
  FROM read_parquet('{glob}', hive_partitioning = true) {where}
  GROUP BY ALL''').fetchall()
print(len(rows), "groups")
"""


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of `cmd`, via /usr/bin/time."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd} failed:\n{p.stdout}\n{p.stderr}")
    rss_kib = int(p.stderr.strip().splitlines()[-1])
    return wall, rss_kib / 1024, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/var/tmp/virtperf-store-bench")
    ap.add_argument("--campaigns", type=int, default=1000)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--repeat-all", type=int, default=None,
                    help="rounds of the all-campaign pair (default --repeat): it is the slow one")
    ap.add_argument("--prefix", action="append", default=[],
                    help="also time the campaigns whose names start with this (e.g. c00: 100 campaigns)")
    ap.add_argument("--reuse", action="store_true", help="time the store already built in --dir")
    ap.add_argument("--build-only", action="store_true", help="build the store, time nothing")
    ap.add_argument("--virtperf", default=VIRTPERF, help="the binary that ingests the seed")
    args = ap.parse_args()
    store = os.path.join(args.dir, "store")
    if not (args.reuse and os.path.isdir(store)):
        print(f"building {args.campaigns} campaigns x {args.copies} copies of sample-data ...", file=sys.stderr)
        store, _ = build(args)
    if args.build_only:
        return
    if not os.path.exists(VIRTPERF):
        sys.exit("build first: cargo build --release")
    disk, uncompressed, rows, campaigns = sizes(store)
    one = f"c{args.campaigns // 2:04d}"
    glob = f"{store}/campaign=*/*/*.parquet"
    out = os.path.join(args.dir, "out")
    cases = [
        ("one campaign", "virtperf", [VIRTPERF, "analyse", "-q", "--store", store, "--where", f"campaign={one}",
                                      "--out", out]),
        ("one campaign", "duckdb", [sys.executable, "-c", DUCK, glob, one]),
    ]
    for prefix in args.prefix:
        sel = f"campaigns {prefix}*"
        cases += [
            (sel, "virtperf", [VIRTPERF, "analyse", "-q", "--store", store, "--where", f"campaign={prefix}*",
                               "--out", out]),
            (sel, "duckdb", [sys.executable, "-c", DUCK, glob, prefix + "%"]),
        ]
    cases += [
        ("all campaigns", "virtperf", [VIRTPERF, "analyse", "-q", "--store", store, "--out", out]),
        ("all campaigns", "duckdb", [sys.executable, "-c", DUCK, glob, ""]),
    ]
    rounds = {c: args.repeat for c, _, _ in cases}
    rounds["all campaigns"] = args.repeat_all or args.repeat
    results = {(c, t): [] for c, t, _ in cases}
    for r in range(max(rounds.values())):
        for c, t, cmd in cases:
            if r >= rounds[c]:
                continue
            wall, rss, _ = timed(cmd)
            results[(c, t)].append((wall, rss))
            print(f"  round {r + 1}: {c:13} {t:8} {wall:8.3f} s {rss:8.1f} MiB", file=sys.stderr)
    print(f"store: {campaigns} campaigns, {rows:,} metric rows")
    print(f"store: {disk / 2**20:.1f} MiB on disk, {uncompressed / 2**20:.1f} MiB of data uncompressed")
    print("| selection | tool | rounds | wall (s, median) | peak RSS (MiB) | time / DuckDB (median of rounds) |")
    print("|---|---|---:|---:|---:|---:|")
    for c, t, _ in cases:
        walls = [w for w, _ in results[(c, t)]]
        rss = max(m for _, m in results[(c, t)])
        ratios = [a[0] / b[0] for a, b in zip(results[(c, t)], results[(c, "duckdb")])]
        print(f"| {c} | {t} | {len(walls)} | {statistics.median(walls):.3f} | {rss:.1f} | "
              f"{statistics.median(ratios):.2f} |")


if __name__ == "__main__":
    main()
