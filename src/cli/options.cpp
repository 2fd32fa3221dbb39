// samtools-compatible option parsing for `samsort sort`.
#include "samsort/cli/options.hpp"

#include <htslib/hts.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdint>
#include <sstream>

#include "samsort/cli/option_rules.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/hts_log.hpp"
#include "samsort/order/order_names.hpp"

namespace samsort {

namespace po = boost::program_options;

std::size_t parse_size(const std::string& text, const char* option) {
  std::size_t idx = 0;
  while (idx < text.size() && std::isdigit(static_cast<unsigned char>(text[idx]))) ++idx;
  if (idx == 0 || idx > 18) {
    throw UsageError(std::string("invalid size for ") + option + ": '" + text +
                     "' (use an integer with K, M or G, e.g. 768M)");
  }
  std::size_t value = std::stoull(text.substr(0, idx));
  std::string suffix = text.substr(idx);
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::size_t unit = 0;
  if (suffix.empty() || suffix == "B") {
    unit = 1;
  } else if (suffix == "K" || suffix == "KB" || suffix == "KIB") {
    unit = config::kKiB;
  } else if (suffix == "M" || suffix == "MB" || suffix == "MIB") {
    unit = config::kMiB;
  } else if (suffix == "G" || suffix == "GB" || suffix == "GIB") {
    unit = config::kGiB;
  } else {
    throw UsageError(std::string("invalid size for ") + option + ": '" + text +
                     "' (use an integer with K, M or G, e.g. 768M)");
  }
  if (value > (~std::size_t{0}) / unit) {
    throw UsageError(std::string("size too large for ") + option + ": '" + text + "'");
  }
  return value * unit;
}

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// htslib's own check of a key=value format option. samtools parses every --input-fmt-option
// and --output-fmt-option with hts_opt_add whatever the format, so an unknown name is a usage
// error even for BAM. htslib's "[E::hts_opt_add]" line is muted: ours is the one line.
void check_htslib_option(const std::string& text, const char* option) {
  hts_opt* list = nullptr;
  int status = 0;
  {
    HtsLogLevelGuard quiet;
    status = hts_opt_add(&list, text.c_str());
  }
  hts_opt_free(list);
  if (status != 0) {
    throw UsageError(std::string("invalid ") + option + " '" + text +
                     "' (not an htslib format option)");
  }
}

}  // namespace

// -o with samtools' "FILE##idx##INDEX" naming, -O FMT[,opts], --output-fmt-option, -l/-u,
// --write-index: fills the output fields of `sort`.
void resolve_output(SortOptions& sort, const std::string& format_spec,
                    const std::vector<std::string>& extra_options, bool write_index) {
  std::string index_path;
  std::string::size_type marker = sort.output_path.find("##idx##");
  if (marker != std::string::npos) {
    index_path = sort.output_path.substr(marker + 7);
    sort.output_path = sort.output_path.substr(0, marker);
  }
  std::string format = lower(format_spec.substr(0, format_spec.find(',')));
  if (format_spec.find(',') != std::string::npos) {
    std::stringstream rest(format_spec.substr(format_spec.find(',') + 1));
    for (std::string option; std::getline(rest, option, ',');) {
      if (!option.empty()) sort.output_format_options.push_back(option);
    }
  }
  for (const std::string& option : extra_options) sort.output_format_options.push_back(option);
  if (format.empty()) {
    std::string path = lower(sort.output_path);
    format = ends_with(path, ".sam") ? "sam" : ends_with(path, ".cram") ? "cram" : "bam";
  }
  if (format == "bam") {
    sort.output_format = OutputFormat::kBam;
  } else if (format == "sam") {
    sort.output_format = OutputFormat::kSam;
  } else if (format == "cram") {
    sort.output_format = OutputFormat::kCram;
  } else {
    throw UsageError("unknown output format '" + format + "' (bam, sam or cram)");
  }
  // A level among the format options (-O bam,level=1 / --output-fmt-option level=1) is -l.
  std::vector<std::string> kept;
  for (const std::string& option : sort.output_format_options) {
    if (option.rfind("level=", 0) == 0 && sort.output_format == OutputFormat::kBam) {
      std::string value = option.substr(6);
      if (value.size() != 1 || !std::isdigit(static_cast<unsigned char>(value[0]))) {
        throw UsageError("invalid output level '" + value + "' (0-9)");
      }
      if (sort.samtools_level < 0) sort.samtools_level = value[0] - '0';
    } else {
      kept.push_back(option);
    }
  }
  if (sort.output_format == OutputFormat::kBam && !kept.empty()) {
    throw UsageError("unsupported BAM output option '" + kept.front() + "' (level=N only)");
  }
  for (const std::string& option : kept) check_htslib_option(option, "--output-fmt-option");
  sort.output_format_options = kept;
  if (write_index) {
    if (sort.output_path == "-") {
      throw UsageError("--write-index needs an output file (-o), not standard output");
    }
    if (index_path.empty()) {
      // samtools' default names: CRAM gets a .crai, everything else a CSI.
      index_path =
          sort.output_path + (sort.output_format == OutputFormat::kCram ? ".crai" : ".csi");
    }
    sort.index_path = index_path;
    sort.index_csi = !ends_with(lower(index_path), ".bai");
  }
}

