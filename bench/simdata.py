#!/usr/bin/env python3
"""Deterministic helpers for bench/make_data.sh (standard library only).

  genome     write a simulated human-like reference (ref.fa: chr1..22, X, Y, M scaled down,
             plus a few hundred small decoy/unplaced/HLA contigs) and the sequenced sample
             (sample.fa: the reference with SNPs, small indels, inversions and inserted segments,
             plus a contaminant contig
             that is not in the reference, so a realistic ~1% of pairs stay unmapped)
  key        read ART's two FASTQs in lockstep, write one line per pair prefixed by a
             seeded random key (so `sort` shuffles the pairs: ART writes them in genome order,
             a sequencer writes them in flowcell order, which is random along the genome)
  rename     read the sorted key lines, keep the first N pairs, name them like Illumina reads
             in flowcell order (lane:tile:x:y increasing along the file), add library
             artefacts (chimeric fragments, swapped mates, unmappable mates), write R1/R2 FASTQ
  supp-mc    SAM filter: MC tags on secondary/supplementary records (fixmate leaves them out)
  replicate  aligned BAM -> SAM text on stdout: the aligned set repeated until
             --records records, each copy with its own flowcell name and read group and every
             template moved by its own random offset (POS, PNEXT and SA:Z together), anywhere
             that keeps it on its contigs

Every random choice comes from random.Random(seed), whose integer-seeded stream is stable
across Python 3 versions, so the same seed gives the same bytes.
"""
import argparse
import random
import subprocess
import sys

# hg38 primary assembly lengths; the genome is these divided by --scale (chrM kept whole).
HG38 = [
    ("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555),
    ("chr5", 181538259), ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636),
    ("chr9", 138394717), ("chr10", 133797422), ("chr11", 135086622), ("chr12", 133275309),
    ("chr13", 114364328), ("chr14", 107043718), ("chr15", 101991189), ("chr16", 90338345),
    ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616), ("chr20", 64444167),
    ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895), ("chrY", 57227415),
    ("chrM", 16569),
]
# byte -> base with the human GC content (~41%)
BASES = bytes.maketrans(bytes(range(256)), b"A" * 76 + b"C" * 52 + b"G" * 52 + b"T" * 76)
ACGT = b"ACGT"
COMPLEMENT = bytes.maketrans(b"ACGTN", b"TGCAN")


def random_seq(rng, n):
    return bytearray(rng.randbytes(n).translate(BASES))


def mutate(rng, seq, rate):
    """Copy of seq with round(rate*len) substitutions."""
    out = bytearray(seq)
    n = len(out)
    for _ in range(int(rate * n + rng.random())):
        out[rng.randrange(n)] = ACGT[rng.randrange(4)]
    return out


