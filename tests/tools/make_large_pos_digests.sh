#!/usr/bin/env bash
# Digests of samtools HEAD's sort of testdata/samtools-tests/large_pos/longref3.expected.sam
# (positions up to 10^17) in every order, for tests/e2e/large_positions_test.cpp. Not run in CI.
#   bash tests/tools/make_large_pos_digests.sh /tmp/samtools-head/samtools/samtools
# (build that binary with ../shared/tools/build_samtools_head.sh).
set -euo pipefail
samtools=$1
dir=$(cd "$(dirname "$0")/../../testdata/samtools-tests/large_pos" && pwd)
out=$dir/head_digests.tsv
{
  echo "# samtools $("$samtools" --version | head -1 | cut -d' ' -f2): sort ARGS -O sam --no-PG longref3.expected.sam | md5sum"
  for args in "" "-n" "-N" "-t NM" "-t NM -n" "--template-coordinate"; do
    # shellcheck disable=SC2086
    digest=$("$samtools" sort $args -O sam --no-PG "$dir/longref3.expected.sam" | md5sum | cut -d' ' -f1)
    printf '%s\t%s\n' "$args" "$digest"
  done
} >"$out"
cat "$out"