namespace {

SortOrder parse_order(const std::string& name) {
  if (std::optional<SortOrder> order = find_order(name)) return *order;
  throw UsageError("unknown --order '" + name + "' (" + canonical_order_list() + ")");
}

std::string usage_text(const po::options_description& visible) {
  std::ostringstream out;
  out << "Usage: samsort sort [options] [in.bam|-]\n"
         "Sort a BAM file with one memory bound for the whole process.\n"
         "Input defaults to standard input, output to standard output.\n\n"
      << visible
      << "\nOther commands: samsort verify [options] in.bam, samsort merge [options] -o out.bam "
         "in.bam..., samsort --version, samsort --help; a distributed sort's steps: samsort "
         "plan, sort-slice, merge-range, gather (each with --help)\n";
  return out.str();
}

}  // namespace

std::string join_command_line(int argc, const char* const* argv) {
  std::string line = "samsort";
  for (int idx = 1; idx < argc; ++idx) {
    line += ' ';
    line += argv[idx];
  }
  return line;
}

void resolve_budget(SortOptions& sort, const std::string* max_memory,
                    const std::string* memory_per_thread) {
  bool max_memory_given = max_memory != nullptr;
  bool per_thread_given = memory_per_thread != nullptr;
  if (max_memory_given && per_thread_given) {
    throw UsageError("give either -m (per thread) or --max-memory (total), not both");
  }
  // samtools refuses less than 1M per thread; the same floor applies to a total.
  const std::size_t floor_bytes = config::kMinMemoryPerThreadBytes;
  sort.budget_source =
      max_memory_given || per_thread_given ? BudgetSource::kGiven : BudgetSource::kDefault;
  if (max_memory_given && lower(*max_memory) == "auto") {
    // Sized by fit_budget_to_memory(); the default until then.
    sort.budget_source = BudgetSource::kAuto;
    sort.memory_bytes = config::kDefaultMemoryPerThreadBytes * sort.threads;
  } else if (max_memory_given) {
    sort.memory_bytes = parse_size(*max_memory, "--max-memory");
    if (sort.memory_bytes < floor_bytes) {
      throw UsageError("--max-memory below 1M is not supported");
    }
  } else if (per_thread_given) {
    std::size_t per_thread = parse_size(*memory_per_thread, "-m");
    if (per_thread < floor_bytes) {
      throw UsageError("-m below 1M per thread is not supported (samtools refuses it too)");
    }
    if (per_thread > (~std::size_t{0}) / sort.threads) {
      throw UsageError("-m '" + *memory_per_thread + "' x " + std::to_string(sort.threads) +
                       " threads is too large");
    }
    sort.memory_bytes = per_thread * sort.threads;
  } else {
    sort.memory_bytes = config::kDefaultMemoryPerThreadBytes * sort.threads;
  }
}

