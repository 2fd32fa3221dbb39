// Every tunable and default of samsort in one place. Each constant says where its value
// came from; the measured ones say "re-measure before changing".
#pragma once
#include <cstddef>
#include <cstdint>

namespace samsort::config {

inline constexpr std::size_t kKiB = 1024;
inline constexpr std::size_t kMiB = 1024 * kKiB;
inline constexpr std::size_t kGiB = 1024 * kMiB;

// BGZF format limits (SAM spec 4.1). htslib writes at most 0xff00 payload bytes per block so
// that an incompressible block still fits in 64 KiB after deflate's stored-block overhead.
inline constexpr std::size_t kBgzfMaxBlockBytes = 65536;
inline constexpr std::size_t kBgzfMaxPayloadBytes = 0xff00;
inline constexpr std::size_t kBgzfHeaderBytes = 18;
inline constexpr std::size_t kBgzfFooterBytes = 8;

// Memory model (README, "How it works"): default budget is samtools' nominal 768 MiB per thread.
inline constexpr std::size_t kDefaultMemoryPerThreadBytes = 768 * kMiB;
inline constexpr std::size_t kMinMemoryPerThreadBytes = 1 * kMiB;  // samtools refuses < 1M too
// Budgets below this still work but the pipeline is shrunk to fit 64 MiB of RSS (spec).
inline constexpr std::size_t kSmallBudgetFloorBytes = 64 * kMiB;
// Fitting the budget to the memory the process really has (core/memory_limit.hpp): when the
// default budget (or --max-memory auto) meets a limit, the budget is the limit less a reserve
// for what lives beside it. A cgroup counts resident memory: the reserve covers the 16 MiB
// the spec allows above the budget (binary, libraries, stacks), the page cache of the files
// being written, and the shell or wrapper sharing the job's cgroup.
inline constexpr std::size_t kCgroupReserveBytes = 64 * kMiB;
// ulimit -v counts address space, reserved or not: the binary and its libraries, mimalloc's
// segments or glibc's 64 MiB per-thread arenas, and each thread's 8 MiB stack. Measured
// 2026-12-04 (2-core VM, example.bam, --debug-max-run-bytes 1M, smallest ulimit -v that
// succeeds, by bisection, 1 run each) as address space above the budget: mimalloc 144 / 224 /
// 384 / 704 / 1344 MiB and glibc 112 / 128 / 396 / 992 / 1248 MiB at -@ 1 / 2 / 4 / 8 / 16,
// the same at 256 MiB and 1 GiB budgets. 128 MiB + 128 MiB per thread covers every one of them.
// Re-measure before changing.
inline constexpr std::size_t kAddressSpaceReserveBytes = 128 * kMiB;
inline constexpr std::size_t kAddressSpacePerThreadBytes = 128 * kMiB;
// --max-memory auto without any limit: this share of MemAvailable (the rest stays for the
// page cache and other processes), less kCgroupReserveBytes.
inline constexpr double kAutoAvailableShare = 0.75;
// Part of the budget kept for what the program allocates in small pieces (header text copies,
// htslib's header structures, option strings, thread bookkeeping) and for page-granularity
// rounding of the big mappings. Counted, never handed to the arena.
inline constexpr std::size_t kSmallObjectReserveBytes = 2 * kMiB;
// Mappings at least this large (the arena) ask for transparent huge pages (MADV_HUGEPAGE).
// Measured 2026-11-21, 2-core VM, 4M-record align set, -@2, 800 MiB, -u, 3 runs each:
// 4 KiB pages 6.6-8.9 s wall (205k minor faults; spill and merge gathers TLB-bound),
// huge pages 4.0-5.1 s (2.3k faults). No compaction stalls were seen (vmstat compact_stall).
inline constexpr std::size_t kHugePageMinBytes = 8 * kMiB;
// Pipeline hand-offs (futex.hpp): pause-loop iterations before a waiter sleeps on a futex.
// Not tuned; replacing libstdc++'s yield spin cut involuntary context switches ~7x (-u, 4M).
inline constexpr int kFutexSpinIterations = 64;

// htslib's CRAM codecs (CRAM goes through htslib, so their buffers are estimates, not our
// own reservations). Measured 2026-11-21 on 1.7M synthetic records (make_test_bam seed 21,
// the memory test's input), 128 MiB budget, mimalloc, as reservation + RSS over the budget:
// decoder 15 / 44 / 76 MiB and encoder 21 / 62 / 135 MiB at 1 / 2 / 4 threads. Modelled as a
// base plus a cost per extra htslib thread, 5-35% above those figures.
inline constexpr std::size_t kCramDecoderBaseBytes = 20 * kMiB;
inline constexpr std::size_t kCramDecoderBytesPerExtraThread = 28 * kMiB;
inline constexpr std::size_t kCramEncoderBaseBytes = 24 * kMiB;
inline constexpr std::size_t kCramEncoderBytesPerExtraThread = 40 * kMiB;
// A CRAM codec gets at most this share of the budget: htslib is given fewer threads than -@
// when more would not fit (at least one).
inline constexpr double kCramBudgetShare = 0.25;
// htslib's CRAM reference (cram_io.c, cram_ref_load/load_ref_portion): a whole contig is read
// into one malloc'ed buffer of the contig's span in the FASTA (bases plus line ends) and kept
// while a slice uses it. Sorted data holds the contig in use per htslib thread plus the last
// one; unsorted data (fd->unsorted: non-coordinate order) keeps every contig it touched until
// the file is closed. Counted per base with this margin for line ends (61/60 for 60-column
// FASTA). Measured 2026-12-04: one 150 Mbp contig, 64 MiB budget: peak RSS 199 MiB before it
// was counted (143 MiB of bases).
inline constexpr double kCramReferenceBytesPerBase = 1.05;

// Input: BGZF blocks in flight between the file reader, the inflate workers and the consumer.
// 4 slots per worker: a starting value, not yet tuned by measurement (bench/run.sh).
inline constexpr std::size_t kInputSlotsPerThread = 4;
inline constexpr std::size_t kInputMinSlots = 4;
// Output: BGZF block slots in the compression ring (a starting value, not yet tuned).
inline constexpr std::size_t kOutputSlotsPerThread = 4;
inline constexpr std::size_t kOutputMinSlots = 4;

// Spill runs: zstd level of the temporary run blocks (--temp-compression; "none" stores BGZF
// blocks). bench/SPILL.md (bench/spill_codec.cpp, 64 KiB blocks of the art-4M set's sorted
// records, one core): zstd 1 takes 0.288 bytes per record byte, as libdeflate 1 (0.290, what
// samtools' temporary files use), compressing at 277 vs 222 MB/s and decompressing at 921 vs
// 788 MB/s; lz4 (0.46) and zstd's negative levels (0.33-0.40) would exceed samtools' temporary
// bytes. Whole sorts there (-@2, 800M, one run each): rep-20M zstd 1 124.1 s and 2.41 GB of
// temporary disk, stored 144.0 s and 6.73 GB, samtools 140.9 s and 2.70 GB; art-4M zstd 1
// 24.4 s and 0.24 GB, stored 22.7 s and 0.76 GB.
inline constexpr int kSpillZstdLevel = 1;
inline constexpr int kMaxTempCompressionLevel = 19;
// Spill estimate for the free-space check: temporary bytes per byte of a BAM input file, upper
// figures (bench/SPILL.md, rep-20M: 2.41 GB of zstd 1 runs and 6.73 GB of stored runs for a
// 2.61 GB level-6 BAM: 0.92x and 2.58x).
inline constexpr double kSpillBytesPerInputByteZstd = 1.1;
inline constexpr double kSpillBytesPerInputByteStored = 3.0;
// Record bytes per byte of a BAM file, for the same estimate (level-6 BAM: ~3.3; the bound is
// kept low so that only inputs clearly beyond one run are checked).
inline constexpr double kRecordBytesPerBamByte = 2.5;

// Codec state per compressor or decoder, allocated by libdeflate and zstd (measured with
// mallinfo2 on 64 KiB blocks, libdeflate 1.14, zstd 1.5.4, rounded up).
inline constexpr std::size_t kLibdeflateFastCompressorBytes = 256 * kKiB;   // level 0-1
inline constexpr std::size_t kLibdeflateCompressorBytes = 768 * kKiB;       // level 2-9
inline constexpr std::size_t kLibdeflateOptimalCompressorBytes = 9 * kMiB;  // level 10-12
inline constexpr std::size_t kLibdeflateDecompressorBytes = 16 * kKiB;
inline constexpr std::size_t kZstdLevel1CompressorBytes = 384 * kKiB;
inline constexpr std::size_t kZstdLevel3CompressorBytes = 768 * kKiB;
inline constexpr std::size_t kZstdCompressorBytes = 2 * kMiB;  // levels 4-19 (19: 1.8 MB)
inline constexpr std::size_t kZstdDecompressorBytes = 128 * kKiB;

// Reading: the arena's pages are faulted in (zeroed by the kernel) on a thread of their own at
// most this far ahead of the reader (sort/arena_prefault.hpp), in steps of 4 MiB.
inline constexpr std::size_t kArenaPrefaultLeadBytes = 64 * kMiB;

// Merge: per-run read buffer = one compressed + one decompressed BGZF block, plus room for
// one record that spans blocks (at least this much; larger if the run holds larger records).
inline constexpr std::size_t kMergeMinRecordBufferBytes = 4 * kKiB;
// Merge: at most this many threads read and decode run blocks ahead of the merging thread
// (merge/run_prefetch.hpp; half the threads below that). zstd level 1 decodes about 1 GB/s of
// payload per thread, several times what one merging thread consumes.
inline constexpr std::size_t kRunPrefetchMaxThreads = 4;
// Merge: a record larger than this that spans blocks is held by its run's reader only as a
// key copy (the record without its sequence and qualities, which no order compares); when it
// wins, it is read back whole from the run file into one buffer shared by the merge's readers.
// So a merge of k runs of huge records needs one huge buffer, not k. Records up to this size
// are held whole (no second read); above it, reading back costs one more pass over the
// record's blocks. 1 MiB keeps every short and long read of today's platforms (ONT reads of
// 100 kbase are ~250 KiB) on the single-read path.
inline constexpr std::size_t kMergeWholeRecordMaxBytes = 1 * kMiB;
// Parallel final merge (sort/range_merge.hpp): while a run is written, every this many
// record bytes (at least) the next record's key copy and position are kept, so the final merge
// can cut the key space into ranges and start each range's readers near its first record. The
// samples of all runs share a pool of 1/kRunSamplePoolShare of the budget (within the bounds
// below); one run takes at most 1/kRunSamplePlannedRuns of it, and the interval grows with the
// run so that it does. A range's readers decode from the sample before its first key: on
// average half an interval per run more than the range holds. Not tuned.
inline constexpr std::size_t kRunSampleMinIntervalBytes = 64 * kKiB;
inline constexpr std::size_t kRunSamplePoolShare = 64;
inline constexpr std::size_t kRunSamplePoolMinBytes = 1 * kMiB;
inline constexpr std::size_t kRunSamplePoolMaxBytes = 64 * kMiB;
inline constexpr std::size_t kRunSamplePlannedRuns = 32;
inline constexpr std::size_t kRunSampleEstimateBytes = 192;  // a key copy and its position
// A record whose key copy is larger than this is not taken as a sample (the next one is).
inline constexpr std::size_t kRunSampleMaxKeyBytes = 4 * kKiB;
// Parallel final merge: each range's output (compressed blocks) waits in a buffer of its
// worker until the ranges before it are written; ranges hold about this share of the buffer
// in record bytes at level 0 (stored blocks) and kRangeRecordsPerBufferByte times it when
// compressed. A buffer is at most kRangeBufferMaxBytes and at least kRangeBufferMinBytes
// (less memory: the merge runs on one thread). Ranges whose estimated extra decoding (the
// readers' start before each range) exceeds kRangeMaxSkipShare of their records are not cut:
// the merge runs on one thread. Not tuned, but for two threads (below).
inline constexpr double kRangeStoredFill = 0.9;
inline constexpr double kRangeRecordsPerBufferByte = 2.0;
inline constexpr std::size_t kRangeBufferMaxBytes = 64 * kMiB;
inline constexpr std::size_t kRangeBufferMinBytes = 1 * kMiB;
inline constexpr double kRangeMaxSkipShare = 0.25;
// At two threads the one-thread merge with read-ahead already keeps both cores busy. Measured
// 2026-12-05 (2-core VM, -u, 800 MiB, bench/parallel_merge.sh): 4M set, 3 runs, extra decoding
// 1.3%: merge phase 1.91 s with ranges vs 2.34 s without; 20M set, 18 runs, 12%: 11.84 s vs
// 10.71 s. Below this share the ranges are used at two threads.
inline constexpr double kRangeMaxSkipShareTwoThreads = 0.05;
// Early spill (sort_job.cpp): the input's estimated rest must fit in this fraction less than
// an empty arena before the arena is spilled early to keep the rest in memory. The estimate
// (compressed bytes left x arena bytes per compressed byte so far) is off by the reader's
// read-ahead and by changes in compressibility along the file; 5% is a starting margin.
inline constexpr double kEarlySpillMargin = 0.05;
// Smallest useful fan-in; below it a budget is too small to merge.
inline constexpr std::size_t kMinFanIn = 2;
// File descriptors kept free for stdin/stdout/stderr, the output, shared libraries, etc.
inline constexpr std::size_t kReservedFileDescriptors = 16;

// Sort: slices smaller than this are sorted by one thread (thread start-up dominates).
inline constexpr std::size_t kParallelSortMinEntries = 1 << 16;
// Minimiser order: runs of fewer records are keyed on one thread. Keying costs about a
// microsecond a 150-base read (both strands), far more than a radix pass per entry, so the
// team pays off much sooner than for sorting. Not measured; a guess to re-measure.
inline constexpr std::size_t kMinimiserParallelMinRecords = 1 << 12;

// Default compression level on samtools' 0-9 scale (samtools sort default).
inline constexpr int kDefaultSamtoolsLevel = 6;

// Progress display (cli/progress.hpp). A terminal line is redrawn this often; without a
// terminal (--progress to a log) one plain line is printed this often.
inline constexpr int kProgressRedrawMilliseconds = 250;
inline constexpr int kProgressLogMilliseconds = 5000;
// Published counters are refreshed every this many records (a power of two) on the hot path.
inline constexpr std::uint64_t kProgressPublishRecords = 1024;
// A phase's own measured cost per byte replaces its prior once it has run this long.
inline constexpr double kProgressMinMeasuredSeconds = 0.5;
// Priors for the whole-job weighting, in nanoseconds per record byte (uncompressed BAM) on
// one thread. Measured 2026-12-04 on the shared 2-core VM (load ~10) with --stats, 1M
// synthetic records (make_test_bam seed 5, 334 MB of records): read (inflate, parse, copy)
// 4-10, spill (sort + stored blocks) 2-4, one extra merge pass ~2, write at samtools level
// 0 / 1 / 6 / 9: 3 / 17 / 85 / 730 (levels 2-5 and 7-8 interpolated). Only the weights before
// a phase has run are taken from here; the display switches to measured rates as it goes.
inline constexpr double kProgressReadNanosPerByte = 6;
inline constexpr double kProgressSpillNanosPerByte = 3;
inline constexpr double kProgressMergeNanosPerByte = 2;
inline constexpr double kProgressWriteNanosPerByte[10] = {3, 17, 25, 35, 50, 65, 85, 200, 400, 730};
// Compression is spread over the worker threads; this share of the write cost is not (merge,
// ordered writer).
inline constexpr double kProgressWriteSerialShare = 0.1;
static_assert((kProgressPublishRecords & (kProgressPublishRecords - 1)) == 0);
static_assert(kProgressRedrawMilliseconds < kProgressLogMilliseconds);

// The sort job.
// Smallest arena worth running with: a few records of typical size per run.
inline constexpr std::size_t kMinArenaBytes = 256 * kKiB;
// Records ahead of the gather cursor to prefetch when writing a sorted run.
inline constexpr std::size_t kGatherPrefetchDistance = 16;
// How often a spill on the spill thread checks whether the job failed elsewhere (records):
// a cheap relaxed load, so that an error is reported within milliseconds, not a whole spill.
inline constexpr std::size_t kSpillStopCheckRecords = 4096;
// Records between two checks for an early spill (rest_fits_after_spill).
inline constexpr std::uint64_t kEarlySpillCheckInterval = 256;
// htslib I/O buffers, counted in the budget (measured with the SAM/CRAM memory tests).
// htslib's SAM reader buffers; CRAM adds its decoder (cram_memory.hpp).
inline constexpr std::size_t kHtslibReaderBytes = 2u << 20;
// SAM input: the line buffer and the record htslib parses it into (sam_line_reader.hpp) get this
// share of the budget (at least the minimum); a line may take 2/5 of it, the record the rest
// (a BAM record is ~0.75x its SAM line; htslib rounds its buffer up to a power of two).
inline constexpr std::size_t kSamRecordBudgetShare = 16;
inline constexpr std::size_t kSamRecordMinBytes = 4 * kMiB;

// --minimiser-group-names, two-pass path: pass 1's merge goes to a temporary BAM at this level
// (samtools' scale), and pass 2 holds one name group (and the record after it) in a buffer of
// this share of the budget, at least the minimum. Not measured: a pair of short reads needs
// ~1 KiB; the minimum holds a group of a few long reads.
inline constexpr int kGroupPassTempLevel = 1;
inline constexpr std::size_t kGroupBufferBudgetShare = 32;
inline constexpr std::size_t kGroupBufferMinBytes = 4 * kMiB;
inline constexpr std::size_t kSamLineShareNumerator = 2;
inline constexpr std::size_t kSamLineShareDenominator = 5;
// htslib's SAM/CRAM writer buffers; CRAM adds its encoder (cram_memory.hpp).
inline constexpr std::size_t kHtslibWriterBytes = 4u << 20;
// samsort merge: most inputs one merge holds open (each has a reader with its own threads),
// and the first size of each input's record buffers (they grow, reserved, for larger records).
inline constexpr std::size_t kMergeMaxInputFanIn = 256;
inline constexpr std::size_t kMergeInputRecordBytes = 64u << 10;
// samsort merge -R/-L: an input's index, reserved before htslib loads it, from the index
// file's size. An estimate, not a measurement: a BAI is ~2x its file in memory (htslib rounds
// each bin's chunk list and the linear index up to powers of two), CSI and CRAI files are
// compressed ~3-4x. Re-measure before changing.
inline constexpr std::size_t kIndexMemoryPerFileByte = 8;
inline constexpr std::size_t kIndexMemoryBaseBytes = 64 * kKiB;
// The header's memory (bam_header.cpp), reserved before htslib builds its parsed form. Measured
// on a 300k-@SQ header (16.9 MB of text): htslib's parsed records take ~1.6x the text plus
// ~181 bytes per line; the header also holds its raw text, the text rebuilt after @HD/@PG
// edits and the serialised copy written to the output: 4.6 texts, kept at 5.
inline constexpr std::size_t kHeaderTextCopies = 5;
inline constexpr std::size_t kHeaderBytesPerLine = 192;
// Per reference: the binary name copy, its pointer and length (and the serialised copy).
inline constexpr std::size_t kHeaderBytesPerReference = 96;
// The text and the reference arrays grow as their bytes arrive, at least this much at a time,
// so a corrupt l_text or n_ref claims memory only as far as the file really goes.
inline constexpr std::size_t kHeaderTextGrowthBytes = 1 << 20;
inline constexpr std::size_t kHeaderReferenceGrowthCount = 1 << 14;
inline constexpr std::size_t kHeaderNameClaimBytes = 1 << 16;
// samsort verify.
// Enough for the input ring and header of any realistic file; verify holds two records.
inline constexpr std::size_t kVerifyBudgetBytes = 256 * kMiB;

// Split guessing (io/bam_split.hpp). Records parsed one after another from a candidate start
// before it is accepted: 8 as a balance of cost and margin (Hadoop-BAM's BAMSplitGuesser
// decodes a few records too); the consumer's continuity check is what makes splits correct.
inline constexpr unsigned kSplitConfirmRecords = 8;
// Inflated blocks the guesser keeps (the candidate's block and those its records run into).
inline constexpr std::size_t kSplitCachedBlocks = 4;

// Index merge (bam/index_merge): htslib's two BGZF handles (the fragment read, the index
// written): 128 KiB of blocks and an hFILE buffer each, libdeflate's compressor that htslib
// allocates per CSI block (kLibdeflateCompressorBytes), and our 64 KiB read batch and 8 KiB
// write buffer; an estimate, not measured.
inline constexpr std::size_t kIndexMergeHtslibBytes = 2 * kMiB;
// The merged reference's tables grow, reserved, at least this much at a time.
inline constexpr std::size_t kIndexMergeGrowthBytes = 1 * kMiB;
// Chunks or linear-index entries read per call: a corrupt count claims memory only as far as
// the fragment really goes.
inline constexpr std::size_t kIndexMergeReadBatch = 4096;

// Relations the code relies on.
static_assert(kMinArenaBytes >= 2 * kBgzfMaxBlockBytes,
              "an arena holds at least two blocks of records");
static_assert(kHeaderTextGrowthBytes >= kHeaderNameClaimBytes,
              "a name claim fits one text growth step");

// Distributed sort planning (dist/planner): keys sampled at this many evenly spaced points of
// a BAM file, so many consecutive records each; files up to kPlanScanBytes (and SAM/CRAM) are
// read whole instead and sampled uniformly. The samples' bytes are capped (long reads).
inline constexpr std::size_t kPlanSamplePoints = 512;
inline constexpr std::size_t kPlanRecordsPerPoint = 8;
inline constexpr std::size_t kPlanMaxSamples = kPlanSamplePoints * kPlanRecordsPerPoint;
inline constexpr std::uint64_t kPlanScanBytes = 64 * kMiB;
inline constexpr std::size_t kPlanSampleBytes = 32 * kMiB;

}  // namespace samsort::config
