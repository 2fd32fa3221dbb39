// Command-line parsing in samtools' spelling: sizes, -m per thread vs --max-memory total,
// levels, order, positional input, help/version, and UsageError for every bad form.
#include "samsort/cli/options.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using config::kGiB;
using config::kKiB;
using config::kMiB;

ParsedCommand parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv(args);
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string usage_message(std::initializer_list<const char*> args) {
  auto message = test::thrown_message<UsageError>([&] { parse(args); });
  EXPECT_TRUE(message.has_value()) << "no UsageError";
  return message.value_or("");
}

TEST(ParseSizeTest, AcceptsIntegersWithBinaryUnits) {
  EXPECT_EQ(parse_size("768M", "-m"), 768 * kMiB);
  EXPECT_EQ(parse_size("1G", "-m"), kGiB);
  EXPECT_EQ(parse_size("2GiB", "-m"), 2 * kGiB);
  EXPECT_EQ(parse_size("64KiB", "-m"), 64 * kKiB);
  EXPECT_EQ(parse_size("64K", "-m"), 64 * kKiB);
  EXPECT_EQ(parse_size("1048576", "-m"), 1048576u);
  EXPECT_EQ(parse_size("3m", "-m"), 3 * kMiB);
  EXPECT_EQ(parse_size("5MiB", "-m"), 5 * kMiB);
  EXPECT_EQ(parse_size("0", "-m"), 0u);
}

TEST(ParseSizeTest, RejectsEverythingElseNamingTheOption) {
  for (const char* text : {"1.5G", "10X", "", "-1", "G", "1 G", "1GG", "0x10", "1T", "+5M"}) {
    auto message = test::thrown_message<UsageError>([&] { parse_size(text, "--max-memory"); });
    ASSERT_TRUE(message.has_value()) << "accepted '" << text << "'";
    EXPECT_TRUE(test::contains(*message, "--max-memory")) << *message;
    EXPECT_TRUE(test::contains(*message, std::string("'") + text + "'")) << *message;
  }
}

TEST(ParseSizeTest, RejectsOverflow) {
  EXPECT_THROW(parse_size("99999999999999999G", "-m"), UsageError);
  EXPECT_THROW(parse_size("99999999999999999999", "-m"), UsageError);
}

TEST(ParseCommandLineTest, SamtoolsStyleSortCommand) {
  ParsedCommand parsed = parse({"samsort", "sort", "-@", "4", "-m", "1M", "in.bam"});
  EXPECT_EQ(parsed.kind, ParsedCommand::Kind::kSort);
  const SortOptions& sort = parsed.sort;
  EXPECT_EQ(sort.threads, 4u);
  EXPECT_EQ(sort.memory_bytes, 4 * kMiB);  // -m is per thread
  EXPECT_EQ(sort.input_path, "in.bam");
  EXPECT_EQ(sort.output_path, "-");
  EXPECT_EQ(sort.samtools_level, -1);
  EXPECT_EQ(sort.order, SortOrder::kCoordinate);
  EXPECT_TRUE(sort.write_program_line);
  EXPECT_FALSE(sort.quiet);
  EXPECT_EQ(sort.command_line, "samsort sort -@ 4 -m 1M in.bam");
}

TEST(ParseCommandLineTest, StickyShortOptionsAndLongThreads) {
  ParsedCommand parsed = parse({"samsort", "sort", "-@2", "-m2G", "-oout.bam", "in.bam"});
  EXPECT_EQ(parsed.sort.threads, 2u);
  EXPECT_EQ(parsed.sort.memory_bytes, 4 * kGiB);
  EXPECT_EQ(parsed.sort.output_path, "out.bam");
  EXPECT_EQ(parse({"samsort", "sort", "--threads", "3"}).sort.threads, 3u);
}

TEST(ParseCommandLineTest, MaxMemoryIsTheTotal) {
  ParsedCommand parsed = parse({"samsort", "sort", "-@", "4", "--max-memory", "2G"});
  EXPECT_EQ(parsed.sort.memory_bytes, 2 * kGiB);
  EXPECT_EQ(parsed.sort.input_path, "-");
}

TEST(ParseCommandLineTest, DefaultMemoryIsSamtools768MPerThread) {
  EXPECT_EQ(parse({"samsort", "sort"}).sort.memory_bytes, 768 * kMiB);
  EXPECT_EQ(parse({"samsort", "sort", "-@", "3"}).sort.memory_bytes, 3 * 768 * kMiB);
  ParsedCommand zero = parse({"samsort", "sort", "-@", "0"});
  EXPECT_EQ(zero.sort.threads, 1u);
  EXPECT_EQ(zero.sort.memory_bytes, 768 * kMiB);
}

