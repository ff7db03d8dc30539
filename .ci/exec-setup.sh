#!/usr/bin/env bash
# Prepares a fresh Debian bookworm machine (as root) for the executor's tests (tests/exec.rs):
# installs Docker, QEMU, debootstrap, the ssh client, the services' servers and clients, a C
# compiler, and python3 (which runs
# tests/fake-bin/qemu-broken-kvm), starts dockerd in the background if it is not running and
# waits for it, then builds the lab (`virtperf lab`: one debootstrap root
# file system -> the `virtperf-lab` Docker image and a direct-boot VM in /var/tmp/virtperf-lab).
# Idempotent: every step is skipped when its result exists (a second run takes seconds).
# Called by .ci/run before `cargo test`; the tests fail under CI=true if any of this is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
LAB=${VIRTPERF_LAB:-/var/tmp/virtperf-lab}

# gcc and libc6-dev build examples/bench statically (the command workloads' test); the servers
# and clients of the services run natively in tests/exec.rs (mariadb-server, redis-server,
# redis-tools, iperf3); qemu-utils makes the lab's disk.qcow2.
need=(docker.io debootstrap openssh-client e2fsprogs procps sysstat sysbench fio wrk python3 gcc libc6-dev
  mariadb-server redis-server redis-tools iperf3 qemu-utils)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "exec-setup: installing ${missing[*]}" >&2
  apt-get update -q
  # --no-remove: apt may add packages, never take away one the machine has.
  apt-get install -y -q --no-install-recommends --no-remove "${missing[@]}"
fi

# QEMU must come from the same build as a qemu-utils the machine already has (some images ship
# qemu-utils from bookworm-backports): a qemu-system-x86 of another version conflicts with it,
# and apt would settle that by removing qemu-utils. So take qemu-system-x86 at qemu-utils'
# version, from bookworm-backports when that is where it came from (the source is added for
# this; backports are never picked unless asked for by name, so nothing else changes).
if ! dpkg -s qemu-system-x86 >/dev/null 2>&1; then
  qemu=(qemu-system-x86)
  release=()
  if dpkg -s qemu-utils >/dev/null 2>&1; then
    v=$(dpkg-query -W -f='${Version}' qemu-utils)
    qemu=(qemu-system-x86="$v" qemu-system-common="$v" qemu-system-data="$v")
    if [[ "$v" == *~bpo12* ]]; then
      release=(-t bookworm-backports)
      if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "exec-setup: qemu-utils $v is from bookworm-backports; adding that source for qemu-system-x86" >&2
        cat >/etc/apt/sources.list.d/virtperf-bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      fi
    fi
  fi
  echo "exec-setup: installing ${qemu[*]}" >&2
  apt-get update -q
  apt-get install -y -q --no-install-recommends --no-remove "${release[@]}" "${qemu[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  echo "exec-setup: starting dockerd" >&2
  if ! pgrep -x dockerd >/dev/null; then
    setsid nohup dockerd >/var/log/virtperf-dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -n 30 /var/log/virtperf-dockerd.log >&2; echo "exec-setup: dockerd did not start" >&2; exit 1; }
fi

cargo build --locked
"${CARGO_TARGET_DIR:-target}/debug/virtperf" lab --dir "$LAB"
