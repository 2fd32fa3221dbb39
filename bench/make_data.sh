#!/usr/bin/env bash
# Makes reproducible benchmark BAMs from Debian packages (python3, art-nextgen-simulation-tools,
# minimap2, samtools). Each set comes in aligner order (NAME.aligner.bam, what a sort gets in
# practice) and coordinate order (NAME.coord.bam, via samtools sort), both at level 6 unless
# -l says otherwise, with NAME.manifest.txt recording how it was made.
#
# usage: bench/make_data.sh [-d DIR] [-m MODE] [-@ THREADS] [-s SEED] [-l LEVEL] [-b BASE] [-f] SIZE...
#   SIZE    records wanted: 200k, 4M, 20M, 1500000 (k/M/G are powers of 10)
#   -d DIR  output directory [bench/data]
#   -m MODE how the records are made [align]:
#           align      simulated genome (bench/simdata.py genome: hg38-like header of 300 contigs,
#                      chr1..22,X,Y,M at 1/32 of their length plus decoys, repeats, N gaps,
#                      segmental duplications), ART `art_illumina -ss HS25 -p -l 150 -m 400
#                      -s 50` 2x150 from a sample genome with SNPs/indels/SVs and a 1%
#                      contaminant, pairs shuffled and named in flowcell order with a few
#                      library artefacts, `minimap2 -ax sr -R @RG...`, MC on supplementary
#                      records (simdata.py supp-mc), `samtools fixmate` (MC on primaries; keeps
#                      aligner order). Set name art-SIZE. About 1 min per million records on 2
#                      cores (2M: 2 min; 20M: ~20-25 min, 15 GB of scratch space in DIR).
#           replicate  the align set of size -b (made first if missing) repeated until SIZE
#                      records, each copy with its own flowcell name and read group and each
#                      template moved by a random offset anywhere on its contigs
#                      (simdata.py replicate); set name rep-SIZE. About 2.5x faster than align.
#                      Caveat: moved reads no longer match their neighbours' sequence, so the
#                      coordinate-sorted set compresses like the unsorted one (art: 0.83x).
#           synthetic  make_test_bam from the samsort build (env MAKE_TEST_BAM, default
#                      build/tests/tools/make_test_bam): Illumina-like paired-end records with
#                      MC tags, no aligner involved. Fastest (4M: ~1 min). Set name syn-SIZE.
#   -@ N    threads for minimap2/samtools [nproc]
#   -s N    seed [1]; the same seed, size, threads and tool versions give the same bytes
#   -l N    BGZF level of the written BAMs [6]
#   -b SIZE base set size for -m replicate [2M]
#   -f      remake sets that already exist
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
dir=$here/data
mode=align
threads=$(nproc)
seed=1
level=6
base=2M
force=0
scale=32
decoys=275

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "d:m:@:s:l:b:fh" opt; do
  case "$opt" in
    d) dir=$OPTARG ;; m) mode=$OPTARG ;; @) threads=$OPTARG ;; s) seed=$OPTARG ;;
    l) level=$OPTARG ;; b) base=$OPTARG ;; f) force=1 ;; *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case "$mode" in align | replicate | synthetic) ;; *) echo "unknown mode $mode" >&2; usage ;; esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mtb=${MAKE_TEST_BAM:-$repo/build/tests/tools/make_test_bam}
