#!/usr/bin/env bash
# Per-round ratio of the SDK signer's time to ours for a 1 KiB PutLogEvents request, for a
# machine whose speed drifts: each round runs 1KiB/cwlogs and 1KiB/sdk back to back in one
# process, so both see the same conditions, and the medians are of the per-round ratios.
# Give several test binaries (e.g. built at two commits) to interleave them round by round.
# Usage: (cd internal/interop && go test -c -o /tmp/new.test . && bash signratio.sh 16 /tmp/new.test [/tmp/old.test ...])
set -euo pipefail
rounds=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 1; i <= rounds; i++)); do
  for bin in "$@"; do
    "$bin" -test.run '^$' -test.bench 'SignPutLogEvents/1KiB/(cwlogs|sdk)$' -test.benchtime "${BENCHTIME:-0.5s}" |
      awk -v bin="$bin" '/^Benchmark.*\/cwlogs/ { cw = $3 } /^Benchmark.*\/sdk/ { sdk = $3 } END { print bin, cw, sdk, sdk / cw }' >>"$out"
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for bin in "$@"; do
  printf '%s: %d rounds; medians: cwlogs %s ns/op, sdk %s ns/op, sdk/cwlogs %s (per round %s to %s)\n' "$bin" "$rounds" \
    "$(awk -v b="$bin" '$1 == b { print $2 }' "$out" | median)" \
    "$(awk -v b="$bin" '$1 == b { print $3 }' "$out" | median)" \
    "$(awk -v b="$bin" '$1 == b { print $4 }' "$out" | median)" \
    "$(awk -v b="$bin" '$1 == b { print $4 }' "$out" | sort -g | head -1)" \
    "$(awk -v b="$bin" '$1 == b { print $4 }' "$out" | sort -g | tail -1)"
done