TEST(ParseCommandLineTest, MemoryErrors) {
  std::string both = usage_message({"samsort", "sort", "-m", "1G", "--max-memory", "2G"});
  EXPECT_TRUE(test::contains(both, "not both")) << both;
  std::string tiny = usage_message({"samsort", "sort", "-m", "512K"});
  EXPECT_TRUE(test::contains(tiny, "1M")) << tiny;
  usage_message({"samsort", "sort", "--max-memory", "1000K"});
  usage_message({"samsort", "sort", "-m", "1.5G"});
  EXPECT_EQ(parse({"samsort", "sort", "-m", "1M"}).sort.memory_bytes, kMiB);
}

// samtools sort refuses -m below 1M per thread whatever -@ is ("[bam_sort] -m setting (512K
// bytes) is less than the minimum required (1M)"); options.cpp compares the *total*
// (-m x threads) with the per-thread floor, so -m 512K -@ 4 is accepted as 2 MiB.
TEST(ParseCommandLineTest, PerThreadMemoryBelow1MIsRefusedWhateverTheThreads) {
  usage_message({"samsort", "sort", "-@", "4", "-m", "512K"});
}

// BUG (src/options.cpp, parse_command_line): `parse_size(-m) * threads` is not checked for
// overflow. -m 4294967296G is 2^62 bytes; with -@ 5 the total wraps to 2^62 and is accepted
// (with -@ 4 it wraps to 0 and is refused as "memory below 1M").
TEST(ParseCommandLineTest, PerThreadTimesThreadsOverflowIsRefused) {
  std::string message = usage_message({"samsort", "sort", "-@", "5", "-m", "4294967296G"});
  EXPECT_TRUE(test::contains(message, "too large")) << message;
}

TEST(ParseCommandLineTest, CompressionLevels) {
  EXPECT_EQ(parse({"samsort", "sort", "-l", "0"}).sort.samtools_level, 0);
  EXPECT_EQ(parse({"samsort", "sort", "-l", "9"}).sort.samtools_level, 9);
  EXPECT_EQ(parse({"samsort", "sort", "-u"}).sort.samtools_level, 0);
  EXPECT_EQ(parse({"samsort", "sort", "-l", "9", "-u"}).sort.samtools_level, 0);
  usage_message({"samsort", "sort", "-l", "10"});
  usage_message({"samsort", "sort", "-l", "-2"});
  usage_message({"samsort", "sort", "-l", "high"});
}

TEST(ParseCommandLineTest, OrderAndOtherOptions) {
  EXPECT_EQ(parse({"samsort", "sort", "--order", "coordinate"}).sort.order, SortOrder::kCoordinate);
  std::string order = usage_message({"samsort", "sort", "--order", "chromosome"});
  EXPECT_TRUE(test::contains(order, "chromosome")) << order;
  ParsedCommand parsed = parse({"samsort", "sort", "--no-PG", "-T", "/tmp/pfx", "--allocator",
                                "system", "--verbosity", "2", "-o", "x.bam"});
  EXPECT_FALSE(parsed.sort.write_program_line);
  EXPECT_EQ(parsed.sort.tmp_options, std::vector<std::string>{"/tmp/pfx"});
  EXPECT_TRUE(parsed.sort.quiet);
  EXPECT_EQ(parsed.sort.output_path, "x.bam");
  parse({"samsort", "sort", "--allocator", "mimalloc"});
  usage_message({"samsort", "sort", "--allocator", "jemalloc"});
  EXPECT_EQ(parse({"samsort", "sort", "-o", "out.sam"}).sort.output_format, OutputFormat::kSam);
  EXPECT_EQ(parse({"samsort", "sort", "-o", "out.cram"}).sort.output_format, OutputFormat::kCram);
  EXPECT_EQ(parse({"samsort", "sort", "-o", "out.cram", "-O", "bam"}).sort.output_format,
            OutputFormat::kBam);
  usage_message({"samsort", "sort", "-O", "vcf"});
}

