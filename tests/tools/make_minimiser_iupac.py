#!/usr/bin/env python3
"""Writes (to stdout) the SAM text of testdata/minimiser/iupac.bam: 600 unplaced reads with
IUPAC codes, '=', N, empty sequences, reads shorter than k and missing qualities, for the
minimiser order's edge cases (samtools' reverse complement maps Y to Y and '=' to N).
Fixed seed; run by tests/tools/make_minimiser_digests.sh."""
import random

random.seed(7)
CODES = "ACGTACGTACGTNRYKMSWBDHV="
print("@HD\tVN:1.6")
for idx in range(600):
    length = random.choice([0, 1, 3, 9, 10, 11, 19, 20, 21, 50, 151])
    alphabet = CODES if random.random() < 0.3 else "ACGTN"
    seq = "".join(random.choice(alphabet) for _ in range(length)) or "*"
    if seq == "*" or random.random() < 0.2:
        qual = "*"
    else:
        qual = "".join(chr(33 + random.randrange(40)) for _ in range(length))
    # Names repeat so that equal reads with equal keys show the input-order tie.
    print(f"r{idx % 300}\t4\t*\t0\t0\t*\t*\t0\t0\t{seq}\t{qual}\tXA:Z:t{idx}")
