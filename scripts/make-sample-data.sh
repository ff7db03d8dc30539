#!/usr/bin/env bash
# Remakes sample-data/ with virtperf's own executor: `virtperf lab` builds the Docker image and
# the QEMU VM from Debian packages and writes a plan (sysbench cpu, memory and fileio, fio
# randread, wrk against nginx; 5 repetitions each on native, docker and qemu, pidstat alongside
# at 1 s inside each platform and on the host, runs interleaved in a seeded random order);
# `virtperf run` executes it; then the README's first command makes reports/sample/ from it.
# Needs root on a Debian/Ubuntu host with dockerd running (.ci/exec-setup.sh prepares one).
# Took 617 s for 78 runs on the 2-core development machine (QEMU under TCG).
#
#   scripts/make-sample-data.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${VIRTPERF_LAB:-/var/tmp/virtperf-lab}

cargo build --locked
VP="${CARGO_TARGET_DIR:-target}/debug/virtperf"
"$VP" lab --dir "$LAB"
rm -rf sample-data.new
time "$VP" run "$LAB/lab.toml" --out sample-data.new
rm -rf sample-data
mv sample-data.new sample-data
cargo run -- report sample-data --out reports/sample