TEST(ParseCommandLineTest, OrderFlagsLastOneWins) {
  EXPECT_EQ(parse({"samsort", "sort", "-n"}).sort.order, SortOrder::kQueryName);
  EXPECT_EQ(parse({"samsort", "sort", "-N"}).sort.order, SortOrder::kQueryNameLex);
  EXPECT_EQ(parse({"samsort", "sort", "-n", "--template-coordinate"}).sort.order,
            SortOrder::kTemplateCoordinate);
  EXPECT_EQ(parse({"samsort", "sort", "--template-coordinate", "-N"}).sort.order,
            SortOrder::kQueryNameLex);
  EXPECT_EQ(parse({"samsort", "sort", "--order", "queryname::lex"}).sort.order,
            SortOrder::kQueryNameLex);
  EXPECT_EQ(parse({"samsort", "sort", "--order", "template"}).sort.order,
            SortOrder::kTemplateCoordinate);
  ParsedCommand tagged = parse({"samsort", "sort", "-t", "CB", "-n"});
  EXPECT_EQ(tagged.sort.sort_tag, "CB");
  EXPECT_EQ(tagged.sort.order, SortOrder::kQueryName);
  usage_message({"samsort", "sort", "-t", "CBX"});
  EXPECT_EQ(parse({"samsort", "sort", "-n", "-M"}).sort.order, SortOrder::kMinimiser);
  EXPECT_EQ(parse({"samsort", "sort", "-M", "-n"}).sort.order, SortOrder::kQueryName);
  EXPECT_EQ(parse({"samsort", "sort", "--order", "minimiser"}).sort.order, SortOrder::kMinimiser);
}

// samtools' -M options: -K clamped to 1..31, -I implies -M, -w, -R, -H.
TEST(ParseCommandLineTest, MinimiserOptions) {
  ParsedCommand plain = parse({"samsort", "sort", "-M"});
  EXPECT_EQ(plain.sort.order, SortOrder::kMinimiser);
  EXPECT_EQ(plain.sort.minimiser.kmer, 20);
  EXPECT_TRUE(plain.sort.minimiser.try_rev);
  EXPECT_FALSE(plain.sort.minimiser.squash);
  EXPECT_EQ(plain.sort.minimiser_window, 100);
  EXPECT_TRUE(plain.sort.minimiser_reference.empty());
  EXPECT_EQ(parse({"samsort", "sort", "-M", "-K", "40"}).sort.minimiser.kmer, 31);
  EXPECT_EQ(parse({"samsort", "sort", "-M", "-K0"}).sort.minimiser.kmer, 1);
  EXPECT_EQ(parse({"samsort", "sort", "-M", "-K", "-3"}).sort.minimiser.kmer, 1);
  ParsedCommand all = parse({"samsort", "sort", "-I", "ref.fa", "-w", "50", "-R", "-H"});
  EXPECT_EQ(all.sort.order, SortOrder::kMinimiser);
  EXPECT_EQ(all.sort.minimiser_reference, "ref.fa");
  EXPECT_EQ(all.sort.minimiser_window, 50);
  EXPECT_FALSE(all.sort.minimiser.try_rev);
  EXPECT_TRUE(all.sort.minimiser.squash);
  usage_message({"samsort", "sort", "-M", "-K", "x"});
  usage_message({"samsort", "sort", "-M", "-K", "12x"});
  usage_message({"samsort", "sort", "-M", "-w", ""});
}

TEST(ParseCommandLineTest, SeveralSortTagsAndPicardOrders) {
  EXPECT_EQ(parse_sort_tags("CB"), (std::vector<std::string>{"CB"}));
  EXPECT_EQ(parse_sort_tags("CB,UB,XT"), (std::vector<std::string>{"CB", "UB", "XT"}));
  for (const char* bad : {"", ",", "CB,", ",CB", "CB,,UB", "CB,U", "CBU", "C"}) {
    auto message = test::thrown_message<UsageError>([&] { parse_sort_tags(bad); });
    ASSERT_TRUE(message.has_value()) << bad;
    EXPECT_NE(message->find("two-character tags"), std::string::npos) << bad << ": " << *message;
  }
  ParsedCommand tagged = parse({"samsort", "sort", "-t", "CB,UB", "-N"});
  EXPECT_EQ(tagged.sort.sort_tag, "CB,UB");
  EXPECT_EQ(tagged.sort.order, SortOrder::kQueryNameLex);
  EXPECT_EQ(parse({"samsort", "sort", "--order", "picard-coordinate"}).sort.order,
            SortOrder::kPicardCoordinate);
  EXPECT_EQ(parse({"samsort", "sort", "--order", "picard-queryname"}).sort.order,
            SortOrder::kPicardQueryName);
  usage_message({"samsort", "sort", "-t", "CB,", "-o", "x.bam"});
  usage_message({"samsort", "sort", "--order", "picard-queryname", "-t", "CB"});
  usage_message({"samsort", "sort", "--template-coordinate", "-t", "CB,UB"});
}

