#!/usr/bin/env bash
# Runs the studies of examples/studies (docs/studies.md) and makes their reports:
#   examples/studies/run.sh [--report-only] [NAME...]
# For each NAME (default: all five), `virtperf run` of examples/studies/NAME.toml into
# sample-studies/NAME/ (a fresh campaign: the folder is replaced), then `virtperf report`
# of it into reports/studies/NAME/ (report.md, report.html, figures). --report-only skips the
# runs and remakes the reports from the committed campaigns.
# The plans use the lab `virtperf lab` makes by default (/var/tmp/virtperf-lab, image
# virtperf-lab); LAB=DIR and IMAGE=NAME point them at another one (`virtperf lab --dir DIR
# --image NAME`). VIRTPERF=PATH runs that binary (default: target/debug/virtperf, built here).
set -euo pipefail
cd "$(dirname "$0")/../.."
ALL=(qemu-docker-sysbench four-platforms qemu-config-matrix automated-pidstat containers-vs-vms-paper)
LAB=${LAB:-/var/tmp/virtperf-lab}
IMAGE=${IMAGE:-virtperf-lab}
report_only=0
names=()
for a in "$@"; do
  case "$a" in
    --report-only) report_only=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) [ -f "examples/studies/$a.toml" ] || { echo "run.sh: no study '$a' (examples/studies/$a.toml)" >&2; exit 2; }
       names+=("$a") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
if [ -z "${VIRTPERF:-}" ]; then
  cargo build --locked -q
  VIRTPERF=target/debug/virtperf
fi
# forksum and memsweep, built statically for the command workloads of four-platforms.
if [ $report_only = 0 ] && { [ ! -x examples/bench/bin/forksum ] || [ ! -x examples/bench/bin/memsweep ]; }; then
  sh examples/bench/build.sh
fi

for name in "${names[@]}"; do
  data=sample-studies/$name
  if [ $report_only = 0 ]; then
    plan=examples/studies/$name.toml
    tmp=
    if [ "$LAB" != /var/tmp/virtperf-lab ] || [ "$IMAGE" != virtperf-lab ]; then
      # The same plan with the other lab's paths, beside it (its relative `files` still hold).
      tmp=examples/studies/.$name.local.toml
      sed -e "s|/var/tmp/virtperf-lab/|$LAB/|g" -e "s|\"virtperf-lab\"|\"$IMAGE\"|g" "$plan" >"$tmp"
      plan=$tmp
    fi
    rm -rf "$data"
    start=$(date +%s)
    # A run that fails is recorded as failed and the campaign goes on; virtperf exits 1 then.
    "$VIRTPERF" run "$plan" --out "$data" || echo "run.sh: $name: some runs failed (see $data/manifest.json)" >&2
    echo "run.sh: $name: campaign took $(( $(date +%s) - start )) s" >&2
    # The work folders hold what the runs left (services' data, copied binaries): not data.
    rm -rf "$data/.virtperf/work"
    [ -z "$tmp" ] || rm -f "$tmp"
  fi
  [ -f "$data/manifest.json" ] || { echo "run.sh: no campaign in $data: run it first" >&2; exit 1; }
  rm -rf "reports/studies/$name"
  # Exit status 1: some input could not be read (a pidstat log of a run too short to hold an
  # interval); the report is written and lists it. Anything else is an error.
  rc=0
  "$VIRTPERF" report "$data" --out "reports/studies/$name" --quiet || rc=$?
  [ $rc = 0 ] || [ $rc = 1 ] || exit $rc
  [ $rc = 0 ] || echo "run.sh: $name: some inputs could not be read (the report lists them)" >&2
  echo "run.sh: $name: report in reports/studies/$name" >&2
done

# The campaigns side by side (virtperf compare of N campaigns): sample-data, made on another day,
# against the two studies that share its sysbench cpu workload, platform by platform: the "did
# the numbers move between campaigns" view (docs/studies.md).
if [ ${#names[@]} -eq ${#ALL[@]} ]; then
  rm -rf reports/studies/compare
  rc=0
  "$VIRTPERF" compare sample-data sample-studies/qemu-docker-sysbench sample-studies/four-platforms \
    --out reports/studies/compare --quiet || rc=$?
  [ $rc = 0 ] || [ $rc = 1 ] || exit $rc
  echo "run.sh: the campaigns compared in reports/studies/compare" >&2
fi
