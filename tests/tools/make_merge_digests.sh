#!/usr/bin/env bash
# Digests of samtools HEAD's merge of four chunks of testdata/example.bam, for
# tests/e2e/merge_test.cpp (not run in CI, which has no samtools HEAD; -R/-L/-X have their own
# script, make_merge_region_digests.sh):
#   bash tests/tools/make_merge_digests.sh /tmp/samtools-head/samtools/samtools build/samsort
# The chunks are made exactly as the test makes them: records split by their line number
# modulo 4 (Debian's samtools view --no-PG -h), each sorted with `samsort sort --no-PG` in
# the merge's order (samsort's sort order is samtools HEAD's). Each digest is the md5 of
# `samtools view --no-PG -h` (Debian's) of the merged BAM.
set -euo pipefail
head_samtools=$1 samsort=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/samtools view --no-PG -h "$root/testdata/example.bam" >"$work/all.sam"
for i in 0 1 2 3; do
  awk -v i="$i" '/^@/ {print; next} {if (n++ % 4 == i) print}' "$work/all.sam" >"$work/c$i.sam"
done
out=$root/testdata/merge/head_digests.tsv
mkdir -p "$(dirname "$out")"
{
  echo "# samtools $("$head_samtools" --version | head -1 | cut -d' ' -f2): merge -s 1 --no-PG ARGS of 4 chunks; md5 of samtools view --no-PG -h"
  while IFS= read -r args; do
    # shellcheck disable=SC2086
    order=$(printf '%s\n' $args | grep -E '^(-n|-N|--template-coordinate)$|^-t$' | tr '\n' ' ' || true)
    tag=$(printf '%s\n' "$args" | grep -oE '\-t [A-Z0-9]{2}' || true)
    for i in 0 1 2 3; do
      # shellcheck disable=SC2086
      "$samsort" sort --no-PG --verbosity 0 ${order//-t /} $tag -o "$work/c$i.bam" "$work/c$i.sam"
    done
    # shellcheck disable=SC2086
    "$head_samtools" merge -f -s 1 --no-PG $args -o "$work/m.bam" "$work"/c[0-3].bam
    digest=$(/usr/bin/samtools view --no-PG -h "$work/m.bam" | md5sum | cut -d' ' -f1)
    printf '%s\t%s\n' "$args" "$digest"
  done <<'CASES'

-c -p
-r
-c -p -r
-n
-N
-t NM
-t NM -n
-n -r
CASES
} >"$out"
cat "$out"