TEST(ParseCommandLineTest, OutputLevelsAndIndexNaming) {
  ParsedCommand level = parse({"samsort", "sort", "-O", "bam,level=1", "-o", "x.bam"});
  EXPECT_EQ(level.sort.samtools_level, 1);
  EXPECT_EQ(parse({"samsort", "sort", "--output-fmt-option", "level=2"}).sort.samtools_level, 2);
  ParsedCommand bai = parse({"samsort", "sort", "--write-index", "-o", "o.bam##idx##o.bam.bai"});
  EXPECT_EQ(bai.sort.output_path, "o.bam");
  EXPECT_EQ(bai.sort.index_path, "o.bam.bai");
  EXPECT_FALSE(bai.sort.index_csi);
  ParsedCommand csi = parse({"samsort", "sort", "--write-index", "-o", "o.bam"});
  EXPECT_EQ(csi.sort.index_path, "o.bam.csi");
  EXPECT_TRUE(csi.sort.index_csi);
  usage_message({"samsort", "sort", "--write-index"});  // stdout cannot be indexed
}

TEST(ParseCommandLineTest, HiddenDebugOptions) {
  ParsedCommand parsed =
      parse({"samsort", "sort", "--debug-max-run-bytes", "1M", "--debug-max-fan-in", "3"});
  EXPECT_EQ(parsed.sort.debug_max_run_bytes, kMiB);
  EXPECT_EQ(parsed.sort.debug_max_fan_in, 3u);
  usage_message({"samsort", "sort", "--debug-max-fan-in", "1"});
  usage_message({"samsort", "sort", "--debug-max-run-bytes", "lots"});
}

TEST(ParseCommandLineTest, BadFormsAreUsageErrors) {
  usage_message({"samsort", "sort", "--frobnicate"});
  usage_message({"samsort", "sort", "-Z"});
  usage_message({"samsort", "sort", "-@"});
  usage_message({"samsort", "sort", "-@", "-3"});
  usage_message({"samsort", "sort", "-@", "many"});
  std::string two = usage_message({"samsort", "sort", "in.bam", "out.prefix"});
  EXPECT_TRUE(test::contains(two, "one input")) << two;
  EXPECT_TRUE(test::contains(two, "-o")) << two;
}

TEST(ParseCommandLineTest, CommandWordIsRequired) {
  std::string none = usage_message({"samsort"});
  EXPECT_TRUE(test::contains(none, "no command")) << none;
  std::string view = usage_message({"samsort", "view", "in.bam"});
  EXPECT_TRUE(test::contains(view, "view")) << view;
  usage_message({"samsort", "-@", "4", "in.bam"});
}

TEST(ParseCommandLineTest, HelpAndVersion) {
  for (const char* word : {"--help", "-h", "help"}) {
    ParsedCommand parsed = parse({"samsort", word});
    EXPECT_EQ(parsed.kind, ParsedCommand::Kind::kHelp) << word;
    EXPECT_TRUE(test::contains(parsed.help_text, "Usage: samsort sort")) << word;
  }
  EXPECT_EQ(parse({"samsort", "sort", "--help"}).kind, ParsedCommand::Kind::kHelp);
  EXPECT_EQ(parse({"samsort", "sort", "-h"}).kind, ParsedCommand::Kind::kHelp);
  EXPECT_EQ(parse({"samsort", "--version"}).kind, ParsedCommand::Kind::kVersion);
  EXPECT_EQ(parse({"samsort", "sort", "--version"}).kind, ParsedCommand::Kind::kVersion);
  std::string help = parse({"samsort", "--help"}).help_text;
  for (const char* option : {"--max-memory", "-m", "-@", "-l", "-u", "-T", "-o", "--no-PG"}) {
    EXPECT_TRUE(test::contains(help, option)) << option;
  }
  EXPECT_FALSE(test::contains(help, "debug")) << "hidden options leak into --help";
}

