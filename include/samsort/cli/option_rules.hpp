// The option rules `samsort sort` and `samsort merge` share (cli/options.cpp): output
// resolution (-o FILE##idx##INDEX, -O FMT[,opts], levels, --write-index), the budget (-m,
// --max-memory), the order flags' precedence, -t checks and the @PG command line.
#pragma once
#include <boost/program_options/parsers.hpp>
#include <string>
#include <vector>

#include "samsort/cli/options.hpp"

namespace samsort {

// Fills the output fields of `sort` from -o (already in sort.output_path), -O's value
// `format_spec`, --output-fmt-option values and --write-index. Throws UsageError.
void resolve_output(SortOptions& sort, const std::string& format_spec,
                    const std::vector<std::string>& extra_options, bool write_index);
// Sets sort.memory_bytes and budget_source from --max-memory / -m (nullptr: not given), with
// sort.threads already set. Throws UsageError.
void resolve_budget(SortOptions& sort, const std::string* max_memory,
                    const std::string* memory_per_thread);
// The order -n / -N / --template-coordinate / --order ask for: the last one given wins.
SortOrder order_from(const boost::program_options::parsed_options& parsed);
// -t TAG's checks against the order. Throws UsageError.
void check_tag(const std::string& tag, SortOrder order);
// --temp-compression's value: a zstd level or "none". Throws UsageError.
BlockCodec parse_temp_compression(const std::string& text);
// "samsort ARGS..." for the @PG CL field.
std::string join_command_line(int argc, const char* const* argv);

}  // namespace samsort
