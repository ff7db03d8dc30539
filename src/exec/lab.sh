#!/usr/bin/env bash
# virtperf lab: builds a Debian bookworm root file system with sysbench, fio, sysstat, nginx,
# MariaDB, Redis, iperf3, wrk, sshd and a cloud kernel (debootstrap, Debian packages only, no
# registry), then from it a Docker image (`docker import`) and a bootable ext4 disk image (raw,
# and a qcow2 copy when qemu-img is there) plus kernel and initrd for QEMU.
# Embedded in the virtperf binary and run by `virtperf lab`; every step is skipped when its
# result already exists and was made from the same package list, so a second run takes seconds.
#
#   bash -c "$(cat lab.sh)" virtperf-lab DIR IMAGE DISK_MIB MIRROR SKIP_DOCKER SKIP_QEMU
set -euo pipefail
DIR=$1 IMAGE=$2 DISK_MIB=$3 MIRROR=$4 SKIP_DOCKER=$5 SKIP_QEMU=$6
ROOTFS=$DIR/rootfs
# The servers and clients of the services (mariadb-server, redis-server, redis-tools, iperf3,
# wrk) let a campaign run them in the platform.
PACKAGES=sysbench,fio,sysstat,nginx-light,procps,openssh-server,linux-image-cloud-amd64,initramfs-tools,kmod,iproute2,tini,mariadb-server,redis-server,redis-tools,iperf3,wrk
say() { echo "virtperf lab: $*" >&2; }

mkdir -p "$DIR"
# The stamp holds the package list the root file system was made with: a lab made with another
# list (an older virtperf) is made again, and so are the images made from it.
if [ "$(cat "$ROOTFS/.virtperf-rootfs" 2>/dev/null)" != "$PACKAGES" ]; then
  [ -f "$ROOTFS/.virtperf-rootfs" ] && say "the package list changed since $ROOTFS was made: making it again"
  say "debootstrap bookworm into $ROOTFS from $MIRROR (a few minutes)"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 \
    || { tail -n 30 "$DIR/debootstrap.log" >&2; say "debootstrap failed; log: $DIR/debootstrap.log"; exit 1; }
  rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/lib/apt/lists/"*
  echo "$PACKAGES" >"$ROOTFS/.virtperf-rootfs"
else
  say "root file system exists: $ROOTFS"
fi

# put FILE MODE: writes stdin to FILE only when the content differs, so that an unchanged
# file keeps its time and the disk image is not rebuilt for nothing.
put() {
  local tmp; tmp=$(mktemp)
  cat >"$tmp"
  if ! cmp -s "$tmp" "$1"; then install -m "$2" "$tmp" "$1"; fi
  rm -f "$tmp"
}

# The VM's own init: no systemd, so a TCG boot is kernel + a few commands. tini reaps zombies.
put "$ROOTFS/sbin/virtperf-init" 755 <<'INIT'
#!/bin/sh
# PID 1 of the virtperf lab VM: mounts, static user-mode network (QEMU slirp), sshd.
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sys /sys 2>/dev/null
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -o remount,rw /
hostname virtperf-vm
modprobe virtio_net 2>/dev/null
ip link set lo up
for i in 1 2 3 4 5 6 7 8 9 10; do
  IF=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
  [ -n "$IF" ] && break
  sleep 0.5
done
ip link set "$IF" up
ip addr add 10.0.2.15/24 dev "$IF"
ip route add default via 10.0.2.2
mkdir -p /run/sshd
echo "virtperf-init: network on $IF, starting sshd"
exec /usr/bin/tini -s -- /usr/sbin/sshd -D -e
INIT
echo virtperf-vm | put "$ROOTFS/etc/hostname" 644
printf '127.0.0.1 localhost virtperf-vm\n' | put "$ROOTFS/etc/hosts" 644

# Login key for root, generated once; host keys of the image.
[ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C virtperf-lab -f "$DIR/id_ed25519"
install -d -m 700 "$ROOTFS/root/.ssh"
put "$ROOTFS/root/.ssh/authorized_keys" 600 <"$DIR/id_ed25519.pub"
ssh-keygen -A -f "$ROOTFS" >/dev/null
printf 'UseDNS no\nPermitRootLogin prohibit-password\n' | put "$ROOTFS/etc/ssh/sshd_config.d/virtperf.conf" 644

if [ "$SKIP_QEMU" != 1 ]; then
  kernel=$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)
  initrd=$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -n 1)
  cp -f "$kernel" "$DIR/vmlinuz"
  cp -f "$initrd" "$DIR/initrd.img"
  if [ ! -f "$DIR/disk.raw" ] || [ -n "$(find "$ROOTFS" -newer "$DIR/disk.raw" -print -quit)" ]; then
    say "making $DIR/disk.raw (${DISK_MIB} MiB ext4 from the root file system)"
    rm -f "$DIR/disk.raw.tmp"
    mkfs.ext4 -q -F -L virtperf-root -d "$ROOTFS" "$DIR/disk.raw.tmp" "${DISK_MIB}M"
    mv "$DIR/disk.raw.tmp" "$DIR/disk.raw"
  else
    say "disk image exists: $DIR/disk.raw"
  fi
  # The same file system as qcow2, for plans that compare disk formats (format = "qcow2").
  if ! command -v qemu-img >/dev/null 2>&1; then
    say "no qemu-img (qemu-utils): no disk.qcow2"
  elif [ ! -f "$DIR/disk.qcow2" ] || [ "$DIR/disk.raw" -nt "$DIR/disk.qcow2" ]; then
    say "making $DIR/disk.qcow2 from disk.raw (qemu-img convert)"
    qemu-img convert -f raw -O qcow2 "$DIR/disk.raw" "$DIR/disk.qcow2.tmp"
    mv "$DIR/disk.qcow2.tmp" "$DIR/disk.qcow2"
  else
    say "disk image exists: $DIR/disk.qcow2"
  fi
fi

if [ "$SKIP_DOCKER" != 1 ]; then
  # The image carries its package list in its environment: one made from another list is
  # imported again.
  if docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" 2>/dev/null \
      | grep -qxF "VIRTPERF_LAB_PACKAGES=$PACKAGES"; then
    say "docker image exists: $IMAGE"
  else
    say "docker import $IMAGE"
    tar -C "$ROOTFS" --exclude=./boot --exclude=./.virtperf-rootfs -c . \
      | docker import -c 'CMD ["/bin/bash"]' -c "ENV VIRTPERF_LAB_PACKAGES=$PACKAGES" - "$IMAGE" >/dev/null
  fi
fi
say "done"