TEST(ParseCommandLineTest, EmptySizesAreUsageErrors) {
  std::string per_thread = usage_message({"samsort", "sort", "-m", "", "in.bam"});
  EXPECT_TRUE(test::contains(per_thread, "-m: ''")) << per_thread;
  std::string total = usage_message({"samsort", "sort", "--max-memory", "", "in.bam"});
  EXPECT_TRUE(test::contains(total, "--max-memory: ''")) << total;
  usage_message({"samsort", "sort", "--max-memory", "", "-m", "1G"});
}

TEST(ParseCommandLineTest, BudgetSource) {
  EXPECT_EQ(parse({"samsort", "sort"}).sort.budget_source, BudgetSource::kDefault);
  EXPECT_EQ(parse({"samsort", "sort", "-m", "1G"}).sort.budget_source, BudgetSource::kGiven);
  EXPECT_EQ(parse({"samsort", "sort", "--max-memory", "1G"}).sort.budget_source,
            BudgetSource::kGiven);
  ParsedCommand automatic = parse({"samsort", "sort", "-@", "2", "--max-memory", "auto"});
  EXPECT_EQ(automatic.sort.budget_source, BudgetSource::kAuto);
  EXPECT_EQ(automatic.sort.memory_bytes, 2 * 768 * kMiB);  // until fitted
  EXPECT_EQ(parse({"samsort", "sort", "--max-memory", "AUTO"}).sort.budget_source,
            BudgetSource::kAuto);
  usage_message({"samsort", "sort", "-m", "auto"});
}

TEST(ParseCommandLineTest, FormatOptionsAreCheckedByHtslib) {
  // samtools: an option name htslib does not know is an error whatever the format.
  std::string input = usage_message({"samsort", "sort", "--input-fmt-option", "bogus=1", "x.bam"});
  EXPECT_TRUE(test::contains(input, "--input-fmt-option 'bogus=1'")) << input;
  std::string output =
      usage_message({"samsort", "sort", "-O", "sam", "--output-fmt-option", "bogus=1"});
  EXPECT_TRUE(test::contains(output, "--output-fmt-option 'bogus=1'")) << output;
  usage_message({"samsort", "sort", "-O", "cram,nonsense=2"});
  ParsedCommand accepted =
      parse({"samsort", "sort", "--input-fmt-option", "decode_md=0", "-O", "cram,no_ref=1"});
  EXPECT_EQ(accepted.sort.input_format_options, std::vector<std::string>{"decode_md=0"});
  EXPECT_EQ(accepted.sort.output_format_options, std::vector<std::string>{"no_ref=1"});
}

SortOptions sort_options(BudgetSource source, std::size_t threads, std::size_t memory_bytes) {
  SortOptions sort;
  sort.budget_source = source;
  sort.threads = threads;
  sort.memory_bytes = memory_bytes;
  return sort;
}

MemoryEnvironment cgroup_limit(std::uint64_t bytes) {
  MemoryEnvironment environment;
  environment.cgroup =
      MemoryLimit{MemoryLimitKind::kCgroup, bytes, "/sys/fs/cgroup/job/memory.max"};
  return environment;
}

TEST(FitBudgetTest, DefaultAboveALimitIsLoweredWithAWarning) {
  SortOptions sort = sort_options(BudgetSource::kDefault, 16, 16 * 768 * kMiB);
  auto warning = fit_budget_to_memory(sort, cgroup_limit(8 * kGiB));
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(sort.memory_bytes, 8 * kGiB - config::kCgroupReserveBytes);
  EXPECT_TRUE(test::contains(*warning, "default budget of 12288 MiB")) << *warning;
  EXPECT_TRUE(test::contains(*warning, "limit of 8192 MiB (/sys/fs/cgroup/job/memory.max)"))
      << *warning;
  EXPECT_TRUE(test::contains(*warning, "using 8128 MiB")) << *warning;
  EXPECT_EQ(warning->find('\n'), std::string::npos);
}

TEST(FitBudgetTest, DefaultThatFitsOrNoLimitIsKept) {
  SortOptions sort = sort_options(BudgetSource::kDefault, 2, 2 * 768 * kMiB);
  EXPECT_FALSE(fit_budget_to_memory(sort, cgroup_limit(8 * kGiB)).has_value());
  EXPECT_EQ(sort.memory_bytes, 2 * 768 * kMiB);
  MemoryEnvironment none;
  none.available_bytes = kGiB;  // the machine's memory is not a limit for the default
  EXPECT_FALSE(fit_budget_to_memory(sort, none).has_value());
  EXPECT_EQ(sort.memory_bytes, 2 * 768 * kMiB);
}

