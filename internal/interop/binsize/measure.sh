#!/usr/bin/env bash
# Stripped binary sizes of the minimal "create a group, put one event" program on cwlogs,
# on aws-sdk-go-v2 (static credentials, and config.LoadDefaultConfig) and the stdlib floor.
# Usage: (cd internal/interop && bash binsize/measure.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
floor=0
for p in floor cwlogs sdk sdkconfig; do
  go build -trimpath -ldflags='-s -w' -o "$out/$p" "./binsize/$p"
  size=$(stat -c %s "$out/$p")
  [ "$p" = floor ] && floor=$size
  awk -v p="$p" -v s="$size" -v f="$floor" 'BEGIN { printf "%-10s %10d bytes  %5.2f MB  %.3fx floor\n", p, s, s/1e6, s/f }'
done
rm -rf "$out"
