// The distributed sort's four steps on the command line (workflow/Snakefile runs them):
//   samsort plan [order options] --slices M --shards K -o PLAN in.bam
//   samsort sort-slice --plan PLAN --slice I -o OUT      (OUT.part0.bam ... and manifest OUT)
//   samsort merge-range --plan PLAN --range K -o PART OUT.partK.bam ...   (PART.manifest)
//   samsort gather --plan PLAN --slice-manifests OUT... -o FINAL.bam PART0 ... PARTK-1
// Each takes -@, --max-memory and --verbosity; the order is chosen once, by plan.
#include <boost/program_options.hpp>
#include <sstream>

#include "samsort/cli/option_rules.hpp"
#include "samsort/cli/options.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/order_names.hpp"

namespace samsort {

namespace po = boost::program_options;

namespace {

constexpr const char* kOverview =
    "A distributed sort of one BAM file, in four steps (workflow/Snakefile runs them):\n"
    "  samsort plan --slices M --shards K [order] -o PLAN in.bam\n"
    "  samsort sort-slice --plan PLAN --slice I -o SLICE_I        (for each I < M)\n"
    "  samsort merge-range --plan PLAN --range K -o PART_K SLICE_0.partK.bam ...  (each K)\n"
    "  samsort gather --plan PLAN --slice-manifests SLICE_0 ... -o out.bam PART_0 ...\n"
    "The output equals `samsort sort` of the input: records, header, index.\n\n";

struct Common {
  int threads = 1;
  std::string max_memory;
  int verbosity = 3;
};

void add_common(po::options_description& visible, Common& common) {
  // clang-format off
  visible.add_options()
      ("threads,@", po::value<int>(&common.threads), "Worker threads [1]")
      ("max-memory", po::value<std::string>(&common.max_memory),
       "Total memory bound for the whole process (K/M/G) [768M x threads]")
      ("verbosity", po::value<int>(&common.verbosity), "0-2: no summary line [3]")
      ("help", "Print this help and exit");
  // clang-format on
}

// Parses argv[2..] into `values`; true when --help was asked.
bool parse_into(int argc, const char* const* argv, const po::options_description& all,
                const po::positional_options_description& positional, po::variables_map& values,
                po::parsed_options* parsed = nullptr) {
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    po::parsed_options options =
        po::command_line_parser(args).options(all).positional(positional).run();
    po::store(options, values);
    po::notify(values);
    if (parsed != nullptr) *parsed = options;
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  return values.count("help") != 0;
}

// Threads and the budget into `sort`, from the common options.
void resolve_common(const Common& common, const po::variables_map& values, SortOptions& sort) {
  if (common.threads < 0) throw UsageError("--threads must be >= 0");
  sort.threads = common.threads == 0 ? 1 : static_cast<std::size_t>(common.threads);
  resolve_budget(sort, values.count("max-memory") != 0 ? &common.max_memory : nullptr, nullptr);
  sort.quiet = common.verbosity < 3;
}

std::string required(const po::variables_map& values, const char* name) {
  if (values.count(name) == 0) throw UsageError(std::string("give --") + name);
  std::string value = values[name].as<std::string>();
  if (value.empty()) throw UsageError(std::string("--") + name + " is empty");
  return value;
}

std::string help(const char* usage, const po::options_description& visible) {
  std::ostringstream out;
  out << usage << "\n" << kOverview << visible;
  return out.str();
}

int level_from(const po::variables_map& values, int level) {
  if (values.count("-1") != 0) level = 1;
  if (values.count("-u") != 0) level = 0;
  if (level < -1 || level > 9) throw UsageError("-l must be between 0 and 9");
  return level;
}

ParsedCommand parse_plan(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kPlan;
  PlanOptions& plan = parsed.plan;
  Common common;
  std::string order;
  std::string input;
  po::options_description visible("Options");
  // clang-format off
  visible.add_options()
      ("output,o", po::value<std::string>(&plan.plan_path), "The plan file to write")
      ("slices", po::value<std::size_t>(&plan.slices), "M: slices of the input to sort [1]")
      ("shards", po::value<std::size_t>(&plan.shards), "K: key ranges to merge [1]")
      (",n", "Sort by read name, natural order")
      (",N", "Sort by read name, lexicographic order")
      (",t", po::value<std::string>(&plan.sort_tag), "Sort by the value of tag TAG first")
      ("template-coordinate", "Sort by template coordinate")
      ("order", po::value<std::string>(&order),
       ("Sort order: " + canonical_order_list(false) + " [coordinate]").c_str());
  // clang-format on
  add_common(visible, common);
  po::options_description all;
  all.add(visible).add_options()("input", po::value<std::string>(&input))(
      "debug-sample-blocks", "hidden: sample keys at blocks even in a small file (tests)");
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map values;
  po::parsed_options options(&all);
  bool asked_help = parse_into(argc, argv, all, positional, values, &options);
  parsed.help_text = help("Usage: samsort plan [options] -o PLAN in.bam", visible);
  if (asked_help) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  if (input.empty()) throw UsageError("give the input BAM file");
  plan.input_path = input;
  plan.plan_path = required(values, "output");
  plan.order = order_from(options);
  plan.debug_sample_blocks = values.count("debug-sample-blocks") != 0;
  check_tag(plan.sort_tag, plan.order);
  if (plan.slices < 1 || plan.slices > 100000) throw UsageError("--slices must be 1-100000");
  if (plan.shards < 1 || plan.shards > 100000) throw UsageError("--shards must be 1-100000");
  SortOptions sort;
  resolve_common(common, values, sort);
  plan.threads = sort.threads;
  plan.memory_bytes = sort.memory_bytes;
  parsed.sort = sort;
  return parsed;
}

ParsedCommand parse_sort_slice(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kSort;
  SortOptions& sort = parsed.sort;
  Common common;
  std::string temp_compression;
  int level = 1;
  po::options_description visible("Options");
  // clang-format off
  visible.add_options()
      ("plan", po::value<std::string>(&sort.plan_path), "The plan file")
      ("slice", po::value<std::size_t>(&sort.slice_index), "Which slice to sort (0-based)")
      ("output,o", po::value<std::string>(&sort.output_path),
       "The slice's manifest; its range parts go to OUT.part<K>.bam")
      (",l", po::value<int>(&level), "Compression level of the parts, samtools' scale [1]")
      (",u", "Uncompressed parts")
      (",T", po::value<std::vector<std::string>>(&sort.tmp_options),
       "Temporary files: an existing DIR or a PREFIX; repeatable")
      ("temp-compression", po::value<std::string>(&temp_compression),
       "Temporary runs: zstd level or 'none'")
      ("stats", po::value<std::string>(&sort.stats_path), "JSON figures of the run to FILE");
  // clang-format on
  add_common(visible, common);
  std::string debug_run_bytes;
  po::options_description all;
  all.add(visible).add_options()("debug-max-run-bytes", po::value<std::string>(&debug_run_bytes));
  po::variables_map values;
  bool asked_help = parse_into(argc, argv, all, {}, values);
  parsed.help_text =
      help("Usage: samsort sort-slice --plan PLAN --slice I -o OUT [options]", visible);
  if (asked_help) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  sort.plan_path = required(values, "plan");
  if (values.count("slice") == 0) throw UsageError("give --slice");
  sort.output_path = required(values, "output");
  if (sort.output_path == "-") throw UsageError("sort-slice writes files: give -o OUT");
  resolve_common(common, values, sort);
  sort.samtools_level = level_from(values, level);
  if (!temp_compression.empty()) sort.temp_codec = parse_temp_compression(temp_compression);
  if (!debug_run_bytes.empty()) {  // hidden: many small runs (tests)
    sort.debug_max_run_bytes = parse_size(debug_run_bytes, "--debug-max-run-bytes");
  }
  sort.write_program_line = false;
  sort.command_line = join_command_line(argc, argv);
  return parsed;
}

void add_index_options(po::options_description& visible, std::string& index_format) {
  // clang-format off
  visible.add_options()
      ("write-index", "Index the output (coordinate order)")
      ("index-format", po::value<std::string>(&index_format), "csi or bai [csi]");
  // clang-format on
}

bool index_is_csi(const std::string& format) {
  if (format.empty() || format == "csi") return true;
  if (format == "bai") return false;
  throw UsageError("--index-format takes csi or bai, not '" + format + "'");
}

ParsedCommand parse_merge_range(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kMerge;
  MergeOptions& merge = parsed.merge;
  SortOptions& common_sort = merge.common;
  Common common;
  std::string index_format;
  int level = -1;
  po::options_description visible("Options");
  // clang-format off
  visible.add_options()
      ("plan", po::value<std::string>(&merge.plan_path), "The plan file")
      ("range", po::value<std::size_t>(&merge.range_index), "Which key range (0-based)")
      ("output,o", po::value<std::string>(&common_sort.output_path),
       "The range part (records only; OUT.manifest beside it)")
      (",l", po::value<int>(&level), "Compression level, samtools' scale [6]")
      (",u", "Uncompressed BGZF")
      (",T", po::value<std::vector<std::string>>(&common_sort.tmp_options),
       "Temporary files: an existing DIR or a PREFIX; repeatable");
  // clang-format on
  add_index_options(visible, index_format);
  add_common(visible, common);
  po::options_description all;
  all.add(visible).add_options()("files", po::value<std::vector<std::string>>(&merge.inputs));
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map values;
  bool asked_help = parse_into(argc, argv, all, positional, values);
  parsed.help_text =
      help("Usage: samsort merge-range --plan PLAN --range K -o PART SLICE.partK.bam...", visible);
  if (asked_help) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  merge.plan_path = required(values, "plan");
  if (values.count("range") == 0) throw UsageError("give --range");
  common_sort.output_path = required(values, "output");
  if (common_sort.output_path == "-") throw UsageError("merge-range writes files: give -o PART");
  if (merge.inputs.empty()) throw UsageError("give the range's part of every slice, in order");
  resolve_common(common, values, common_sort);
  common_sort.samtools_level = level_from(values, level);
  common_sort.output_format = OutputFormat::kBam;
  common_sort.write_program_line = false;
  common_sort.index_csi = index_is_csi(index_format);
  if (values.count("write-index") != 0) {
    common_sort.index_path = fragment_path(common_sort.output_path, common_sort.index_csi);
  }
  merge.records_only = true;
  merge.force = true;                // a rerun replaces what a failed one may have left
  merge.combine_read_groups = true;  // every slice carries the input's own header
  merge.combine_programs = true;
  merge.manifest_path = range_manifest_path(common_sort.output_path);
  common_sort.input_path = merge.inputs.front();
  common_sort.command_line = join_command_line(argc, argv);
  return parsed;
}

ParsedCommand parse_gather(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kGather;
  GatherOptions& gather = parsed.gather;
  Common common;
  std::string index_format;
  int level = -1;
  po::options_description visible("Options");
  // clang-format off
  visible.add_options()
      ("plan", po::value<std::string>(&gather.plan_path), "The plan file")
      ("slice-manifests",
       po::value<std::vector<std::string>>(&gather.slice_manifests)->multitoken(),
       "The manifests sort-slice wrote (every slice once)")
      ("output,o", po::value<std::string>(&gather.output_path), "The sorted BAM file")
      (",l", po::value<int>(&level), "Compression level of the header, samtools' scale [6]")
      ("no-PG", "Do not add a @PG line to the header");
  // clang-format on
  add_index_options(visible, index_format);
  add_common(visible, common);
  po::options_description all;
  all.add(visible).add_options()("files", po::value<std::vector<std::string>>(&gather.range_parts));
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map values;
  bool asked_help = parse_into(argc, argv, all, positional, values);
  parsed.help_text = help(
      "Usage: samsort gather --plan PLAN --slice-manifests SLICE... -o out.bam PART...", visible);
  if (asked_help) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  gather.plan_path = required(values, "plan");
  gather.output_path = required(values, "output");
  if (gather.slice_manifests.empty()) throw UsageError("give --slice-manifests");
  SortOptions sort;
  resolve_common(common, values, sort);
  gather.threads = sort.threads;
  gather.memory_bytes = sort.memory_bytes;
  gather.samtools_level = level_from(values, level);
  gather.write_index = values.count("write-index") != 0;
  gather.index_csi = index_is_csi(index_format);
  gather.write_program_line = values.count("no-PG") == 0;
  gather.command_line = join_command_line(argc, argv);
  parsed.sort = sort;
  return parsed;
}

}  // namespace

ParsedCommand parse_distributed_step(int argc, const char* const* argv) {
  std::string command = argv[1];
  if (command == "plan") return parse_plan(argc, argv);
  if (command == "sort-slice") return parse_sort_slice(argc, argv);
  if (command == "merge-range") return parse_merge_range(argc, argv);
  return parse_gather(argc, argv);
}

}  // namespace samsort
