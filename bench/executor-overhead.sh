#!/usr/bin/env bash
# Measures the executor's own cost: sysbench cpu events/s when run by `virtperf run` (native
# platform, pidstat alongside at 1 s) versus the same command run by hand, on the same machine,
# in PAIRS interleaved pairs whose order inside each pair is random (seeded). Prints per-pair
# figures and the ratio virtperf/hand with a 95 % t interval over the per-pair ratios, as
# Markdown for docs/performance.md. Also reports the wall time a `virtperf run` of one run takes
# beyond the tool's own duration (start-up, facts, pidstat start and stop, manifest writes).
#
#   bench/executor-overhead.sh [PAIRS] [SECONDS]      (needs sysbench, sysstat, python3)
set -euo pipefail
PAIRS=${1:-10}
SECS=${2:-5}
SEED=${SEED:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VP=${VIRTPERF:-$ROOT/target/debug/virtperf}
[ -x "$VP" ] || (cd "$ROOT" && cargo build --locked -q)
WORK=$(mktemp -d /var/tmp/virtperf-overhead.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ARGS=(cpu --cpu-max-prime=20000 --threads=1 --time="$SECS" run)

cat >"$WORK/plan.toml" <<PLAN
campaign = "overhead"
[monitor]
pidstat_interval_s = 1
[[platform]]
name = "native"
kind = "native"
[[workload]]
name = "sysbench-cpu"
kind = "sysbench"
args = [$(printf '"%s", ' "${ARGS[@]}" | sed 's/, $//')]
repetitions = 1
PLAN

eps() { awk '/events per second:/ {print $4}' "$1"; }
RANDOM=$SEED
echo "pair,order,hand_eps,virtperf_eps,virtperf_wall_s,tool_s" >"$WORK/pairs.csv"
for i in $(seq 1 "$PAIRS"); do
  if (( RANDOM % 2 )); then order="hand-first"; else order="virtperf-first"; fi
  for who in $( [ "$order" = hand-first ] && echo "hand virtperf" || echo "virtperf hand" ); do
    if [ "$who" = hand ]; then
      sysbench "${ARGS[@]}" >"$WORK/hand$i.txt"
    else
      t0=$(date +%s.%N)
      "$VP" run "$WORK/plan.toml" --out "$WORK/vp$i" 2>/dev/null
      wall=$(echo "$(date +%s.%N) - $t0" | bc)
      tool=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["duration_s"])' "$WORK/vp$i/manifest.json")
      cp "$WORK/vp$i/native/sysbench-cpu/rep1.txt" "$WORK/virtperf$i.txt"
    fi
  done
  echo "$i,$order,$(eps "$WORK/hand$i.txt"),$(eps "$WORK/virtperf$i.txt"),$wall,$tool" | tee -a "$WORK/pairs.csv" >&2
done

python3 - "$WORK/pairs.csv" "$PAIRS" "$SECS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
h = [float(r["hand_eps"]) for r in rows]
v = [float(r["virtperf_eps"]) for r in rows]
ratios = [b / a for a, b in zip(h, v)]
n = len(ratios)
# two-sided 95 % Student t quantiles for n-1 degrees of freedom
t = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
     10: 2.228, 11: 2.201, 12: 2.179, 14: 2.145, 19: 2.093, 29: 2.045}.get(n - 1, 1.96)
m = statistics.mean(ratios)
half = t * statistics.stdev(ratios) / n ** 0.5
print(f"| pair | order | by hand (events/s) | by virtperf (events/s) | ratio |")
print(f"|---:|---|---:|---:|---:|")
for r, q in zip(rows, ratios):
    print(f"| {r['pair']} | {r['order']} | {float(r['hand_eps']):.2f} | {float(r['virtperf_eps']):.2f} | {q:.4f} |")
print()
print(f"By hand: mean {statistics.mean(h):.2f} events/s (sd {statistics.stdev(h):.2f}); "
      f"by virtperf: mean {statistics.mean(v):.2f} events/s (sd {statistics.stdev(v):.2f}).")
print(f"Ratio virtperf/hand over {n} pairs of {sys.argv[3]} s runs: {m:.4f}, "
      f"95 % interval [{m - half:.4f}, {m + half:.4f}] (t interval over per-pair ratios).")
extra = [float(r["virtperf_wall_s"]) - float(r["tool_s"]) for r in rows]
print(f"Wall time of `virtperf run` beyond the tool's own {statistics.mean(float(r['tool_s']) for r in rows):.2f} s: "
      f"mean {statistics.mean(extra):.2f} s, max {max(extra):.2f} s per campaign of one run.")
PY
