#!/usr/bin/env bash
# Makes the bad-input corpus: damaged copies of a good BAM (BGZF framing, header, record fields,
# truncations at many offsets) plus MANIFEST, one line per file with the expected outcome.
# The e2e tests (tests/e2e/bad_input_test.cpp) run this into a scratch directory at test time;
# nothing it makes is committed.
#
# usage: make_bad.sh MAKE_BAD_BAM_BIN OUT_DIR [GOOD_BAM]
#   MAKE_BAD_BAM_BIN  the built tests/tools make_bad_bam (build/tests/make_bad_bam)
#   OUT_DIR           created if missing; existing files of the same names are replaced
#   GOOD_BAM          default: testdata/example.bam (its first 1000 records are used)
#
# MANIFEST columns: name, outcome (ok | warn | error), records (for ok/warn), needle (a phrase
# the one-line error must contain; empty for "any error"). Needs only bash and the tool.
set -euo pipefail

if (($# < 2 || $# > 3)); then
  sed -n '7,10p' "$0" >&2
  exit 2
fi
tool=$1
out_dir=$2
good=${3:-"$(cd "$(dirname "$0")/.." && pwd)/example.bam"}

mkdir -p "$out_dir"
"$tool" --input "$good" --out-dir "$out_dir" --records 1000 --block-bytes 16384

# Sanity: every listed file exists and every file is listed.
listed=$(grep -v '^#' "$out_dir/MANIFEST" | cut -f1 | sort)
present=$(cd "$out_dir" && ls -A | grep -vx MANIFEST | sort)
if [[ "$listed" != "$present" ]]; then
  echo "make_bad.sh: MANIFEST and $out_dir disagree" >&2
  exit 1
fi
echo "make_bad.sh: $(wc -l <<<"$listed") cases in $out_dir"
