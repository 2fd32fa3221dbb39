#!/bin/sh
# Makes testdata/minimiser/digests.tsv: what samtools HEAD's `sort -M` writes for the
# minimiser option sets tests/e2e/minimiser_test.cpp runs, as the md5 of the record lines and
# the @HD line. CI has no samtools HEAD, so the e2e test compares samsort with these digests.
#
# The input is derived from testdata/example.bam with Debian's samtools (view) and perl, the
# same way the test derives it: six of every seven lines made unplaced (FLAG | 4, RNAME *,
# POS 0, MAPQ 0, CIGAR *, mate fields cleared), the rest left placed.
#
# Usage: tests/tools/make_minimiser_digests.sh SAMTOOLS_HEAD   (run from the repository root)
set -eu
head_samtools=${1:?usage: $0 /path/to/samtools-HEAD}
view=/usr/bin/samtools  # prints the records for the digests, as the test does
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$view" view -h testdata/example.bam |
  perl -F'\t' -lane 'if (/^@/) { print; next }
    if ($. % 7) { $F[1] |= 4; @F[2..8] = ("*", 0, 0, "*", "*", 0, 0) }
    print join("\t", @F)' |
  "$view" view -b --no-PG -o "$scratch/unaligned.bam" -

# Edge cases: IUPAC codes, '=', empty and short reads, no qualities (committed, ~25 KB).
python3 tests/tools/make_minimiser_iupac.py |
  "$view" view -b --no-PG -o testdata/minimiser/iupac.bam -

out=testdata/minimiser/digests.tsv
{
  echo "# made by tests/tools/make_minimiser_digests.sh with $("$head_samtools" --version | head -1)"
  echo "# options	md5 of record lines	@HD line"
  while IFS= read -r options; do
    input=$scratch/unaligned.bam
    case $options in iupac:*) input=$PWD/testdata/minimiser/iupac.bam ;; esac
    # shellcheck disable=SC2086  # the options are words
    (cd testdata && "$head_samtools" sort -@2 -m 1M ${options#iupac:} --no-PG \
      -o "$scratch/out.bam" "$input")
    records=$("$view" view "$scratch/out.bam" | md5sum | cut -d' ' -f1)
    hd=$("$view" view -H "$scratch/out.bam" | grep '^@HD')
    printf '%s\t%s\t%s\n' "$options" "$records" "$hd"
  done <<'SETS'
-M
-M -R
-M -K 15
-M -H
-M -I example.fa
-M -I example.fa -H
-M -K 31 -R -H
iupac:-M -K 10
iupac:-M -K 10 -H
iupac:-M -K 3 -R
iupac:-M -K 10 -I samtools-tests/mpileup.ref.fa
iupac:-M -K 4 -I samtools-tests/mpileup.ref.fa -H
SETS
} > "$out"
echo "wrote $out"
