#!/usr/bin/env bash
# Writes the SAM inputs of tests/unit/merge/header_merge_test.cpp and prints what samtools
# HEAD's `samtools merge --no-PG` makes of them (header, records' tags, stderr), the source of
# the test's expected strings. Usage: make_merge_header_cases.sh [SAMTOOLS] [WORKDIR]
# (default /tmp/samtools-head/samtools/samtools, a fresh temporary directory).
set -euo pipefail
samtools=${1:-/tmp/samtools-head/samtools/samtools}
work=${2:-$(mktemp -d)}
mkdir -p "$work/dir1" "$work/dir2"
cd "$work"

# sam FILE LINE... : a SAM file of header lines ('|' stands for a tab) and one record r_FILE.
sam() {
  local file=$1 rec=$2
  shift 2
  : >"$file"
  for line in "$@"; do printf '%s\n' "${line//|/$'\t'}" >>"$file"; done
  printf '%s\n' "${rec//|/$'\t'}" >>"$file"
}
R='|0|chr1|10|60|4M|*|0|0|ACGT|IIII'
sam a.sam "ra${R}|RG:Z:grp1|PG:Z:bwa" '@HD|VN:1.6|SO:coordinate' '@SQ|SN:chr1|LN:1000' \
  '@SQ|SN:chr2|LN:2000' '@RG|ID:grp1|SM:s1|PG:bwa' '@PG|ID:bwa|PN:bwa|VN:0.7' \
  '@PG|ID:st|PN:samtools|PP:bwa' '@CO|first comment'
sam b.sam "rb${R}|RG:Z:grp1|PG:Z:st" '@HD|VN:1.5|SO:coordinate|GO:query' '@SQ|SN:chr1|LN:1000' \
  '@SQ|SN:chr2|LN:2000' '@RG|ID:grp1|SM:s2|PG:bwa' '@RG|ID:grp2|SM:s3' \
  '@PG|ID:bwa|PN:bwa|VN:0.8' '@PG|ID:st|PN:samtools|PP:bwa' '@CO|second comment'
sam c.sam "rc${R}|RG:Z:grp1|RG:Z:x" '@HD|VN:1.6|SO:coordinate' '@SQ|SN:chr2|LN:2000' \
  '@SQ|SN:chr3|LN:3000' '@SQ|SN:chr1|LN:1000' '@RG|ID:grp1|SM:s4|PG:nope' \
  '@PG|ID:bwa|PN:bwa|PP:missing'
sam d.sam "rd${R}|RG:Z:grp1" '@HD|VN:1.6|SO:coordinate|SS:coordinate:x|GO:none' \
  '@SQ|SN:chr3|LN:3000' '@SQ|SN:chr1|LN:1000' '@RG|ID:grp1|SM:s5'
sam nohd.sam "rn${R}" '@SQ|SN:chr1|LN:1000' '@CO|no hd here'
sam dir1/x.sam "rx1${R}" '@SQ|SN:chr1|LN:1000'
sam dir2/x.sam "rx2${R}" '@SQ|SN:chr1|LN:1000'
sam alias.sam "ral|0|1|10|60|4M|*|0|0|ACGT|IIII" '@HD|VN:1.6' '@SQ|SN:chr5|LN:50' \
  '@SQ|SN:1|LN:1000'
sam an.sam "ran${R}" '@HD|VN:1.6' '@SQ|SN:chr1|LN:1000|AN:1' '@SQ|SN:chr2|LN:999'
sam hdr.sam "rh${R}" '@HD|VN:1.4|SO:coordinate' '@SQ|SN:chr2|LN:2000' '@SQ|SN:chr9|LN:9000' \
  '@RG|ID:grp1|SM:h1' '@PG|ID:bwa|PN:bwa' '@CO|from -h'
sam noso.sam "rs${R}" '@HD|VN:1.6|GO:query' '@SQ|SN:chr2|LN:2000' '@SQ|SN:chr1|LN:1000'
sam odd.sam "ro${R}|RG:Z:g" '@HD|VN:1.6|SO:coordinate' '@SQ|SN:chr1|LN:1000' '@RG|SM:q|ID:grp1' \
  '@PG|PN:p|PP:st|ID:bwa' '@PG|ID:st|PN:samtools' '@CO|odd|tabs'
sam dup.sam "rdup${R}" '@HD|VN:1.6' '@SQ|SN:chr1|LN:1000' '@RG|ID:grp1|SM:one' '@RG|ID:grp1|SM:two'
sam empty.sam "re|4|*|0|0|*|*|0|0|ACGT|IIII"
sam dir1/s.cram.sam "rsc${R}" '@SQ|SN:chr1|LN:1000'
sam z.bam "rz${R}" '@SQ|SN:chr1|LN:1000'
cp a.sam dir1/a.sam
sam bad.sam "rbad${R}" '@HD|VN:1.6' '@SQ|SN:chr1'

run() {
  local name=$1
  shift
  echo "### $name"
  echo "\$ samtools merge --no-PG -f -O sam -o out.sam $*"
  if "$samtools" merge --no-PG -f -O sam -o out.sam "$@" 2>err.txt; then
    echo '--- header'
    grep '^@' out.sam || true
    echo '--- records (name, RG, PG)'
    grep -v '^@' out.sam | awk -F'\t' '{t=""; for (i=12;i<=NF;i++) t=t" "$i; print $1 t}'
  else
    echo "--- failed: $?"
  fi
  echo '--- stderr'
  cat err.txt
}

run same_collide -s 1 a.sam b.sam
run same_combine_rg -c -s 1 a.sam b.sam
run same_combine_pg -p -s 1 a.sam b.sam
run same_combine_both -c -p -s 1 a.sam b.sam
run three_inputs -s 42 a.sam b.sam b.sam
run negative_seed -s -7 a.sam b.sam
run sq_union -s 1 a.sam c.sam
run sq_order_lost -s 1 a.sam d.sam
run sq_order_lost_queryname -n -s 1 a.sam d.sam
run sq_order_lost_tag -t XY -s 1 a.sam d.sam
run sq_order_lost_template --template-coordinate -s 1 a.sam d.sam
run no_hd_first -s 1 nohd.sam a.sam
run no_hd_anywhere -s 1 nohd.sam dir1/x.sam
run attach_rg -r -s 1 a.sam b.sam
run attach_rg_same_name -r -s 1 dir1/x.sam dir2/x.sam a.sam
run attach_rg_combine -r -c -s 1 a.sam b.sam
run attach_rg_merged_away -r -s 1 a.sam dir1/a.sam
run header_override -h hdr.sam -s 1 a.sam b.sam
run header_override_combine -h hdr.sam -c -p -s 1 a.sam
run alias -s 1 an.sam alias.sam
run hd_without_so -s 1 a.sam noso.sam
run hd_without_so_first -s 1 noso.sam a.sam
run hd_reset_ss_go -s 1 d.sam c.sam
run sq_length_differs -s 1 a.sam an.sam
run odd_tag_order -s 1 a.sam odd.sam
run duplicate_rg_id -s 1 dup.sam a.sam
run empty_header -s 1 empty.sam empty.sam
run empty_first -s 1 empty.sam a.sam
run attach_rg_suffixes -r -s 1 dir1/s.cram.sam z.bam
run bad_header -s 1 a.sam bad.sam