class Repeats:
    """Interspersed repeat families (SINE-like, LINE-like) and microsatellites, overlaid onto
    random sequence so that a realistic share of reads maps with low MAPQ, as secondary or
    split (supplementary)."""

    def __init__(self, rng):
        self.rng = rng
        self.sines = [random_seq(rng, 300) for _ in range(3)]
        self.lines = [random_seq(rng, 6000) for _ in range(2)]

    def overlay(self, seq, start=0, end=None):
        rng = self.rng
        end = len(seq) if end is None else end
        n = end - start
        if n < 1000:
            return
        # SINEs ~10% of the sequence, 5-20% diverged
        for _ in range(n // 3000):
            fam = rng.choice(self.sines)
            copy = mutate(rng, fam, rng.uniform(0.05, 0.20))
            p = start + rng.randrange(n - len(copy))
            seq[p:p + len(copy)] = copy
        # LINE fragments ~8%, 3-15% diverged
        for _ in range(n // 40000):
            fam = rng.choice(self.lines)
            a = rng.randrange(len(fam) - 500)
            b = min(len(fam), a + rng.randrange(500, 6000))
            copy = mutate(rng, fam[a:b], rng.uniform(0.03, 0.15))
            if len(copy) >= n:
                continue
            p = start + rng.randrange(n - len(copy))
            seq[p:p + len(copy)] = copy
        # microsatellites
        for _ in range(n // 20000):
            unit = bytes(ACGT[rng.randrange(4)] for _ in range(rng.randrange(1, 5)))
            copy = (unit * 40)[:rng.randrange(20, 80)]
            p = start + rng.randrange(n - len(copy))
            seq[p:p + len(copy)] = copy


def human_like_contigs(rng, scale, decoys):
    """(name, length, kind) in hg38's header order: chr1..22, X, Y, M, then *_random,
    chrUn_*, chrEBV, *_decoy and HLA-* contigs (kind says how to fill them)."""
    contigs = [(name, n if name == "chrM" else max(50000, n // scale), "chrom") for name, n in HG38]
    n_random = decoys * 15 // 100
    n_un = decoys * 35 // 100
    n_hla = decoys * 20 // 100
    n_decoy = decoys - n_random - n_un - n_hla - 1
    accessions = rng.sample(range(270000, 271000), n_random + n_un)
    chroms = [name for name, _ in HG38[:24]]
    for i in range(n_random):
        chrom = chroms[rng.randrange(len(chroms))]
        contigs.append((f"{chrom}_KI{accessions[i]}v1_random", rng.randrange(2000, 60000), "random"))
    for i in range(n_un):
        prefix = "KI" if rng.random() < 0.7 else "GL000"
        acc = accessions[n_random + i] if prefix == "KI" else rng.randrange(190, 260)
        contigs.append((f"chrUn_{prefix}{acc}v1", rng.randrange(2000, 30000), "random"))
    contigs.append(("chrEBV", 171823, "random"))
    for i in range(n_decoy):
        contigs.append((f"chrUn_JTFH0{1000001 + i * 37}v1_decoy", rng.randrange(2000, 20000), "copy"))
    genes = ["A", "B", "C", "DPA1", "DPB1", "DQA1", "DQB1", "DRB1", "DRB3", "DRB4", "DRB5", "E", "F", "G"]
    for i in range(n_hla):
        g = genes[i % len(genes)]
        name = f"HLA-{g}*{rng.randrange(1, 80):02d}:{rng.randrange(1, 120):02d}:{rng.randrange(1, 20):02d}"
        if rng.random() < 0.5:
            name += f":{rng.randrange(1, 10):02d}"
        contigs.append((name, rng.randrange(2500, 5000), "hla"))
    # HLA allele names may repeat by chance: make every name unique
    seen, unique = set(), []
    for name, n, kind in contigs:
        while name in seen:
            name += "N"
        seen.add(name)
        unique.append((name, n, kind))
    return unique


def write_fasta(f, name, seq):
    f.write(b">" + name.encode() + b"\n")
    mv = memoryview(seq)
    for i in range(0, len(seq), 60):
        f.write(mv[i:i + 60])
        f.write(b"\n")


def cmd_genome(args):
    rng = random.Random(args.seed)
    reps = Repeats(rng)
    contigs = human_like_contigs(rng, args.scale, args.decoys)
    seqs = {}
    chr6 = None
    for name, n, kind in contigs:
        if kind == "chrom":
            s = random_seq(rng, n)
            reps.overlay(s)
            # N runs: telomeres, a centromere block; chrY is mostly N, as in hg38
            if name != "chrM":
                tel = min(10000, n // 50)
                s[:tel] = b"N" * tel
                s[n - tel:] = b"N" * tel
                cen = n // 40 if name != "chrY" else n // 2
                c0 = n // 3
                s[c0:c0 + cen] = b"N" * cen
            if name == "chr6":
                chr6 = s
        elif kind == "random":
            s = random_seq(rng, n)
            reps.overlay(s)
        elif kind == "copy":
            # decoys: diverged copies of pieces of the main chromosomes (multi-mapping reads)
            src = seqs[rng.choice([c for c, _, k in contigs[:24] if c != "chrY"])]
            for _ in range(100):
                a = rng.randrange(len(src) - n)
                if b"N" not in src[a:a + n]:
                    break
            s = mutate(rng, src[a:a + n], rng.uniform(0.01, 0.04))
        else:  # hla: alleles of a few chr6 genes, 1-5% diverged from the chr6 copy
            base = (hash_name(name) * 7919) % (len(chr6) // 3) + len(chr6) // 2
            s = mutate(rng, chr6[base:base + n], rng.uniform(0.01, 0.05))
        seqs[name] = s
    # segmental duplications: ~0.5% of the main chromosomes copied elsewhere, 1-4% diverged
    main = [c for c, _, k in contigs if k == "chrom" and c != "chrM"]
    total = sum(len(seqs[c]) for c in main)
    copied = 0
    while copied < total // 200:
        n = rng.randrange(5000, 50000)
        src, dst = seqs[rng.choice(main)], seqs[rng.choice(main)]
        if len(src) <= n or len(dst) <= n:
            continue
        a, b = rng.randrange(len(src) - n), rng.randrange(len(dst) - n)
        dst[b:b + n] = mutate(rng, src[a:a + n], rng.uniform(0.01, 0.04))
        copied += n
    with open(args.ref, "wb") as f:
        for name, _, _ in contigs:
            write_fasta(f, name, seqs[name])
    # the sample: structural variants (inversions; segments of one chromosome inserted into
    # another), so some reads are split (supplementary) and some pairs discordant
    sample = {c: bytearray(seqs[c]) for c, _, _ in contigs}
    for _ in range(args.svs):
        c = rng.choice(main)
        s = sample[c]
        n = rng.randrange(1000, 10000)
        a = rng.randrange(len(s) - n)
        s[a:a + n] = s[a:a + n][::-1].translate(COMPLEMENT)
        src = sample[rng.choice(main)]
        n = rng.randrange(500, 5000)
        a = rng.randrange(len(src) - n)
        piece = src[a:a + n]
        s = sample[rng.choice(main)]
        p = rng.randrange(len(s))
        s[p:p] = piece
    # SNPs (1e-3) and indels (1.5e-4, 1-10 bp), plus a contaminant contig
    with open(args.sample, "wb") as f:
        for name, _, _ in contigs:
            s = sample[name]
            n = len(s)
            snps = mutate(rng, s, 0.001)
            out = bytearray()
            pos = 0
            for p in sorted(rng.randrange(n) for _ in range(int(n * 0.00015))):
                if p < pos:
                    continue
                out += snps[pos:p]
                k = min(10, 1 + int(rng.expovariate(0.5)))
                if rng.random() < 0.5:
                    out += random_seq(rng, k)  # insertion
                    pos = p
                else:
                    pos = min(n, p + k)  # deletion
            out += snps[pos:]
            # keep N runs N (mutate() may have put bases into them: harmless either way)
            write_fasta(f, name, out)
        contam = random_seq(rng, max(20000, total // 100))
        write_fasta(f, "contaminant", contam)
    with open(args.ref + ".effective_length", "w") as f:
        # bases ART can sample from in sample.fa (non-N), to turn a pair count into a fold
        n_eff = sum(len(seqs[c]) - seqs[c].count(b"N") for c, _, _ in contigs) + len(contam)
        f.write(f"{n_eff}\n")


def hash_name(name):
    h = 0
    for ch in name.encode():
        h = (h * 131 + ch) % (1 << 31)
    return h


def read_fastq(f):
    while True:
        h = f.readline()
        if not h:
            return
        s = f.readline()
        f.readline()
        q = f.readline()
        yield s.rstrip(b"\n"), q.rstrip(b"\n")


def cmd_key(args):
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    with open(args.r1, "rb") as f1, open(args.r2, "rb") as f2:
        for (s1, q1), (s2, q2) in zip(read_fastq(f1), read_fastq(f2)):
            out.write(b"%016x\t%s\t%s\t%s\t%s\n" % (rng.getrandbits(64), s1, q1, s2, q2))


# HiSeq 2500 tiles: surface 1-2, swath 1-2, tile 01-16
TILES = [s * 1000 + w * 100 + t for s in (1, 2) for w in (1, 2) for t in range(1, 17)]


def illumina_name(rng, i, per_tile, state, run=7, flowcell="H5SIMADXX"):
    """Name of pair i (0-based) in flowcell order; y increases within a tile."""
    t = i // per_tile
    lane, tile = t // len(TILES) + 1, TILES[t % len(TILES)]
    if i % per_tile == 0:
        state[0] = 1000
    state[0] += rng.randrange(1, 4)
    return b"SIMHS25:%d:%s:%d:%d:%d:%d" % (run, flowcell.encode(), lane, tile,
                                            rng.randrange(1000, 21000), state[0])


def cmd_rename(args):
    """Keep the first --pairs pairs, name them in flowcell order and add library artefacts:
    chimeric fragments (read 1's tail from elsewhere: split alignments), swapped mates
    (discordant pairs, mates on other chromosomes) and unmappable mates (singletons)."""
    rng = random.Random(args.seed + 1)
    state = [0]
    n = 0
    donor = None  # read 2 of an earlier pair: some other place in the genome
    held = None  # a pair waiting to swap its read 2 with the next swapping pair
    with open(args.out1, "wb") as o1, open(args.out2, "wb") as o2:
        def emit(s1, q1, s2, q2):
            nonlocal n
            name = illumina_name(rng, n, args.per_tile, state)
            o1.write(b"@%s 1:N:0:ACGTACGT\n%s\n+\n%s\n" % (name, s1, q1))
            o2.write(b"@%s 2:N:0:ACGTACGT\n%s\n+\n%s\n" % (name, s2, q2))
            n += 1

        for line in sys.stdin.buffer:
            if n >= args.pairs:
                continue  # drain the rest: the writer must not die of SIGPIPE
            _, s1, q1, s2, q2 = line.rstrip(b"\n").split(b"\t")
            x = rng.random()
            if x < args.chimeric and donor is not None:
                k = rng.randrange(50, len(s1) - 50)
                s1 = s1[:k] + donor[k:len(s1)]
            elif x < args.chimeric + args.swapped:
                if held is None:
                    held = (s1, q1, s2, q2)
                    continue
                h1, hq1, h2, hq2 = held
                held = None
                emit(h1, hq1, s2, q2)
                if n >= args.pairs:
                    continue
                s2, q2 = h2, hq2
            elif x < args.chimeric + args.swapped + args.junk:
                s2 = bytes(random_seq(rng, len(s2)))
            donor = s2
            emit(s1, q1, s2, q2)
    if n < args.pairs:
        sys.exit(f"simdata rename: only {n} pairs available, {args.pairs} asked")


def cmd_supp_mc(args):
    """SAM filter: give secondary and supplementary records of paired reads whose mate is
    mapped an MC tag (the CIGAR of the mate's primary record). samtools fixmate (1.16) sets MC
    on primary records only, and template-coordinate sorting (samtools, samsort) needs it on
    every record with a mapped mate. Templates are adjacent in aligner order."""
    out = sys.stdout.buffer
    group = []

    def flush():
        cigar = {}
        for f in group:
            flag = int(f[1])
            if not flag & 0x904:
                cigar[flag & 0xC0] = f[5]
        for f in group:
            flag = int(f[1])
            if flag & 0x900 and flag & 1 and not flag & 8 and not any(x.startswith(b"MC:Z:") for x in f[11:]):
                mate = cigar.get((flag & 0xC0) ^ 0xC0)
                if mate is not None:
                    f.append(b"MC:Z:" + mate)
            out.write(b"\t".join(f) + b"\n")
        group.clear()

    for line in sys.stdin.buffer:
        if line.startswith(b"@"):
            out.write(line)
            continue
        f = line.rstrip(b"\n").split(b"\t")
        if group and f[0] != group[0][0]:
            flush()
        group.append(f)
    if group:
        flush()


def sam_lines(path, threads):
    """Lines of `samtools view -h path`, without the newline."""
    proc = subprocess.Popen(["samtools", "view", "-h", "-@", str(threads), path],
                            stdout=subprocess.PIPE, bufsize=1 << 20)
    for line in proc.stdout:
        yield line.rstrip(b"\n")
    if proc.wait() != 0:
        sys.exit(f"simdata replicate: samtools view {path} failed")


def cmd_replicate(args):
    """Repeat an aligned, aligner-order BAM until --records records (SAM text on stdout).
    Copy c renames every read's flowcell field to H5SIM<c>XX, gives it its own read group
    (<id>.c; the header gets one @RG per copy) and shifts each template by one random offset
    that keeps all its positions on their contigs (at most --jitter)."""
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    lengths = {}
    n_body = 0
    header = []
    for line in sam_lines(args.input, args.threads):
        if line.startswith(b"@"):
            header.append(line)
        else:
            n_body += 1
    if n_body == 0:
        sys.exit("simdata replicate: no records in " + args.input)
    copies = -(-args.records // n_body)
    for line in header:
        f = line.split(b"\t")
        if f[0] == b"@SQ":
            d = dict(x.split(b":", 1) for x in f[1:])
            lengths[d[b"SN"]] = int(d[b"LN"])
        if f[0] == b"@RG":
            for c in range(copies):
                g = [x + b".%d" % c if x.startswith((b"ID:", b"PU:")) else x for x in f]
                out.write(b"\t".join(g) + b"\n")
        else:
            out.write(line + b"\n")
    written = 0
    for c in range(copies):
        fc = b"H5SIM%03dXX" % c
        tmpl = []
        prev = None
        for line in sam_lines(args.input, args.threads):
            if line.startswith(b"@"):
                continue
            f = line.split(b"\t")
            if f[0] != prev and tmpl:
                written += emit_template(out, tmpl, c, fc, rng, args.jitter, lengths)
                tmpl = []
                if written >= args.records:
                    return
            tmpl.append(f)
            prev = f[0]
        if tmpl:
            written += emit_template(out, tmpl, c, fc, rng, args.jitter, lengths)
            if written >= args.records:
                return


def emit_template(out, tmpl, copy, fc, rng, jitter, lengths):
    # one offset for every position of the template (POS, PNEXT, SA:Z), drawn uniformly from
    # those that keep all of them on their contigs (at most +-jitter): copies of a read land far
    # apart, so a coordinate-sorted set does not compress better than real data would
    lo, hi = -jitter, jitter
    for f in tmpl:
        places = [(f[2], int(f[3])), (f[2] if f[6] == b"=" else f[6], int(f[7]))]
        for x in f[11:]:
            if x.startswith(b"SA:Z:"):
                for sa in x[5:].split(b";"):
                    if sa:
                        g = sa.split(b",")
                        places.append((g[0], int(g[1])))
        for rname, pos in places:
            if pos > 0 and rname in lengths:
                lo = max(lo, 1 - pos)
                hi = min(hi, lengths[rname] - 500 - pos)
    d = rng.randint(lo, hi) if lo <= hi else 0
    for f in tmpl:
        q = f[0].split(b":")
        if len(q) >= 3:
            q[2] = fc
        f[0] = b":".join(q)
        if d:
            if int(f[3]) > 0:
                f[3] = b"%d" % (int(f[3]) + d)
            if int(f[7]) > 0:
                f[7] = b"%d" % (int(f[7]) + d)
        for i in range(11, len(f)):
            if f[i].startswith(b"RG:Z:"):
                f[i] += b".%d" % copy
            elif d and f[i].startswith(b"SA:Z:"):
                parts = []
                for sa in f[i][5:].split(b";"):
                    if sa:
                        g = sa.split(b",")
                        g[1] = b"%d" % (int(g[1]) + d)
                        sa = b",".join(g)
                    parts.append(sa)
                f[i] = b"SA:Z:" + b";".join(parts)
        out.write(b"\t".join(f) + b"\n")
    return len(tmpl)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("genome")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--scale", type=int, default=32, help="divide hg38 chromosome lengths by this")
    g.add_argument("--decoys", type=int, default=275, help="number of small extra contigs")
    g.add_argument("--svs", type=int, default=300, help="inversions and inserted segments each")
    g.add_argument("--ref", required=True)
    g.add_argument("--sample", required=True)
    k = sub.add_parser("key")
    k.add_argument("--seed", type=int, default=1)
    k.add_argument("r1")
    k.add_argument("r2")
    r = sub.add_parser("rename")
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--pairs", type=int, required=True)
    r.add_argument("--per-tile", type=int, default=40000)
    r.add_argument("--chimeric", type=float, default=0.02, help="share of chimeric fragments")
    r.add_argument("--swapped", type=float, default=0.005, help="share of pairs with swapped mates")
    r.add_argument("--junk", type=float, default=0.003, help="share of pairs with an unmappable mate")
    r.add_argument("--out1", required=True)
    r.add_argument("--out2", required=True)
    sub.add_parser("supp-mc")
    x = sub.add_parser("replicate")
    x.add_argument("--seed", type=int, default=1)
    x.add_argument("--records", type=int, required=True)
    x.add_argument("--jitter", type=int, default=1 << 40,
                   help="largest shift of a template [anywhere on its contigs]")
    x.add_argument("--threads", type=int, default=1, help="samtools view decompression threads")
    x.add_argument("input", help="aligned BAM in aligner order")
    a = p.parse_args()
    {"genome": cmd_genome, "key": cmd_key, "rename": cmd_rename, "supp-mc": cmd_supp_mc,
     "replicate": cmd_replicate}[a.cmd](a)


if __name__ == "__main__":
    main()