std::vector<std::string> parse_sort_tags(const std::string& text) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string tag =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (tag.size() != 2) {
      throw UsageError(
          "-t takes two-character tags separated by commas, e.g. -t CB or -t CB,UB; '" + text +
          "' has " + (tag.empty() ? "an empty entry" : "'" + tag + "'"));
    }
    tags.push_back(tag);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return tags;
}

// samtools' precedence for the order flags: the last of -n / -N / --template-coordinate /
// -M / -I / --order wins.
SortOrder order_from(const po::parsed_options& parsed) {
  SortOrder order = SortOrder::kCoordinate;
  for (const po::option& option : parsed.options) {
    if (option.string_key == "-n") {
      order = SortOrder::kQueryName;
    } else if (option.string_key == "-N") {
      order = SortOrder::kQueryNameLex;
    } else if (option.string_key == "template-coordinate") {
      order = SortOrder::kTemplateCoordinate;
    } else if (option.string_key == "order" && !option.value.empty()) {
      order = parse_order(option.value.back());
    } else if (option.string_key == "-M" || option.string_key == "-I") {
      order = SortOrder::kMinimiser;  // samtools: -I implies -M
    }
  }
  return order;
}

// --temp-compression: a zstd level, or "none" (stored BGZF blocks, as before zstd).
BlockCodec parse_temp_compression(const std::string& text) {
  if (text == "none" || text == "0") return BlockCodec{BlockFormat::kBgzf, 0};
  int level = 0;
  std::size_t used = 0;
  try {
    level = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0 || level < 1 || level > config::kMaxTempCompressionLevel) {
    throw UsageError("--temp-compression takes a zstd level 1-" +
                     std::to_string(config::kMaxTempCompressionLevel) + " or 'none', not '" + text +
                     "'");
  }
  return BlockCodec{BlockFormat::kZstd, level};
}

namespace {

// samtools' parse_int_value: a whole decimal int, else the option's own message.
int parse_int_option(const std::string& text, const char* message) {
  int value = 0;
  std::size_t used = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw UsageError(std::string(message) + " '" + text + "'");
  return value;
}

// -K (clamped to 1..31 as samtools does), -R and -H: how minimisers are hashed.
void parse_minimiser_hashing(const po::variables_map& values, MinimiserSettings& settings) {
  if (values.count("-K") != 0) {
    int kmer = parse_int_option(values["-K"].as<std::string>(), "-K: invalid kmer");
    settings.kmer = std::clamp(kmer, 1, 31);
  }
  settings.try_rev = values.count("-R") == 0;
  settings.squash = values.count("-H") != 0;
}

// The hashing options, -w and -I's FASTA.
void parse_minimiser_options(const po::variables_map& values, SortOptions& sort) {
  parse_minimiser_hashing(values, sort.minimiser);
  if (values.count("-w") != 0) {
    sort.minimiser_window = parse_int_option(values["-w"].as<std::string>(), "-w: invalid window");
  }
  if (values.count("-I") != 0) {
    sort.minimiser_reference = values["-I"].as<std::string>();
    if (sort.minimiser_reference.empty()) throw UsageError("-I: the FASTA path is empty");
  }
}

}  // namespace

void check_tag(const std::string& tag, SortOrder order) {
  if (tag.empty()) return;
  parse_sort_tags(tag);
  if (order_names(order).sub_sort_name == nullptr || order == SortOrder::kTemplateCoordinate) {
    throw UsageError("-t cannot be combined with " + std::string(order_names(order).name) +
                     " order");
  }
}

