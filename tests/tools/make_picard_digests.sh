#!/usr/bin/env bash
# Regenerates the digests of Picard SortSam's output in testdata/picard that
# tests/e2e/picard_order_test.cpp compares samsort with:
#   <input>.picard-{coordinate,queryname}.ids   the output's @HD line, then the `id` tag of every
#       record in Picard's order, for the test's own deterministic random records (written by its
#       disabled PicardInputs.Write test);
#   example.picard-{coordinate,queryname}.sha256   the @HD line, then the SHA-256 of
#       `samtools view` of Picard's output of testdata/example.bam (real aligner output);
#   hd_*.picard-{coordinate,queryname}.hd   Picard's @HD line for the small SAM inputs hd_*.sam
#       (unusual @HD lines).
# Needs Debian's picard-tools (2.27.5, htsjdk 3.0.4) and samtools. Usage:
#   tests/tools/make_picard_digests.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SAMSORT_PICARD_INPUT_DIR=$work "$build/tests/samsort_e2e_tests" --gtest_also_run_disabled_tests \
  --gtest_filter='PicardInputs.DISABLED_Write' >/dev/null
mkdir -p "$root/testdata/picard"
for input in "$work"/*.bam; do
  name=$(basename "$input" .bam)
  for order in coordinate queryname; do
    sorted=$work/$name.$order.bam
    # SILENT: the random records include shapes Picard's validator dislikes (e.g. mapped reads
    # without a CIGAR); sorting does not depend on validation.
    PicardCommandLine SortSam I="$input" O="$sorted" SORT_ORDER="$order" \
      VALIDATION_STRINGENCY=SILENT >/dev/null 2>&1
    {
      samtools view -H --no-PG "$sorted" | head -n 1
      samtools view "$sorted" |
        awk -F'\t' '{ for (i = 12; i <= NF; ++i) if ($i ~ /^id:i:/) { print substr($i, 6); break } }'
    } >"$root/testdata/picard/$name.picard-$order.ids"
  done
done
for order in coordinate queryname; do
  sorted=$work/example.$order.bam
  PicardCommandLine SortSam I="$root/testdata/example.bam" O="$sorted" SORT_ORDER="$order" \
    VALIDATION_STRINGENCY=SILENT >/dev/null 2>&1
  {
    samtools view -H --no-PG "$sorted" | head -n 1
    samtools view "$sorted" | sha256sum | cut -d' ' -f1
  } >"$root/testdata/picard/example.picard-$order.sha256"
done
for input in "$root"/testdata/picard/hd_*.sam; do
  name=$(basename "$input" .sam)
  for order in coordinate queryname; do
    sorted=$work/$name.$order.bam
    PicardCommandLine SortSam I="$input" O="$sorted" SORT_ORDER="$order" \
      VALIDATION_STRINGENCY=SILENT >/dev/null 2>&1
    samtools view -H --no-PG "$sorted" | head -n 1 >"$root/testdata/picard/$name.picard-$order.hd"
  done
done
picard_version=$(dpkg-query -W -f='${Version}' picard-tools 2>/dev/null || echo unknown)
echo "digests written with picard-tools $picard_version to $root/testdata/picard"
