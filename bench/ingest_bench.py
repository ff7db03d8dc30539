#!/usr/bin/env python3
"""Ingest speed benchmark: virtperf against pandas and `wc -l`, on the same files, in one run.

Generates a corpus (not committed) under --dir:
  * pidstat.log: at least --mb MB of `pidstat -h -u -r -d -w 1` output over all processes,
    grown from a real capture taken on this machine at the start of the run (the real sample
    lines are repeated with timestamps advanced one second per interval and values jittered);
  * small/: --files small result files, copies of the real outputs in tests/fixtures and
    sample-data (sysbench, fio, wrk), spread over platform folders.
Then times, in --repeat rounds (each round runs the three tools back to back, so a change in the
machine's load between rounds touches all three; medians reported, page cache warm):
  * `wc -l` on the same files (the anchor),
  * `virtperf ingest ... --out X.csv` (release build),
  * pandas `read_csv(sep=r'\\s+', comment='#')`, the usual thing people reach for,
and reports wall time, MB/s, ratios against the anchor and peak RSS (from /usr/bin/time).

Usage: python3 bench/ingest_bench.py [--dir /var/tmp/virtperf-bench] [--mb 500] [--files 10000]
Needs: a release build (cargo build --release), pidstat, pandas, /usr/bin/time.
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRTPERF = os.path.join(ROOT, "target", "release", "virtperf")


def capture_pidstat():
    """A real `pidstat -h -u -r -d -w 1 3` capture over all processes."""
    out = subprocess.run(
        ["pidstat", "-h", "-u", "-r", "-d", "-w", "1", "3"],
        check=True, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"},
    ).stdout
    lines = out.splitlines()
    banner = lines[0]
    header = next(l for l in lines if l.startswith("#"))
    rows = [l for l in lines if l and not l.startswith("#") and not l.startswith("Linux")]
    if not rows:
        sys.exit("pidstat printed no rows")
    return banner, header, rows


NUM = re.compile(r"\d+\.\d\d")


def jitter(row, rng):
    return NUM.sub(lambda m: "%.2f" % (float(m.group()) * rng.uniform(0.8, 1.2)), row)


def make_pidstat(path, mb):
    banner, header, rows = capture_pidstat()
    rng = random.Random(1)
    # Rows grouped per timestamp in the capture; the timestamp is the first token.
    samples = {}
    for r in rows:
        samples.setdefault(r.split()[0], []).append(r)
    blocks = list(samples.values())
    target = mb * 1_000_000
    t0 = 1_700_000_000
    written = 0
    with open(path, "w") as f:
        f.write(banner + "\n\n")
        i = 0
        while written < target:
            block = blocks[i % len(blocks)]
            out = [header]
            for r in block:
                rest = r.split(None, 1)[1]
                out.append("%-10d %s" % (t0 + i, jitter(rest, rng)))
            text = "\n".join(out) + "\n\n"
            f.write(text)
            written += len(text)
            i += 1
    return written


def make_small(dirpath, n):
    seeds = []
    for base in ("tests/fixtures/sysbench", "tests/fixtures/fio", "tests/fixtures/wrk", "sample-data"):
        for dp, _, files in os.walk(os.path.join(ROOT, base)):
            for name in sorted(files):
                p = os.path.join(dp, name)
                if name.endswith((".sh", ".md", ".pidstat")) or os.path.getsize(p) == 0:
                    continue
                seeds.append(p)
    seeds.sort()
    platforms = ["native", "docker", "podman", "kvm"]
    for i in range(n):
        d = os.path.join(dirpath, platforms[i % len(platforms)], "set%03d" % (i // 400))
        os.makedirs(d, exist_ok=True)
        shutil.copyfile(seeds[i % len(seeds)], os.path.join(d, "run%05d.txt" % i))


def timed_once(cmd):
    """Wall time and peak RSS (KiB) of one run of cmd."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    try:
        rss = int(p.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        rss = 0
    return wall, rss


PANDAS_PIDSTAT = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], sep=r'\\s+', comment='#', header=None, skiprows=1)
print(len(df), df[7].astype(float).mean())
"""

PANDAS_SMALL = """
import os, sys, pandas as pd
n = 0
for dp, _, files in os.walk(sys.argv[1]):
    for f in files:
        try:
            n += len(pd.read_csv(os.path.join(dp, f), sep=r'\\s+', comment='#', header=None,
                                 on_bad_lines='skip'))
        except Exception:
            pass
