#!/usr/bin/env bash
# Digests of samtools HEAD's merge -R/-L/-X of four indexed chunks of testdata/example.bam,
# for tests/e2e/merge_regions_test.cpp (not run in CI, which has no samtools HEAD):
#   bash tests/tools/make_merge_region_digests.sh /tmp/samtools-head/samtools/samtools build/samsort
# The chunks are made as make_merge_digests.sh makes them (records by line number modulo 4),
# sorted by coordinate with `samsort sort --no-PG` and indexed with Debian's `samtools index`
# (BAI). A BED name in ARGS is a file of testdata/merge/. With -X, each chunk's index is
# written again as CSI under a custom name, idx/cI.custom.csi, given after the inputs. Each
# digest is the md5 of `samtools view --no-PG -h` (Debian's) of the merged BAM.
set -euo pipefail
head_samtools=$1 samsort=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/samtools view --no-PG -h "$root/testdata/example.bam" >"$work/all.sam"
mkdir "$work/idx"
for i in 0 1 2 3; do
  awk -v i="$i" '/^@/ {print; next} {if (n++ % 4 == i) print}' "$work/all.sam" >"$work/c$i.sam"
  "$samsort" sort --no-PG --verbosity 0 -o "$work/c$i.bam" "$work/c$i.sam"
  /usr/bin/samtools index "$work/c$i.bam"
  /usr/bin/samtools index -c "$work/c$i.bam" "$work/idx/c$i.custom.csi"
done
out=$root/testdata/merge/region_digests.tsv
{
  echo "# samtools $("$head_samtools" --version | head -1 | cut -d' ' -f2): merge -s 1 --no-PG ARGS of 4 indexed chunks; md5 of samtools view --no-PG -h"
  while IFS= read -r args; do
    # shellcheck disable=SC2206
    words=($args)
    for idx in "${!words[@]}"; do
      if [[ ${words[idx]} == *.bed ]]; then words[idx]=$root/testdata/merge/${words[idx]}; fi
    done
    inputs=("$work"/c[0-3].bam)
    if [[ " $args " == *" -X "* ]]; then inputs+=("$work"/idx/c[0-3].custom.csi); fi
    "$head_samtools" merge -f -s 1 --no-PG "${words[@]}" -o "$work/m.bam" "${inputs[@]}"
    digest=$(/usr/bin/samtools view --no-PG -h "$work/m.bam" | md5sum | cut -d' ' -f1)
    printf '%s\t%s\n' "$args" "$digest"
  done <<'CASES'
-R chr1:100000-200000
-R chr2
-R chr3:1,000-2,000
-R chr4:100000-
-R chrM:1-100
-R chr1:1-200
-R chr5:1-100 -r
-L regions.bed
-L unplaced.bed
-L regions.bed -c -p
-L empty_intervals.bed
-X -R chr1:100000-200000
-X -L regions.bed
CASES
} >"$out"
cat "$out"