TEST(FitBudgetTest, GivenBudgetAboveALimitIsKeptWithAWarning) {
  SortOptions sort = sort_options(BudgetSource::kGiven, 1, 4 * kGiB);
  MemoryEnvironment environment;
  environment.address_space = MemoryLimit{MemoryLimitKind::kAddressSpace, 2 * kGiB, "ulimit -v"};
  auto warning = fit_budget_to_memory(sort, environment);
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(sort.memory_bytes, 4 * kGiB);
  EXPECT_TRUE(test::contains(*warning, "budget of 4096 MiB")) << *warning;
  EXPECT_TRUE(test::contains(*warning, "(ulimit -v)")) << *warning;
  sort.memory_bytes = kGiB;
  EXPECT_FALSE(fit_budget_to_memory(sort, environment).has_value());
}

TEST(FitBudgetTest, AutoFromTheTightestLimitElseAvailableMemory) {
  SortOptions sort = sort_options(BudgetSource::kAuto, 4, 4 * 768 * kMiB);
  MemoryEnvironment environment = cgroup_limit(16 * kGiB);
  environment.address_space = MemoryLimit{MemoryLimitKind::kAddressSpace, 4 * kGiB, "ulimit -v"};
  environment.available_bytes = 64 * kGiB;
  EXPECT_FALSE(fit_budget_to_memory(sort, environment).has_value());
  EXPECT_EQ(sort.memory_bytes,
            4 * kGiB - config::kAddressSpaceReserveBytes - 4 * config::kAddressSpacePerThreadBytes);

  MemoryEnvironment available_only;
  available_only.available_bytes = 8 * kGiB;
  EXPECT_FALSE(fit_budget_to_memory(sort, available_only).has_value());
  EXPECT_EQ(sort.memory_bytes, 6 * kGiB - config::kCgroupReserveBytes);

  sort.memory_bytes = 4 * 768 * kMiB;
  auto warning = fit_budget_to_memory(sort, MemoryEnvironment{});
  ASSERT_TRUE(warning.has_value());
  EXPECT_TRUE(test::contains(*warning, "auto")) << *warning;
  EXPECT_EQ(sort.memory_bytes, 4 * 768 * kMiB);
}

TEST(FitBudgetTest, LimitBelowTheReserveLeavesTheSmallestBudget) {
  SortOptions sort = sort_options(BudgetSource::kDefault, 1, 768 * kMiB);
  ASSERT_TRUE(fit_budget_to_memory(sort, cgroup_limit(32 * kMiB)).has_value());
  EXPECT_EQ(sort.memory_bytes, config::kMinMemoryPerThreadBytes);
}

// samtools merge -R/-L/-X: -X splits the file arguments after the output into inputs and
// their index files; -R and -L exclude each other; -X refuses -b.
TEST(MergeRegionOptionsTest, RegionBedAndIndexFiles) {
  ParsedCommand region = parse({"samsort", "merge", "-X", "-R", "chr1:1-100", "out.bam", "a.bam",
                                "b.bam", "a.csi", "b.csi"});
  EXPECT_EQ(region.merge.region, "chr1:1-100");
  EXPECT_EQ(region.merge.common.output_path, "out.bam");
  EXPECT_EQ(region.merge.inputs, (std::vector<std::string>{"a.bam", "b.bam"}));
  EXPECT_EQ(region.merge.index_paths, (std::vector<std::string>{"a.csi", "b.csi"}));
  ParsedCommand bed = parse({"samsort", "merge", "-L", "r.bed", "-o", "out.bam", "a.bam"});
  EXPECT_EQ(bed.merge.bed_path, "r.bed");
  EXPECT_TRUE(bed.merge.index_paths.empty());
  EXPECT_NE(usage_message({"samsort", "merge", "-X", "-o", "out.bam", "a.bam"}).find("odd"),
            std::string::npos);
  EXPECT_NE(usage_message({"samsort", "merge", "-R", "chr1", "-L", "r.bed", "-o", "o.bam", "a.bam"})
                .find("not both"),
            std::string::npos);
  EXPECT_NE(usage_message({"samsort", "merge", "-X", "-b", "list", "-o", "o.bam", "a.bam", "a.bai"})
                .find("-b"),
            std::string::npos);
}

}  // namespace
}  // namespace samsort
