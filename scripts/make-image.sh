#!/usr/bin/env bash
# Builds the Docker image the sample campaign uses, without a registry: a Debian bookworm
# minbase root file system with sysbench, fio, sysstat and nginx from Debian packages
# (debootstrap), imported with `docker import`. `virtperf lab` will replace this script.
#
#   scripts/make-image.sh [IMAGE] [DIR]
set -euo pipefail
IMAGE=${1:-virtperf-lab}
DIR=${2:-/var/tmp/virtperf-rootfs}
MIRROR=${MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "image $IMAGE exists" >&2
  exit 0
fi
if [ ! -x "$DIR/usr/bin/sysbench" ]; then
  rm -rf "$DIR"
  debootstrap --variant=minbase --include=sysbench,fio,sysstat,nginx-light,procps \
    bookworm "$DIR" "$MIRROR" >&2
fi
tar -C "$DIR" -c . | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >&2
echo "image $IMAGE built" >&2
