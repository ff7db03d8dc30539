#!/bin/sh
# Builds the two small benchmarks of examples/bench statically into examples/bench/bin/, so
# that a plan can copy them into any platform (`files = [...]`), even one without a compiler
# or with another C library (the lab image has none). Needs cc and the static C library
# (Debian: gcc libc6-dev).
#   sh examples/bench/build.sh [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/bin}
mkdir -p "$out"
for b in forksum memsweep; do
  ${CC:-cc} -O2 -Wall -Wextra -static -o "$out/$b" "$here/$b.c"
done
echo "built $out/forksum and $out/memsweep"
