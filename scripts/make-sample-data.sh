#!/usr/bin/env bash
# Produces sample-data/: a small real campaign of sysbench (cpu, memory, fileio), fio and wrk
# (against nginx), each with pidstat alongside, on native and in Docker, REPS repetitions each,
# runs interleaved across platforms in a seeded random order so drift does not look like
# overhead. Until the executor (`virtperf run`) replaces it, this script is how sample-data is
# made. Needs: sysbench fio wrk sysstat nginx on the host, a running dockerd and an image
# (IMAGE, default virtperf-lab) with sysbench, fio, sysstat and nginx (see scripts/make-image.sh).
#
#   scripts/make-sample-data.sh [OUT] [REPS]
set -euo pipefail

OUT=${1:-sample-data}
REPS=${2:-5}
IMAGE=${IMAGE:-virtperf-lab}
SEED=${SEED:-42}
DUR=${DUR:-5}
PORT_NATIVE=18080
PORT_DOCKER=18081
WORK=$(mktemp -d /var/tmp/virtperf-sample.XXXXXX)
chmod 755 "$WORK" # nginx workers run unprivileged: without this every request is a 403
CONTAINER=virtperf-sample-$$
trap 'docker rm -f "$CONTAINER" >/dev/null 2>&1 || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# nginx serving a 4 KiB file, same config natively and in the container.
mkdir -p "$WORK/www"
head -c 4096 /dev/urandom | base64 -w 76 | head -c 4096 > "$WORK/www/index.html"
nginx_conf() { # $1 = prefix dir, $2 = port
  cat <<EOF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $1/tmp; proxy_temp_path $1/tmp; fastcgi_temp_path $1/tmp;
  uwsgi_temp_path $1/tmp; scgi_temp_path $1/tmp;
  server { listen $2; root $1/www; }
}
EOF
}
mkdir -p "$WORK/tmp"
nginx_conf "$WORK" "$PORT_NATIVE" > "$WORK/nginx.conf"
/usr/sbin/nginx -c "$WORK/nginx.conf"

# One long-lived container; workloads run in it with `docker exec` (nginx inside it too).
docker run -d --name "$CONTAINER" -p 127.0.0.1:$PORT_DOCKER:$PORT_DOCKER \
  -v "$WORK/www:/srv/www:ro" "$IMAGE" sleep infinity >/dev/null
docker exec "$CONTAINER" sh -c "mkdir -p /srv/tmp && ln -sfn /srv/www /srv/www2"
nginx_conf /srv "$PORT_DOCKER" | docker exec -i "$CONTAINER" sh -c 'cat > /srv/nginx.conf'
docker exec "$CONTAINER" /usr/sbin/nginx -c /srv/nginx.conf

# run_on PLATFORM CMD... : runs CMD on the platform, in a scratch dir.
run_on() {
  local platform=$1; shift
  case $platform in
    native) (cd "$WORK" && "$@") ;;
    docker) docker exec -w /tmp "$CONTAINER" "$@" ;;
  esac
}

# with_pidstat PLATFORM LOG PROC CMD... : pidstat -h -u -r -d -w at 1 s for processes named
# PROC, on the platform, while CMD runs.
with_pidstat() {
  local platform=$1 log=$2 proc=$3; shift 3
  case $platform in
    native) pidstat -h -u -r -d -w -C "$proc" 1 > "$log" & ;;
    docker) docker exec "$CONTAINER" pidstat -h -u -r -d -w -C "$proc" 1 > "$log" & ;;
  esac
  local mon=$!
  "$@"
  local status=$?
  sleep 0.2
  case $platform in
    native) kill -INT $mon 2>/dev/null || true ;;
    docker) docker exec "$CONTAINER" pkill -INT pidstat || true ;;
  esac
  wait $mon 2>/dev/null || true
  return $status
}

workload() { # PLATFORM NAME REP
  local platform=$1 name=$2 rep=$3
  local dir="$OUT/$platform/$name"
  mkdir -p "$dir"
  local out="$dir/rep$rep.txt" mon="$dir/rep$rep.pidstat"
  case $name in
    sysbench-cpu)
      with_pidstat "$platform" "$mon" sysbench run_on "$platform" \
        sysbench cpu --cpu-max-prime=20000 --threads=1 --time="$DUR" --report-interval=1 run > "$out" ;;
    sysbench-memory)
      with_pidstat "$platform" "$mon" sysbench run_on "$platform" \
        sysbench memory --memory-block-size=1M --memory-total-size=100G --threads=1 --time="$DUR" run > "$out" ;;
    sysbench-fileio)
      run_on "$platform" sysbench fileio --file-num=4 --file-total-size=256M prepare > /dev/null
      with_pidstat "$platform" "$mon" sysbench run_on "$platform" \
        sysbench fileio --file-num=4 --file-total-size=256M --file-test-mode=rndrw --time="$DUR" run > "$out"
      run_on "$platform" sysbench fileio --file-num=4 --file-total-size=256M cleanup > /dev/null ;;
    fio-randread)
      with_pidstat "$platform" "$mon" fio run_on "$platform" \
        fio --name=randread --rw=randread --bs=4k --size=128M --ioengine=psync --runtime="$DUR" \
            --time_based --filename=fio.dat --output-format=json > "$out"
      run_on "$platform" rm -f fio.dat ;;
    wrk)
      local port=$PORT_NATIVE; [ "$platform" = docker ] && port=$PORT_DOCKER
      # wrk runs on the host; pidstat watches nginx on the platform.
      with_pidstat "$platform" "$mon" nginx \
        wrk -t2 -c32 -d"${DUR}s" --latency "http://127.0.0.1:$port/index.html" > "$out" ;;
  esac
}

# The seeded, interleaved order of (rep, platform, workload).
plan=$(python3 - "$SEED" "$REPS" <<'PY'
import random, sys
seed, reps = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
for rep in range(1, reps + 1):
    runs = [(p, w) for p in ("native", "docker")
            for w in ("sysbench-cpu", "sysbench-memory", "sysbench-fileio", "fio-randread", "wrk")]
    rng.shuffle(runs)
    for p, w in runs:
        print(p, w, rep)
PY
)
total=$(wc -l <<< "$plan"); i=0
while read -r platform name rep; do
  i=$((i + 1))
  echo "[$i/$total] $platform $name rep$rep" >&2
  workload "$platform" "$name" "$rep"
done <<< "$plan"
echo "sample data in $OUT" >&2
