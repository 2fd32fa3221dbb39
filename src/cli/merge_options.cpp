// `samsort merge` options: samtools merge's spelling and meaning (-o or the legacy first file
// argument, -n/-N/-t/--template-coordinate for the inputs' order, -r -c -p -s -h -f -b -u -1
// -l, -R, -L, -X, -O, --write-index, --no-PG, -@), plus samsort's --max-memory, -T, --write-md5 and
// --verbosity. The output, budget and order rules are the sort's (cli/option_rules.hpp).
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "samsort/cli/option_rules.hpp"
#include "samsort/cli/options.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/order_names.hpp"

namespace samsort {

namespace po = boost::program_options;

namespace {

// -b FILE: one input name per line (samtools' hts_readlines; blank lines skipped).
void append_file_list(const std::string& list_path, std::vector<std::string>& inputs) {
  std::ifstream list(list_path);
  if (!list) throw UsageError("cannot read the file list '" + list_path + "' (-b)");
  for (std::string line; std::getline(list, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) inputs.push_back(line);
  }
}

std::string merge_usage(const po::options_description& visible) {
  std::ostringstream out;
  out << "Usage: samsort merge [options] -o out.bam [options] in1.bam ... inN.bam\n"
         "   or: samsort merge [options] out.bam in1.bam ... inN.bam\n"
         "Merge sorted BAM/SAM/CRAM files (all in the order given by -n/-N/-t/"
         "--template-coordinate, default coordinate) into one, with one memory bound.\n\n"
      << visible;
  return out.str();
}

}  // namespace

ParsedCommand parse_merge(int argc, const char* const* argv) {
  ParsedCommand parsed;
  parsed.kind = ParsedCommand::Kind::kMerge;
  MergeOptions& merge = parsed.merge;
  SortOptions& common = merge.common;
  common.output_path.clear();
  std::string max_memory;
  std::string order{order_names(SortOrder::kCoordinate).name};
  std::string sort_tag;
  std::string output_format;
  std::vector<std::string> output_options;
  std::vector<std::string> file_lists;
  std::vector<std::string> positional;
  long seed = 0;
  int threads = 1;
  int level = -1;
  int verbosity = 3;
  const std::string order_help = "Order of the inputs: " + canonical_order_list(false) + " [" +
                                 std::string(order_names(SortOrder::kCoordinate).name) + "]";
  po::options_description visible("Options");
  // clang-format off
  visible.add_options()
      ("output,o", po::value<std::string>(&common.output_path),
       "Output file ('-' for standard output); else the first file argument")
      (",n", "Inputs are sorted by read name, natural order")
      (",N", "Inputs are sorted by read name, lexicographic order")
      (",t", po::value<std::string>(&sort_tag), "Inputs are sorted by the value of tag TAG first")
      ("template-coordinate", "Inputs are sorted by template coordinate")
      ("order", po::value<std::string>(&order), order_help.c_str())
      (",r", "Attach an RG tag to each record, named after its input file")
      (",u", "Uncompressed BAM output")
      (",f", "Overwrite the output file if it exists")
      (",1", "Compression level 1")
      (",l", po::value<int>(&level), "Compression level 0-9, samtools' scale [6]")
      (",h", po::value<std::string>(&merge.header_file),
       "Use the header of FILE for the output (its @SQ must cover the inputs')")
      (",c", "Combine @RG lines with colliding IDs [make IDs distinct]")
      (",p", "Combine @PG lines with colliding IDs [make IDs distinct]")
      (",s", po::value<long>(&seed), "Seed of the suffixes that make colliding IDs distinct")
      (",b", po::value<std::vector<std::string>>(&file_lists),
       "File listing input files, one per line; repeatable")
      (",R", po::value<std::string>(&merge.region),
       "Merge only the records overlapping region STR (chr, chr:beg-end; indexed inputs)")
      (",L", po::value<std::string>(&merge.bed_path),
       "Merge only the records overlapping the regions of a BED FILE (indexed inputs)")
      (",X", "The input files are followed by their index files, one per input, in order")
      ("threads,@", po::value<int>(&threads), "Worker threads [1]")
      ("max-memory", po::value<std::string>(&max_memory),
       "Total memory bound for the whole process (K/M/G) or 'auto' [768M x threads]")
      (",T", po::value<std::vector<std::string>>(&common.tmp_options),
       "Temporary files (merge passes): an existing DIR or a PREFIX; repeatable")
      ("output-fmt,O", po::value<std::string>(&output_format),
       "Output format FMT[,key=value...]: bam, sam or cram")
      ("output-fmt-option", po::value<std::vector<std::string>>(&output_options)->composing(),
       "Output format option key=value; repeatable")
      ("input-fmt-option",
       po::value<std::vector<std::string>>(&common.input_format_options)->composing(),
       "Input format option key=value (htslib); repeatable")
      ("reference", po::value<std::string>(&common.reference), "Reference FASTA for CRAM")
      ("write-index", "Index the output (coordinate order)")
      ("write-md5", "Write the output's MD5 to OUT.md5")
      ("no-PG", "Do not add a @PG line to the header")
      ("verbosity", po::value<int>(&verbosity), "0-2: no summary line [3]")
      ("help", "Print this help and exit");
  // clang-format on
  po::options_description all;
  all.add(visible);
  all.add_options()("files", po::value<std::vector<std::string>>(&positional))(
      "debug-max-fan-in", po::value<std::size_t>(&common.debug_max_fan_in));
  po::positional_options_description files;
  files.add("files", -1);
  std::vector<std::string> args(argv + 2, argv + argc);
  po::variables_map values;
  po::parsed_options options(&all);
  try {
    options = po::command_line_parser(args).options(all).positional(files).run();
    po::store(options, values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  parsed.help_text = merge_usage(visible);
  if (values.count("help") != 0) {
    parsed.kind = ParsedCommand::Kind::kHelp;
    return parsed;
  }
  // samtools: without -o, the first file argument is the output.
  std::size_t first_input = 0;
  if (values.count("output") == 0) {
    if (positional.empty()) throw UsageError("give the output file (-o FILE or merge OUT IN...)");
    common.output_path = positional.front();
    first_input = 1;
  }
  if (common.output_path.empty()) throw UsageError("the output path is empty");
  std::vector<std::string> arguments(positional.begin() + static_cast<std::ptrdiff_t>(first_input),
                                     positional.end());
  if (values.count("-X") != 0) {
    // samtools: IN1 ... INn IDX1 ... IDXn after the output.
    if (!file_lists.empty()) throw UsageError("the -b option cannot be combined with -X");
    if (arguments.size() % 2 != 0) {
      throw UsageError("odd number of file names with -X: each input needs its index file");
    }
    std::size_t count = arguments.size() / 2;
    merge.index_paths.assign(arguments.begin() + static_cast<std::ptrdiff_t>(count),
                             arguments.end());
    arguments.resize(count);
  }
  if (!merge.region.empty() && !merge.bed_path.empty()) {
    throw UsageError("give either a region (-R) or a BED file (-L), not both");
  }
  if (values.count("-R") != 0 && merge.region.empty()) throw UsageError("the region (-R) is empty");
  if (values.count("-L") != 0 && merge.bed_path.empty()) {
    throw UsageError("the BED file name (-L) is empty");
  }
  // samtools: the -b lists' files first (in the lists' order), then the file arguments.
  for (const std::string& list : file_lists) append_file_list(list, merge.inputs);
  merge.inputs.insert(merge.inputs.end(), arguments.begin(), arguments.end());
  if (merge.inputs.empty()) {
    throw UsageError("give at least one (and usually two or more) input files");
  }
  for (const std::string& input : merge.inputs) {
    if (input.empty()) throw UsageError("an input file name is empty");
  }

  if (values.count("debug-max-fan-in") != 0 && common.debug_max_fan_in < 2) {
    throw UsageError("--debug-max-fan-in must be at least 2");
  }
  if (threads < 0) throw UsageError("--threads must be >= 0");
  common.threads = threads == 0 ? 1 : static_cast<std::size_t>(threads);
  resolve_budget(common, values.count("max-memory") != 0 ? &max_memory : nullptr, nullptr);
  if (values.count("-1") != 0) level = 1;
  if (values.count("-u") != 0) level = 0;
  if (level < -1 || level > 9) throw UsageError("-l must be between 0 and 9");
  common.samtools_level = level;
  common.order = order_from(options);
  if (common.order == SortOrder::kMinimiser) {
    // Its keys live in rewritten records (samtools merge has no -M either).
    throw UsageError("merge cannot merge by minimiser order");
  }
  check_tag(sort_tag, common.order);
  common.sort_tag = sort_tag;
  common.write_program_line = values.count("no-PG") == 0;
  common.write_md5 = values.count("write-md5") != 0;
  common.quiet = verbosity < 3;
  merge.force = values.count("-f") != 0;
  merge.attach_read_group = values.count("-r") != 0;
  merge.combine_read_groups = values.count("-c") != 0;
  merge.combine_programs = values.count("-p") != 0;
  if (values.count("-s") != 0) merge.seed = seed;
  resolve_output(common, output_format, output_options, values.count("write-index") != 0);
  if (common.write_md5 && common.output_path == "-") {
    throw UsageError("--write-md5 needs an output file (-o FILE), not standard output");
  }
  common.input_path = merge.inputs.front();
  common.command_line = join_command_line(argc, argv);
  return parsed;
}

}  // namespace samsort
