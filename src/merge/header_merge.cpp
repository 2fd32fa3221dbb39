// Header merging for `samsort merge`, a line-by-line port of samtools HEAD's bam_sort.c
// (trans_tbl_init, trans_tbl_add_hd/_sq, trans_rg_pg, finish_rg_pg, gen_unique_id,
// finish_merged_header) onto htslib's sam_hdr_t API, which samtools itself uses.
#include "samsort/merge/header_merge.hpp"

#include <htslib/kstring.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <string_view>

#include "samsort/core/errors.hpp"
#include "samsort/io/hts_handles.hpp"
#include "samsort/io/hts_log.hpp"

namespace samsort {

namespace {

// POSIX lrand48() after srand48(seed), as glibc computes it. samtools merge calls
// hts_srand48(seed), which on Linux is libc's srand48, and gen_unique_id() then draws libc's
// lrand48(); a private generator keeps this function free of global state.
class Rand48 {
 public:
  explicit Rand48(long seed) noexcept
      : state_(((static_cast<std::uint64_t>(seed) & 0xffffffffu) << 16) | 0x330eu) {}

  long next() noexcept {
    state_ = (state_ * 0x5deece66dULL + 0xbU) & kStateMask;
    return static_cast<long>(state_ >> 17);
  }

 private:
  static constexpr std::uint64_t kStateMask = (std::uint64_t{1} << 48) - 1;
  std::uint64_t state_;
};

// A kstring_t that frees itself.
struct KString {
  kstring_t ks{0, 0, nullptr};
  KString() = default;
  KString(const KString&) = delete;
  KString& operator=(const KString&) = delete;
  ~KString() { std::free(ks.s); }
  std::string str() const { return ks.s != nullptr ? std::string(ks.s, ks.l) : std::string(); }
};

// The state samtools keeps in merged_header_t: the output header (@HD and @SQ lines go in at
// once), the @RG/@PG/@CO text added at the end, and the IDs already used.
struct MergeState {
  hts::HeaderPtr header;
  bool have_hd = false;
  std::string rg_text, pg_text, co_text;
  std::set<std::string> rg_ids, pg_ids;
  Rand48 rand;
  std::vector<std::string> warnings;
};

hts::HeaderPtr parse_header(const std::string& text, const std::string& failure) {
  hts::HeaderPtr header(sam_hdr_init());
  if (!header) throw Error("out of memory creating a header");
  if (!text.empty() && sam_hdr_add_lines(header.get(), text.data(), text.size()) < 0) {
    throw Error(failure);
  }
  return header;
}

void add_lines(MergeState& state, const std::string& lines) {
  if (lines.empty()) return;  // sam_hdr_add_lines() with no text adds nothing
  if (sam_hdr_add_lines(state.header.get(), lines.data(), lines.size()) < 0) {
    throw Error("merge: failed to add header lines to the new header");
  }
}

// gen_unique_id(): `prefix` itself when unused (unless `always_add_suffix`), else
// "<prefix>-%08lX" with fresh lrand48() draws until unused.
std::string unique_id(const std::string& prefix, const std::set<std::string>& used,
                      bool always_add_suffix, Rand48& rand) {
  if (!always_add_suffix && used.count(prefix) == 0) return prefix;
  std::string id;
  do {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%08lX", rand.next());
    id = prefix + suffix;
  } while (used.count(id) != 0);
  return id;
}

// trans_tbl_add_hd(): the first @HD line met (the -h header's, else the inputs' in order).
void add_hd(MergeState& state, sam_hdr_t* input) {
  if (state.have_hd) return;
  KString line;
  int found = sam_hdr_find_hd(input, &line.ks);
  if (found < -1) throw Error("merge: failed to get @HD line from header");
  if (found < 0) return;
  add_lines(state, line.str());
  state.have_hd = true;
}

// trans_tbl_add_sq(): each reference maps to the output reference of the same name (htslib's
// sam_hdr_name2tid, so an @SQ AN alias matches too); unknown ones append their @SQ line.
void add_sq(MergeState& state, sam_hdr_t* input, InputTranslation& translation) {
  int ref_count = sam_hdr_nref(input);
  translation.tid_map.assign(static_cast<std::size_t>(ref_count), -1);
  int max_tid = -1;
  for (int tid = 0; tid < ref_count; ++tid) {
    KString name;
    if (sam_hdr_find_tag_pos(input, "SQ", tid, "SN", &name.ks) < 0) {
      throw Error("merge: failed to get @SQ SN #" + std::to_string(tid + 1) + " from header");
    }
    int out_tid = sam_hdr_name2tid(state.header.get(), name.ks.s);
    if (out_tid < -1) throw Error("merge: failed to lookup ref");
    if (out_tid < 0) {
      KString line;
      if (sam_hdr_find_line_id(input, "SQ", "SN", name.ks.s, &line.ks) < 0) {
        throw Error("merge: failed to get @SQ SN:" + name.str() + " from header");
      }
      out_tid = sam_hdr_nref(state.header.get());
      add_lines(state, line.str());
    }
    translation.tid_map[static_cast<std::size_t>(tid)] = out_tid;
    // samtools' lost_coord_sort: output tids must rise strictly with the input's.
    if (out_tid > max_tid) {
      max_tid = out_tid;
    } else {
      translation.lost_coordinate_order = true;
    }
  }
}

// Replaces the value of the first "\tID:" tag of `line` (htslib's text of one line).
std::string with_id(const std::string& line, const std::string& id) {
  std::size_t start = line.find("\tID:");
  if (start == std::string::npos) {
    throw Error("merge: failed to find ID in \"" + line + "\"");
  }
  start += 4;
  std::size_t end = line.find('\t', start);
  if (end == std::string::npos) end = line.size();
  return line.substr(0, start) + id + line.substr(end);
}

struct IdSpace {
  const char* type;  // "RG" or "PG"
  bool combine;      // -c / -p
  std::set<std::string>& used;
};

// trans_rg_pg(): the input's @RG or @PG lines that go into the output (IDs renamed) and the
// input -> output ID map. A colliding ID gets a random suffix unless combining; with an
// `override` (-r, RG only) every ID becomes it, and an input without @RG lines gets one.
std::vector<std::string> translate_ids(MergeState& state, sam_hdr_t* input, IdSpace space,
                                       IdMap& id_map, const std::string* override) {
  std::vector<std::string> lines;
  int line_count = sam_hdr_count_lines(input, space.type);
  if (line_count < 0) throw Error(std::string("merge: failed to count @") + space.type);
  for (int pos = 0; pos < line_count; ++pos) {
    KString id_ks;
    if (sam_hdr_find_tag_pos(input, space.type, pos, "ID", &id_ks.ks) < 0) {
      throw Error(std::string("merge: failed to get @") + space.type + " ID from header");
    }
    std::string input_id = id_ks.str();
    std::string output_id = input_id;
    bool is_new = space.used.count(input_id) == 0;
    bool changed = false;
    if (override != nullptr) {
      // samtools merges into an existing override ID (OVERRIDE_DOES_NOT_MERGE is unset).
      output_id = *override;
      is_new = space.used.count(output_id) == 0;
      changed = true;
    } else if (!is_new && !space.combine) {
      output_id = unique_id(input_id, space.used, true, state.rand);
      is_new = true;
      changed = true;
    }
    if (is_new) {
      KString line;
      if (sam_hdr_find_line_id(input, space.type, "ID", input_id.c_str(), &line.ks) < 0) {
        throw Error(std::string("merge: failed to get @") + space.type + " ID:" + input_id);
      }
      lines.push_back(changed ? with_id(line.str(), output_id) : line.str());
      space.used.insert(output_id);
    }
    id_map[input_id] = output_id;  // a repeated input ID maps as its last line says (khash)
  }
  if (override != nullptr && lines.empty()) {
    // trans_rg_pg() checks the list it built, not the header: an input whose @RG lines all
    // merged into an existing override ID also gets here.
    std::string new_id = unique_id(*override, space.used, false, state.rand);
    lines.push_back("@RG\tID:" + new_id);
    space.used.insert(new_id);
    id_map[""] = new_id;  // samtools' key for it: the empty string
  }
  return lines;
}

// finish_rg_pg(): rewrites the first PG: (in @RG) or PP: (in @PG) value through this input's
// @PG map and appends the lines to `out`; an unknown value stays and is reported.
void finish_lines(MergeState& state, const std::vector<std::string>& lines, bool is_rg,
                  const IdMap& pg_map, std::string& out) {
  const std::string search = is_rg ? "\tPG:" : "\tPP:";
  for (const std::string& line : lines) {
    std::size_t start = line.find(search);
    if (start == std::string::npos) {
      out += line;
    } else {
      start += 4;
      std::size_t end = line.find('\t', start);
      if (end == std::string::npos) end = line.size();
      std::string value = line.substr(start, end - start);
      auto found = pg_map.find(value);
      if (found == pg_map.end()) {
        state.warnings.push_back("[W::finish_rg_pg] Tag " + search.substr(1) + value +
                                 " not found in @PG records");
        out += line;
      } else {
        out += line.substr(0, start) + found->second + line.substr(end);
      }
    }
    out += '\n';
  }
}

void copy_comments(MergeState& state, sam_hdr_t* input) {
  int comment_count = sam_hdr_count_lines(input, "CO");
  if (comment_count < 0) throw Error("merge: failed to count @CO lines");
  for (int pos = 0; pos < comment_count; ++pos) {
    KString line;
    if (sam_hdr_find_line_pos(input, "CO", pos, &line.ks) < 0) {
      throw Error("merge: failed to get @CO line from header");
    }
    state.co_text += line.str();
    state.co_text += '\n';
  }
}

// trans_tbl_init(): one input (or the -h header) into the merged header.
InputTranslation add_input(MergeState& state, sam_hdr_t* input, const HeaderMergeOptions& options,
                           const std::string* rg_override) {
  InputTranslation translation;
  add_hd(state, input);
  add_sq(state, input, translation);
  std::vector<std::string> rg_lines =
      translate_ids(state, input, {"RG", options.combine_read_groups, state.rg_ids},
                    translation.read_group_map, rg_override);
  std::vector<std::string> pg_lines =
      translate_ids(state, input, {"PG", options.combine_programs, state.pg_ids},
                    translation.program_map, nullptr);
  finish_lines(state, rg_lines, true, translation.program_map, state.rg_text);
  finish_lines(state, pg_lines, false, translation.program_map, state.pg_text);
  copy_comments(state, input);  // merge copies every input's @CO (MERGE_FIRST_CO is sort's)
  return translation;
}

// finish_merged_header(): a coordinate merge that lost its order says so in @HD; then the
// @RG, @PG and @CO lines follow the @SQ lines.
void finish(MergeState& state, bool reset_order) {
  if (reset_order && state.have_hd) {
    sam_hdr_t* header = state.header.get();
    if (sam_hdr_remove_tag_id(header, "HD", nullptr, nullptr, "SS") < 0 ||
        sam_hdr_remove_tag_id(header, "HD", nullptr, nullptr, "GO") < 0 ||
        sam_hdr_update_hd(header, "SO", "unsorted") < 0) {
      throw Error("merge: failed to reset the @HD sort order");
    }
  }
  add_lines(state, state.rg_text);
  add_lines(state, state.pg_text);
  add_lines(state, state.co_text);
}

std::string header_text(sam_hdr_t* header) {
  const char* text = sam_hdr_str(header);
  return text != nullptr ? std::string(text, sam_hdr_length(header)) : std::string();
}

}  // namespace

std::string read_group_from_file_name(const std::string& file_name) {
  std::string_view name(file_name);
  std::size_t length = name.size();
  // samtools compares the whole name's end (strcmp), so at most one suffix goes, and a name
  // that is only the suffix keeps it.
  if (length > 4 && (name.ends_with(".bam") || name.ends_with(".sam"))) {
    length -= 4;
  } else if (length > 5 && name.ends_with(".cram")) {
    length -= 5;
  }
  std::size_t slash = name.substr(0, length).rfind('/');
  std::size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  return std::string(name.substr(start, length - start));
}

MergedHeader merge_headers(const std::vector<std::string>& input_texts,
                           const std::vector<std::string>& input_names,
                           const HeaderMergeOptions& options) {
  if (input_texts.size() != input_names.size()) {
    throw Error("merge_headers: " + std::to_string(input_texts.size()) + " headers but " +
                std::to_string(input_names.size()) + " names");
  }
  // The caller read these headers with htslib, which gave its warnings (duplicate IDs...)
  // then; parsing them again must not repeat them. Errors still show.
  HtsLogLevelGuard quiet(std::min(hts_get_log_level(), HTS_LOG_ERROR));
  long seed = options.seed ? *options.seed : static_cast<long>(std::time(nullptr));
  MergeState state{hts::HeaderPtr(sam_hdr_init()), false, {}, {}, {}, {}, {}, Rand48(seed), {}};
  if (!state.header) throw Error("out of memory creating a header");
  MergedHeader merged;
  if (options.header_override) {
    hts::HeaderPtr header =
        parse_header(*options.header_override, "couldn't read headers from the -h file");
    add_input(state, header.get(), options, nullptr);
  }
  bool coordinate = options.order == SortOrder::kCoordinate && !options.sort_tag;
  bool reset_order = false;
  for (std::size_t idx = 0; idx < input_texts.size(); ++idx) {
    hts::HeaderPtr header =
        parse_header(input_texts[idx], "failed to read header from \"" + input_names[idx] + "\"");
    std::string rg_name;
    if (options.attach_read_group) rg_name = read_group_from_file_name(input_names[idx]);
    InputTranslation translation =
        add_input(state, header.get(), options, options.attach_read_group ? &rg_name : nullptr);
    translation.attached_read_group = rg_name;
    if (translation.lost_coordinate_order && coordinate) {
      state.warnings.push_back("[bam_merge_core] Order of targets in file " + input_names[idx] +
                               " caused coordinate sort to be lost");
      reset_order = true;
    }
    merged.inputs.push_back(std::move(translation));
  }
  if (!state.have_hd) state.warnings.emplace_back("[W::bam_merge_core2] No @HD tag found.");
  finish(state, reset_order);
  merged.text = header_text(state.header.get());
  merged.warnings = std::move(state.warnings);
  return merged;
}

}  // namespace samsort