[[ "$mtb" = /* ]] || mtb=$PWD/$mtb
# everything below runs inside DIR with relative names, so the @PG lines in the BAM headers
# (and so the files' bytes) do not depend on where DIR is
cd "$dir"

records_of() {  # 200k -> 200000
  local s=$1
  case "$s" in
    *[kK]) echo $(( ${s%[kK]} * 1000 )) ;;
    *[mM]) echo $(( ${s%[mM]} * 1000000 )) ;;
    *[gG]) echo $(( ${s%[gG]} * 1000000000 )) ;;
    *[!0-9]* | "") echo "bad size: $s" >&2; exit 2 ;;
    *) echo "$s" ;;
  esac
}

log() { printf '[make_data %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

need() {
  local t
  for t in "$@"; do
    command -v "$t" > /dev/null || { echo "missing $t (apt-get install ${pkg[$t]:-$t})" >&2; exit 1; }
  done
}
declare -A pkg=([art_illumina]=art-nextgen-simulation-tools [python3]=python3
  [minimap2]=minimap2 [samtools]=samtools)

versions() {
  echo "samtools: $(samtools --version | head -1)"
  if [ "$mode" != synthetic ]; then
    echo "python3: $(python3 --version 2>&1)"
    echo "art_illumina: $(dpkg-query -W -f '${Version}' art-nextgen-simulation-tools 2>/dev/null || echo '?')"
    echo "minimap2: $(minimap2 --version)"
  fi
}

# the reference and sample genomes, shared by all sizes of one seed
genome() {
  gdir=genome-s$seed
  if [ ! -s "$gdir/ref.mmi" ]; then
    mkdir -p "$gdir"
    log "genome (seed $seed, hg38/$scale, $decoys decoys) -> $gdir"
    python3 "$here/simdata.py" genome --seed "$seed" --scale "$scale" --decoys "$decoys" \
      --ref "$gdir/ref.fa" --sample "$gdir/sample.fa"
    samtools faidx "$gdir/ref.fa"
    minimap2 -x sr -t "$threads" -d "$gdir/ref.mmi.tmp" "$gdir/ref.fa" 2> "$gdir/minimap2-index.log"
    mv "$gdir/ref.mmi.tmp" "$gdir/ref.mmi"
  fi
}

coord_and_manifest() {  # name records commands...
  local name=$1 n=$2
  shift 2
  local out=$name
  log "$name: coordinate order"
  samtools sort -@ "$threads" -m 512M -l "$level" -T "tmp.$name/sort" \
    -o "$out.coord.bam" "$out.aligner.bam"
  local got
  got=$(samtools view -c -@ "$threads" "$out.aligner.bam")
  {
    echo "set: $name"
    echo "mode: $mode"
    echo "records requested: $n"
    echo "records: $got"
    echo "seed: $seed"
    echo "level: $level"
    echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
    versions
    echo "commands:"
    printf '  %s\n' "$@"
    echo "  samtools sort -@ $threads -m 512M -l $level -o $name.coord.bam $name.aligner.bam"
    echo "md5:"
    md5sum "$name.aligner.bam" "$name.coord.bam" | sed 's/^/  /'
    echo "samtools flagstat:"
    samtools flagstat -@ "$threads" "$out.aligner.bam" | sed 's/^/  /'
    echo "contigs: $(samtools view -H "$out.aligner.bam" | grep -c '^@SQ')"
  } > "$out.manifest.txt"
  rm -rf "tmp.$name"
  log "$name: $got records -> $dir/$out.{aligner,coord}.bam"
}

make_align() {  # label records
  local name=art-$1 n=$2
  local tmp=tmp.$name
  genome
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local pairs=$((n / 2)) eff fold
  eff=$(cat "$gdir/ref.fa.effective_length")
  # a few % more pairs than needed (ART rounds per contig), the surplus is dropped after shuffling
  fold=$(awk -v p="$pairs" -v e="$eff" 'BEGIN { printf "%.6f", p * 300 * 1.04 / e + 0.0005 }')
  local rg='@RG\tID:SIM.1\tSM:SIMSAMPLE\tLB:SIMLIB1\tPL:ILLUMINA\tPU:H5SIMADXX.1'
  local art_args=(-ss HS25 -p -l 150 -m 400 -s 50 -na -rs "$seed" -f "$fold")
  local art_cmd="art_illumina ${art_args[*]} -i sample.fa -o art"
  log "$name: $art_cmd"
  art_illumina "${art_args[@]}" -i "$gdir/sample.fa" -o "$tmp/art" > "$tmp/art.log"
  log "$name: shuffle $pairs pairs into flowcell order"
  python3 "$here/simdata.py" key --seed "$seed" "$tmp/art1.fq" "$tmp/art2.fq" \
    | LC_ALL=C sort -S 1G -T "$tmp" \
    | python3 "$here/simdata.py" rename --seed "$seed" --pairs "$pairs" \
      --out1 "$tmp/r1.fq" --out2 "$tmp/r2.fq"
  rm -f "$tmp/art1.fq" "$tmp/art2.fq"
  log "$name: minimap2 -ax sr | samtools fixmate"
  minimap2 -ax sr -t "$threads" -R "$rg" "$gdir/ref.mmi" "$tmp/r1.fq" "$tmp/r2.fq" \
    2> "$tmp/minimap2.log" \
    | python3 "$here/simdata.py" supp-mc \
    | samtools fixmate -@ "$threads" -O "bam,level=$level" - "$name.aligner.bam"
  coord_and_manifest "$name" "$n" \
    "python3 bench/simdata.py genome --seed $seed --scale $scale --decoys $decoys --ref ref.fa --sample sample.fa" \
    "minimap2 -x sr -d ref.mmi ref.fa" \
    "$art_cmd" \
    "python3 bench/simdata.py key --seed $seed art1.fq art2.fq | LC_ALL=C sort | python3 bench/simdata.py rename --seed $seed --pairs $pairs --out1 r1.fq --out2 r2.fq" \
    "minimap2 -ax sr -t $threads -R '$rg' ref.mmi r1.fq r2.fq | python3 bench/simdata.py supp-mc | samtools fixmate -O bam,level=$level - $name.aligner.bam"
}

make_replicate() {  # label records
  local name=rep-$1 n=$2 base_n
  base_n=$(records_of "$base")
  if [ ! -s "art-$base.aligner.bam" ]; then
    make_align "$base" "$base_n"
  fi
  mkdir -p "tmp.$name"
  log "$name: replicate art-$base"
  python3 "$here/simdata.py" replicate --seed "$seed" --records "$n" --threads 1 \
    "art-$base.aligner.bam" \
    | samtools view -@ "$threads" -O "bam,level=$level" -o "$name.aligner.bam" -
  coord_and_manifest "$name" "$n" \
    "(art-$base made by -m align, see art-$base.manifest.txt)" \
    "python3 bench/simdata.py replicate --seed $seed --records $n art-$base.aligner.bam | samtools view -O bam,level=$level -o $name.aligner.bam -"
}

make_synthetic() {  # label records
  local name=syn-$1 n=$2
  [ -x "$mtb" ] || { echo "no make_test_bam at $mtb (build the samsort tree, or set MAKE_TEST_BAM)" >&2; exit 1; }
  mkdir -p "tmp.$name"
  log "$name: make_test_bam"
  "$mtb" --records "$n" --seed "$seed" --level "$level" --threads "$threads" -o "$name.aligner.bam"
  coord_and_manifest "$name" "$n" \
    "make_test_bam --records $n --seed $seed --level $level --threads $threads -o $name.aligner.bam"
}

case "$mode" in
  align) need python3 art_illumina minimap2 samtools ;;
  replicate) need python3 art_illumina minimap2 samtools ;;
  synthetic) need samtools ;;
esac
prefix=$(case "$mode" in align) echo art ;; replicate) echo rep ;; synthetic) echo syn ;; esac)
for size in "$@"; do
  n=$(records_of "$size")
  if [ "$force" = 0 ] && [ -s "$prefix-$size.coord.bam" ]; then
    log "$prefix-$size exists (-f remakes it)"
    continue
  fi
  "make_$mode" "$size" "$n"
done
