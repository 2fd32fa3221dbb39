#!/usr/bin/env bash
# Regenerates testdata/example.fa and testdata/example.bam (aligner-order, real aligner output)
# and testdata/README.md from Debian tools: python3, art_illumina, minimap2, samtools. Deterministic.
set -euo pipefail

readonly kGenomeSeed=20240601
readonly kArtSeed=20240602
readonly kNameSeed=20240603
readonly kCoverage=1.9
readonly kReadGroup='@RG\tID:rg1\tSM:sample1\tLB:lib1\tPL:ILLUMINA'

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in python3 art_illumina minimap2 samtools; do
  command -v "$tool" >/dev/null || { echo "make_example.sh: $tool not found" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/samsort-example.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

# 1. Reference (example.fa) and a donor genome (sample.fa) that differs from it by SNPs, small
#    indels, inversions, deletions, translocations, a novel insertion and a contaminant contig, so
#    that alignment yields split reads (supplementary), one-end-unmapped and unmapped pairs.
python3 - "$kGenomeSeed" <<'PY'
import random
import sys

rng = random.Random(int(sys.argv[1]))
kBases = "ACGT"
kComplement = str.maketrans("ACGTN", "TGCAN")
kLineWidth = 60


def below(n):
    """Uniform integer in [0, n) by rejection on getrandbits (stable across Python versions)."""
    bits = max(1, (n - 1).bit_length())
    while True:
        value = rng.getrandbits(bits)
        if value < n:
            return value


def random_dna(length):
    value = rng.getrandbits(2 * length)
    out = bytearray(length)
    for i in range(length):
        out[i] = ord(kBases[value & 3])
        value >>= 2
    return out.decode()


def mutate(seq, rate):
    """Substitutions at the given rate (used to make diverged repeat copies)."""
    out = list(seq)
    for _ in range(int(len(seq) * rate)):
        i = below(len(out))
        out[i] = kBases[(kBases.index(out[i]) + 1 + below(3)) % 4] if out[i] != "N" else "N"
    return "".join(out)


def revcomp(seq):
    return seq.translate(kComplement)[::-1]


# Repeat families: a short SINE-like and a longer LINE-like element, inserted with divergence.
sine = random_dna(300)
line = random_dna(6000)
segdup = None

contig_lengths = [("chr1", 700_000), ("chr2", 550_000), ("chr3", 450_000),
                  ("chr4", 350_000), ("chr5", 250_000), ("chrM", 16_569)]
reference = {}
for name, length in contig_lengths:
    seq = random_dna(length)
    if name != "chrM":
        pieces = []
        cursor = 0
        # Interspersed repeats every ~8 kb on average.
        while True:
            cursor += 2000 + below(12000)
            if cursor >= length - 10_000:
                break
            element = sine if below(4) else line[below(3000):]
            if below(2):
                element = revcomp(element)
            pieces.append((cursor, mutate(element, 0.02 + below(10) / 100)))
            cursor += len(element)
        parts = []
        last = 0
        for at, element in pieces:
            parts.append(seq[last:at])
            parts.append(element)
            last = at + len(element)
        parts.append(seq[last:])
        seq = "".join(parts)[:length]
        # Microsatellites and an assembly gap of Ns.
        for _ in range(20):
            at = below(length - 200)
            unit = random_dna(1 + below(4))
            seq = seq[:at] + (unit * 200)[:60 + below(100)] + seq[at + 160:]
            seq = seq[:length]
        if name == "chr1":
            seq = seq[:300_000] + "N" * 5000 + seq[305_000:]
    reference[name] = seq

# A 20 kb segmental duplication (chr2 -> chr4, 0.5% diverged) for MAPQ 0 and secondary hits.
segdup = reference["chr2"][100_000:120_000]
chr4 = reference["chr4"]
reference["chr4"] = chr4[:200_000] + mutate(segdup, 0.005) + chr4[220_000:]


def write_fasta(path, contigs):
    with open(path, "w") as out:
        for name, seq in contigs:
            out.write(f">{name}\n")
            for i in range(0, len(seq), kLineWidth):
                out.write(seq[i:i + kLineWidth] + "\n")


write_fasta("example.fa", [(name, reference[name]) for name, _ in contig_lengths])

# Donor genome: point variants first, then structural events per chromosome.
donor = {}
for name, _ in contig_lengths:
    seq = list(reference[name])
    for _ in range(len(seq) // 1000):  # ~0.1% SNPs
        i = below(len(seq))
        if seq[i] != "N":
            seq[i] = kBases[(kBases.index(seq[i]) + 1 + below(3)) % 4]
    seq = "".join(seq)
    for _ in range(len(seq) // 20_000):  # small indels
        at = below(len(seq) - 100)
        if below(2):
            seq = seq[:at] + random_dna(1 + below(8)) + seq[at:]
        else:
            seq = seq[:at] + seq[at + 1 + below(8):]
    donor[name] = seq

for name in ["chr1", "chr2", "chr3", "chr4", "chr5"]:
    seq = donor[name]
    length = len(seq)
    # Non-overlapping event slots along the chromosome.
    slots = sorted(below(length - 60_000) + 20_000 for _ in range(12))
    edits = []
    previous_end = 0
    for slot in slots:
        if slot < previous_end:
            continue
        kind = below(3)
        if kind == 0:  # inversion of 3-15 kb
            size = 3000 + below(12_000)
            edits.append((slot, slot + size, revcomp(seq[slot:slot + size])))
        elif kind == 1:  # deletion of 1-8 kb
            size = 1000 + below(7000)
            edits.append((slot, slot + size, ""))
        else:  # translocated segment from another chromosome replaces 3-10 kb
            size = 3000 + below(7000)
            other = ["chr1", "chr2", "chr3", "chr4", "chr5"][below(5)]
            if other == name:
                other = "chr1" if name != "chr1" else "chr2"
            start = below(len(reference[other]) - size - 1)
            edits.append((slot, slot + size, reference[other][start:start + size]))
        previous_end = slot + 20_000
    for start, end, replacement in reversed(edits):
        seq = seq[:start] + replacement + seq[end:]
    donor[name] = seq

# Novel 2 kb insertions (mates there are unmapped) and a contaminant contig absent from example.fa.
for name in ["chr1", "chr2", "chr3", "chr4", "chr5"]:
    for at in (60_000, 160_000):
        seq = donor[name]
        donor[name] = seq[:at] + random_dna(2000) + seq[at:]
donor["contaminant"] = random_dna(30_000)

write_fasta("sample.fa", [(name, donor[name]) for name in donor])
PY

# 2. Simulated 2x150 HiSeq 2500 reads.
art_illumina -ss HS25 -p -l 150 -f "$kCoverage" -m 400 -s 50 -rs "$kArtSeed" -na \
  -i sample.fa -o art_ >art.log 2>&1

# 3. Shuffle pairs (a sequencer's FASTQ is in flow-cell order, not genome order) and give them
#    Illumina names whose tile/y fields increase through the file, as bcl2fastq output does.
python3 - "$kNameSeed" <<'PY'
import random
import sys

rng = random.Random(int(sys.argv[1]))


def below(n):
    bits = max(1, (n - 1).bit_length())
    while True:
        value = rng.getrandbits(bits)
        if value < n:
            return value


def read_fastq(path):
    with open(path) as handle:
        lines = handle.read().splitlines()
    return [(lines[i + 1], lines[i + 3]) for i in range(0, len(lines), 4)]


reads1 = read_fastq("art_1.fq")
reads2 = read_fastq("art_2.fq")
assert len(reads1) == len(reads2)
order = list(range(len(reads1)))
for i in range(len(order) - 1, 0, -1):
    j = below(i + 1)
    order[i], order[j] = order[j], order[i]

tiles = [lane * 10_000 + surface * 1000 + swath * 100 + tile
         for lane in (1, 2) for surface in (1, 2) for swath in (1, 2) for tile in range(1, 17)]
per_tile = -(-len(order) // len(tiles))
with open("r1.fq", "w") as out1, open("r2.fq", "w") as out2:
    y = 0
    for rank, index in enumerate(order):
        if rank % per_tile == 0:
            y = 1000 + below(400)
        code = tiles[rank // per_tile]
        lane, tile = code // 10_000, code % 10_000
        y += 1 + below(260)
        name = f"HWI-D00360:112:C8GTWANXX:{lane}:{tile}:{1000 + below(20_000)}:{y}"
        for out, reads, mate in ((out1, reads1, 1), (out2, reads2, 2)):
            seq, qual = reads[index]
            out.write(f"@{name} {mate}:N:0:ACAGTG\n{seq}\n+\n{qual}\n")
PY

# 4. Align (aligner order is kept), then add MC/mate fields with fixmate (no -m, no re-sorting).
minimap2 -t 1 -ax sr -R "$kReadGroup" example.fa r1.fq r2.fq >aln.sam 2>minimap2.log
samtools fixmate -O bam,level=6 aln.sam example.bam
samtools quickcheck example.bam

cp example.fa "$script_dir/example.fa"
cp example.bam "$script_dir/example.bam"

# 5. README with the facts of this run.
records="$(samtools view -c example.bam)"
pairs="$(grep -c '^@' r1.fq || true)"
flagstat="$(samtools flagstat example.bam)"
unmapped="$(samtools view -c -f 4 example.bam)"
supplementary="$(samtools view -c -f 2048 example.bam)"
secondary="$(samtools view -c -f 256 example.bam)"
fa_bytes="$(stat -c %s example.fa)"
bam_bytes="$(stat -c %s example.bam)"
contigs="$(grep '^>' example.fa | tr -d '>' | tr '\n' ' ')"
art_version="$(art_illumina 2>&1 | grep -m1 -o 'Version [0-9.]*' || true)"
minimap2_version="$(minimap2 --version)"
samtools_version="$(samtools --version | head -1)"

cat >"$script_dir/README.md" <<EOF
# Test data

Bundled example inputs for the samsort tests. Everything here is regenerated by \`testdata/make_example.sh\`
(fixed seeds; byte-identical output with the tool versions listed below; needs python3,
art_illumina, minimap2 and samtools).
Do not edit these files by hand.

| File | What it is |
| --- | --- |
| \`example.fa\` | Simulated reference genome, ${fa_bytes} bytes: ${contigs}(random sequence with interspersed repeats, microsatellites, a 5 kb N gap in chr1 and a 20 kb chr2 -> chr4 segmental duplication). |
| \`example.bam\` | ${records} records, ${bam_bytes} bytes, BGZF level 6, in aligner order (unsorted, name-grouped). It has no \`@HD\` line, because minimap2 writes none. ${pairs} read pairs. |
| \`make_example.sh\` | The script that makes both files and this README. |

## example.bam

- ${unmapped} unmapped records (0x4), ${supplementary} supplementary (0x800), ${secondary} secondary (0x100).
- Reads were simulated from a donor genome that differs from \`example.fa\` by SNPs, small indels,
  inversions, deletions, inter-chromosomal translocations, novel 2 kb insertions (one-end-unmapped
  pairs) and a 30 kb contaminant contig (fully unmapped pairs). The donor genome is not kept.
- Read pairs were shuffled and renamed \`HWI-D00360:112:C8GTWANXX:LANE:TILE:X:Y\`, with lane, tile
  and y increasing through the FASTQ as in bcl2fastq output; one read group \`rg1\`.
- MC tags and mate fields come from \`samtools fixmate\` (run without \`-m\`). It keeps the
  records name-grouped in aligner order, but may move a supplementary line ahead of its primary.
- Records carry minimap2's own tags as well (\`ms\`, \`nn\`, \`tp:A\`, \`cm\`, \`s1\`, \`s2\`,
  \`de:f\`, \`rl\`, \`SA\`) plus \`MQ\` and \`MC\` from fixmate.

Commands (inside a scratch directory; see the script for the genome generator and renaming step):

\`\`\`
art_illumina -ss HS25 -p -l 150 -f ${kCoverage} -m 400 -s 50 -rs ${kArtSeed} -na -i sample.fa -o art_
minimap2 -t 1 -ax sr -R '${kReadGroup}' example.fa r1.fq r2.fq > aln.sam
samtools fixmate -O bam,level=6 aln.sam example.bam
\`\`\`

Tool versions: ART ${art_version}, minimap2 ${minimap2_version}, ${samtools_version}.

\`samtools flagstat example.bam\`:

\`\`\`
${flagstat}
\`\`\`
EOF

echo "wrote $script_dir/example.fa ($fa_bytes bytes), $script_dir/example.bam ($records records, $bam_bytes bytes)"