namespace {

// --minimiser-group-names refines -M; with -t, samtools' -M becomes a tag order.
void check_group_names(bool group_names, SortOrder order, const std::string& tag) {
  if (!group_names) return;
  if (order != SortOrder::kMinimiser) {
    throw UsageError("--minimiser-group-names needs the minimiser order (-M)");
  }
  if (!tag.empty()) throw UsageError("--minimiser-group-names cannot be combined with -t");
}

ParsedCommand parse_verify(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kVerify;
  VerifyOptions& verify = parsed.verify;
  std::string order{order_names(SortOrder::kCoordinate).name};
  int threads = 1;
  po::options_description visible("Options");
  const std::string order_help = "Order to check: " + canonical_order_list();
  // clang-format off
  visible.add_options()
      ("order", po::value<std::string>(&order), order_help.c_str())
      (",n", "Check natural read-name order")
      (",N", "Check lexicographic read-name order")
      ("template-coordinate", "Check template-coordinate order")
      (",M", "Check minimiser order (no -I): placed records in coordinate order, then the "
             "unplaced ones by minimiser value, recomputed with -K, -R, -H as sorted")
      (",K", po::value<std::string>(), "Kmer size of the minimiser [20]")
      (",R", "The minimisers were taken from the forward strand only")
      (",H", "The minimisers were taken with homopolymers squashed")
      ("minimiser-group-names", "With -M: check the name-grouped minimiser order "
                                "(sort --minimiser-group-names)")
      (",t", po::value<std::string>(&verify.sort_tag), "Check tag TAG first, then the order")
      ("reference", po::value<std::string>(&verify.reference), "Reference FASTA for CRAM")
      ("threads,@", po::value<int>(&threads), "Decompression threads [1]")
      ("help,h", "Print this help and exit");
  // clang-format on
  po::options_description all;
  all.add(visible);
  all.add_options()("input", po::value<std::string>(&verify.input_path));
  po::positional_options_description positional;
  positional.add("input", 1);
  std::vector<std::string> args(argv + 2, argv + argc);
  po::variables_map values;
  po::parsed_options options(&all);
  try {
    options = po::command_line_parser(args).options(all).positional(positional).run();
    po::store(options, values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  std::ostringstream help;
  help << "Usage: samsort verify [options] [in.bam|-]\n"
          "Check that records are in the given order; exit 0 if they are, 1 (naming the "
          "first record out of order) if not.\n\n"
       << visible;
  parsed.help_text = help.str();
  if (values.count("help") != 0) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  verify.order = order_from(options);
  check_tag(verify.sort_tag, verify.order);
  parse_minimiser_hashing(values, verify.minimiser);
  verify.minimiser_group_names = values.count("minimiser-group-names") != 0;
  check_group_names(verify.minimiser_group_names, verify.order, verify.sort_tag);
  verify.threads = threads <= 0 ? 1 : static_cast<std::size_t>(threads);
  return parsed;
}

}  // namespace

ParsedCommand parse_command_line(int argc, const char* const* argv) {
  ParsedCommand parsed;
  po::options_description visible("Options");
  std::string memory_per_thread;
  std::string max_memory;
  std::string order{order_names(SortOrder::kCoordinate).name};
  std::string sort_tag;
  std::string output_format;
  std::vector<std::string> output_options;
  std::string allocator = "mimalloc";
  std::string debug_run_bytes;
  std::string debug_range_bytes;
  std::string temp_compression;
  std::string debug_group_key;
  int threads = 1;
  int level = -1;
  int verbosity = 3;
  const std::string order_help = "Sort order: " + canonical_order_list() + " [" +
                                 std::string(order_names(SortOrder::kCoordinate).name) + "]";
  // Defaults in the help text come from config.hpp, so they cannot drift from the code.
  const std::string memory_help =
      std::string(
          "Total memory bound for the whole process (K/M/G), or 'auto': from the memory limit "
          "(cgroup, ulimit -v), else 3/4 of the available memory [")
          .append(std::to_string(config::kDefaultMemoryPerThreadBytes / config::kMiB))
          .append("M x threads, lowered to fit a memory limit]");
  const std::string temp_help =
      std::string("Spilled runs: zstd LEVEL 1-")
          .append(std::to_string(config::kMaxTempCompressionLevel))
          .append(", or 'none' to store them (about 3x the disk, less CPU) [")
          .append(std::to_string(config::kSpillZstdLevel))
          .append("]");
  const std::string level_help = std::string("Output compression level 0-9, samtools' scale [")
                                     .append(std::to_string(config::kDefaultSamtoolsLevel))
                                     .append("]");
  // clang-format off
  visible.add_options()
      ("output,o", po::value<std::string>(&parsed.sort.output_path),
       "Write the sorted BAM to FILE ('-' for standard output) [-]")
      ("threads,@", po::value<int>(&threads),
       "Worker threads for decompression, sorting and compression [1]")
      ("max-memory", po::value<std::string>(&max_memory),
       memory_help.c_str())
      (",m", po::value<std::string>(&memory_per_thread),
       "Memory per thread, samtools' meaning: total = SIZE x threads (K/M/G)")
      (",T", po::value<std::vector<std::string>>(&parsed.sort.tmp_options),
       "Temporary files: an existing DIR, or a PREFIX [beside the output, else $TMPDIR, "
       "made at the first spill]; repeat to give more places, used in turn as each fills up; "
       "run directories left there by dead samsort processes on this host are removed")
      (",l", po::value<int>(&level), level_help.c_str())
      ("temp-compression", po::value<std::string>(&temp_compression), temp_help.c_str())
      (",u", "Uncompressed BAM output (same as -l 0)")
      ("order", po::value<std::string>(&order), order_help.c_str())
      (",n", "Sort by read name, natural order (samtools -n; = --order queryname)")
      (",N", "Sort by read name, lexicographic (samtools -N; = --order queryname-lex)")
      ("template-coordinate", "Sort by template coordinate (= --order template-coordinate)")
      (",M", "Use minimiser for clustering unaligned/unplaced reads (= --order minimiser)")
      (",R", "Do not use reverse strand (only compatible with -M)")
      (",K", po::value<std::string>(), "Kmer size to use for minimiser [20]")
      (",I", po::value<std::string>(), "Order minimisers by their position in FASTA FILE (implies -M)")
      (",w", po::value<std::string>(), "Window size for minimiser indexing via -I ref.fa [100]")
      (",H", "Squash homopolymers when computing minimiser")
      ("minimiser-group-names",
       "With -M on unaligned reads: keep each read name's records together, the group keyed "
       "by its smallest minimiser (@HD SO:unsorted GO:query)")
      (",t", po::value<std::string>(&sort_tag),
       "Sort first by the value of aux tag TAG (or TAG,TAG,...: each in turn), then by the "
       "order above")
      ("output-fmt,O", po::value<std::string>(&output_format),
       "Output format FMT[,key=value...]: bam, sam or cram [from -o's extension, else bam]")
      ("output-fmt-option", po::value<std::vector<std::string>>(&output_options)->composing(),
       "Output format option key=value (e.g. level=1); repeatable")
      ("input-fmt-option", po::value<std::vector<std::string>>(&parsed.sort.input_format_options)
           ->composing(),
       "Input format option key=value (htslib); repeatable")
      ("reference", po::value<std::string>(&parsed.sort.reference),
       "Reference FASTA for CRAM input or output")
      ("write-index",
       "Index the output (coordinate order): CSI, or BAI with -o out.bam##idx##out.bam.bai")
      ("write-md5", "Write the output's MD5 to OUT.md5 (Picard's CREATE_MD5_FILE)")
      ("no-PG", "Do not add a @PG line to the header")
      ("allocator", po::value<std::string>(&allocator),
       "Small-object allocator: mimalloc or system [mimalloc]")
      ("progress", "Show progress on stderr even when it is not a terminal")
      ("stats", po::value<std::string>(&parsed.sort.stats_path),
       "Write the run's figures (phases, runs, bytes, memory) as JSON to FILE")
      ("verbosity", po::value<int>(&verbosity),
       "0-2: no summary line; 3 (default) and up: one summary line on stderr")
      ("version", "Print the version and exit")
      ("help,h", "Print this help and exit");
  // clang-format on
  po::options_description hidden;
  // clang-format off
  hidden.add_options()
      ("input", po::value<std::string>(&parsed.sort.input_path))
      ("debug-max-run-bytes", po::value<std::string>(&debug_run_bytes))
      ("debug-max-fan-in", po::value<std::size_t>(&parsed.sort.debug_max_fan_in))
      ("debug-range-bytes", po::value<std::string>(&debug_range_bytes))
      ("debug-one-thread-merge", po::bool_switch(&parsed.sort.debug_one_thread_merge))
      ("debug-group-key", po::value<std::string>(&debug_group_key))
      ("debug-progress-interval-ms",
       po::value<int>(&parsed.sort.debug_progress_interval_ms));
  // clang-format on
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("input", 1);

  // "samsort sort ARGS", "samsort --help", "samsort --version".
  std::string command = argc > 1 ? argv[1] : "";
  parsed.help_text = usage_text(visible);
  if (command == "--help" || command == "-h" || command == "help") {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  if (command == "--version") {
    parsed.kind = ParsedCommand::Kind::kVersion;
    return parsed;
  }
  if (command == "verify") return parse_verify(argc, argv);
  if (command == "merge") return parse_merge(argc, argv);
  if (command == "plan" || command == "sort-slice" || command == "merge-range" ||
      command == "gather") {
    return parse_distributed_step(argc, argv);
  }
  if (command != "sort") {
    throw UsageError(command.empty()
                         ? "no command given (try 'samsort sort --help')"
                         : "unknown command '" + command + "' (try 'samsort sort --help')");
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  po::variables_map values;
  po::parsed_options parsed_options(&all);
  try {
    parsed_options = po::command_line_parser(args).options(all).positional(positional).run();
    po::store(parsed_options, values);
    po::notify(values);
  } catch (const po::too_many_positional_options_error&) {
    throw UsageError(
        "give at most one input file (samtools' legacy 'sort in out.prefix' "
        "form is not supported: use -o FILE)");
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  if (values.count("help") != 0) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  if (values.count("version") != 0) {
    parsed.kind = ParsedCommand::Kind::kVersion;
    return parsed;
  }

  SortOptions& sort = parsed.sort;
  if (threads < 0) throw UsageError("--threads must be >= 0");
  sort.threads = threads == 0 ? 1 : static_cast<std::size_t>(threads);
  // Given counts, not emptiness: `-m ''` is a bad size, not "not given".
  resolve_budget(sort, values.count("max-memory") != 0 ? &max_memory : nullptr,
                 values.count("-m") != 0 ? &memory_per_thread : nullptr);
  if (values.count("-u") != 0) level = 0;
  if (level < -1 || level > 9) throw UsageError("-l must be between 0 and 9");
  sort.samtools_level = level;
  if (!temp_compression.empty()) sort.temp_codec = parse_temp_compression(temp_compression);
  sort.order = order_from(parsed_options);
  check_tag(sort_tag, sort.order);
  sort.sort_tag = sort_tag;
  sort.minimiser_group_names = values.count("minimiser-group-names") != 0;
  check_group_names(sort.minimiser_group_names, sort.order, sort_tag);
  if (!debug_group_key.empty()) {
    if (debug_group_key != "smallest" && debug_group_key != "first") {
      throw UsageError("--debug-group-key must be 'smallest' or 'first'");
    }
    sort.minimiser_group_key =
        debug_group_key == "first" ? GroupKeyRule::kFirst : GroupKeyRule::kSmallest;
  }
  sort.write_program_line = values.count("no-PG") == 0;
  sort.write_md5 = values.count("write-md5") != 0;
  sort.progress = values.count("progress") != 0;
  if (values.count("stats") != 0 && sort.stats_path.empty()) {
    throw UsageError("the --stats path is empty");
  }
  // The allocator itself is chosen before parsing (allocator::ensure_requested re-executes
  // with mimalloc preloaded); here the value is only checked.
  if (allocator != "mimalloc" && allocator != "system") {
    throw UsageError("--allocator must be 'mimalloc' or 'system'");
  }
  if (!debug_run_bytes.empty()) {
    sort.debug_max_run_bytes = parse_size(debug_run_bytes, "--debug-max-run-bytes");
  }
  if (!debug_range_bytes.empty()) {
    sort.debug_range_bytes = parse_size(debug_range_bytes, "--debug-range-bytes");
  }
  if (values.count("debug-max-fan-in") != 0 && sort.debug_max_fan_in < 2) {
    throw UsageError("--debug-max-fan-in must be at least 2");
  }
  sort.quiet = verbosity < 3;
  parse_minimiser_options(values, sort);
  resolve_output(sort, output_format, output_options, values.count("write-index") != 0);
  if (sort.write_md5 && sort.output_path == "-") {
    throw UsageError("--write-md5 needs an output file (-o FILE), not standard output");
  }
  for (const std::string& option : sort.input_format_options) {
    check_htslib_option(option, "--input-fmt-option");
  }
  sort.command_line = join_command_line(argc, argv);
  return parsed;
}

namespace {
std::string mib_text(std::uint64_t bytes) { return std::to_string(bytes / config::kMiB) + " MiB"; }
}  // namespace

std::optional<std::string> fit_budget_to_memory(SortOptions& sort,
                                                const MemoryEnvironment& environment) {
  std::optional<MemoryLimit> limit = tightest_limit(environment, sort.threads);
  std::string limit_text;
  std::uint64_t fitting = 0;
  if (limit) {
    fitting = std::max<std::uint64_t>(budget_fitting(*limit, sort.threads),
                                      config::kMinMemoryPerThreadBytes);
    limit_text = "the memory limit of " + mib_text(limit->bytes) + " (" + limit->source + ")";
  }
  switch (sort.budget_source) {
    case BudgetSource::kGiven:
      if (!limit || sort.memory_bytes <= fitting) return std::nullopt;
      return "the budget of " + mib_text(sort.memory_bytes) + " does not fit " + limit_text +
             " with the " + mib_text(limit->bytes - budget_fitting(*limit, sort.threads)) +
             " the process needs beside it; the job may be killed";
    case BudgetSource::kDefault:
      if (!limit || sort.memory_bytes <= fitting) return std::nullopt;
      {
        std::string message = "the default budget of " + mib_text(sort.memory_bytes) + " (" +
                              mib_text(config::kDefaultMemoryPerThreadBytes) + " x " +
                              std::to_string(sort.threads) + " threads) does not fit " +
                              limit_text + "; using " + mib_text(fitting) +
                              " (set --max-memory to choose)";
        sort.memory_bytes = static_cast<std::size_t>(fitting);
        return message;
      }
    case BudgetSource::kAuto:
      if (limit) {
        sort.memory_bytes = static_cast<std::size_t>(fitting);
      } else if (environment.available_bytes) {
        auto share = static_cast<std::uint64_t>(static_cast<double>(*environment.available_bytes) *
                                                config::kAutoAvailableShare);
        sort.memory_bytes = static_cast<std::size_t>(std::max<std::uint64_t>(
            share > config::kCgroupReserveBytes ? share - config::kCgroupReserveBytes : 0,
            config::kMinMemoryPerThreadBytes));
      } else {
        return "--max-memory auto: no memory limit and no available memory figure "
               "(/proc/meminfo) found; using the default of " +
               mib_text(sort.memory_bytes);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace samsort