print(n)
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/var/tmp/virtperf-bench")
    ap.add_argument("--mb", type=int, default=500)
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if not os.access(VIRTPERF, os.X_OK):
        sys.exit("build first: cargo build --release")
    os.makedirs(a.dir, exist_ok=True)
    log = os.path.join(a.dir, "pidstat.log")
    small = os.path.join(a.dir, "small")
    if not os.path.exists(log) or os.path.getsize(log) < a.mb * 1_000_000:
        print("generating %d MB pidstat log ..." % a.mb, file=sys.stderr)
        make_pidstat(log, a.mb)
    if not os.path.isdir(small):
        print("generating %d small files ..." % a.files, file=sys.stderr)
        make_small(small, a.files)
    size_mb = os.path.getsize(log) / 1e6
    small_files = [os.path.join(dp, f) for dp, _, fs in os.walk(small) for f in fs]
    small_mb = sum(os.path.getsize(p) for p in small_files) / 1e6
    out_csv = os.path.join(a.dir, "out.csv")

    results = []
    cases = [
        ("pidstat log", size_mb, [
            ("wc -l", ["wc", "-l", log]),
            ("virtperf ingest", [VIRTPERF, "ingest", "--quiet", log, "--label", "platform=native", "--out", out_csv]),
            ("pandas read_csv", [sys.executable, "-c", PANDAS_PIDSTAT, log]),
        ]),
        ("%d small files" % len(small_files), small_mb, [
            ("wc -l", ["sh", "-c", "find \"$1\" -type f -print0 | xargs -0 wc -l > /dev/null", "sh", small]),
            ("virtperf ingest", [VIRTPERF, "ingest", "--quiet", small, "--out", out_csv]),
            ("pandas read_csv", [sys.executable, "-c", PANDAS_SMALL, small]),
        ]),
    ]
    ratios = {}
    for corpus, mb, cmds in cases:
        walls = {name: [] for name, _ in cmds}
        rss = {name: 0 for name, _ in cmds}
        for _ in range(a.repeat):
            for name, cmd in cmds:
                w, r = timed_once(cmd)
                walls[name].append(w)
                rss[name] = max(rss[name], r)
        anchor = statistics.median(walls["wc -l"])
        for name, _ in cmds:
            wall = statistics.median(walls[name])
            results.append((corpus, mb, name, wall, rss[name], wall / anchor))
            print("%-18s %-16s %8.3f s %8.1f MB/s %6.1fx wc  peak %7.1f MiB"
                  % (corpus, name, wall, mb / wall, wall / anchor, rss[name] / 1024), file=sys.stderr)
        # Ratios within each round, then their median: what the load of one moment cannot skew.
        v, p, w = walls["virtperf ingest"], walls["pandas read_csv"], walls["wc -l"]
        ratios[corpus] = (
            sorted(pi / vi for pi, vi in zip(p, v)),
            sorted(vi / wi for vi, wi in zip(v, w)),
        )

    print("| corpus | tool | wall (s, median of %d) | MB/s | time / `wc -l` | peak RSS (MiB) |" % a.repeat)
    print("|---|---|---:|---:|---:|---:|")
    for corpus, mb, name, wall, rss, ratio in results:
        print("| %s (%.0f MB) | %s | %.3f | %.0f | %.2f | %.1f |" % (corpus, mb, name, wall, mb / wall, ratio, rss / 1024))
    for corpus, _, _ in cases:
        vs_pandas, vs_wc = ratios[corpus]
        print("\n%s, median of the %d rounds' own ratios: virtperf is %.1fx faster than pandas "
              "(rounds: %s), %.2fx the time of wc -l (rounds: %s)"
              % (corpus, a.repeat, statistics.median(vs_pandas), " ".join("%.1f" % r for r in vs_pandas),
                 statistics.median(vs_wc), " ".join("%.2f" % r for r in vs_wc)))


if __name__ == "__main__":
    main()
