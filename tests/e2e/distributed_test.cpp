// The distributed sort (samsort plan / sort-slice / merge-range / gather, wired by
// workflow/Snakefile) run locally with `snakemake --cores 2`: records, header and index
// identical to `samsort sort` of the same input for every order, K ranges in {1, 3, 8} and M
// slices in {1, 4}, on the example data and on generated data with spills, long reads and
// slices cut inside them; a killed map and a rerun give the same output; the gather refuses
// parts that do not add up to the input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "random_records.hpp"

namespace samsort::e2e {
namespace {

std::string snakefile() { return std::string(kTestDataDir) + "/../workflow/Snakefile"; }

struct Workflow {
  std::string input;
  std::string order = "coordinate";
  std::string tag;
  int shards = 1;
  int slices = 1;
  bool index = false;
  std::string index_format = "csi";
  std::string memory = "256M";
  std::string samsort = kSamsortBin;
  std::string slice_options;  // extra sort-slice options
  std::string plan_options;   // extra plan options
};

ProcessResult run_workflow(const ScratchDir& scratch, const Workflow& flow,
                           const std::string& output) {
  std::vector<std::string> argv = {"snakemake",
                                   "-s",
                                   snakefile(),
                                   "--cores",
                                   "2",
                                   "--quiet",
                                   "--directory",
                                   scratch.path(),
                                   "--config",
                                   "samsort=" + flow.samsort,
                                   "input=" + flow.input,
                                   "output=" + output,
                                   "order=" + flow.order,
                                   "shards=" + std::to_string(flow.shards),
                                   "slices=" + std::to_string(flow.slices),
                                   "threads=2",
                                   "memory=" + flow.memory,
                                   "index=" + std::string(flow.index ? "true" : "false"),
                                   "index_format=" + flow.index_format};
  if (!flow.tag.empty()) argv.push_back("tag=" + flow.tag);
  if (!flow.slice_options.empty()) argv.push_back("slice_options=" + flow.slice_options);
  if (!flow.plan_options.empty()) argv.push_back("plan_options=" + flow.plan_options);
  return run_process(argv);
}

// `samsort sort` of the same input: the reference output.
std::string single_node_sort(const ScratchDir& scratch, const Workflow& flow) {
  std::string output = scratch.file("single.bam");
  std::string destination = output;
  if (flow.index && flow.index_format == "bai") destination += "##idx##" + output + ".bai";
  std::vector<std::string> args = {"--order",     flow.order, "-@", "2",
                                   "--verbosity", "0",        "-o", destination};
  if (!flow.tag.empty()) args.insert(args.end(), {"-t", flow.tag});
  if (flow.index) args.emplace_back("--write-index");
  args.push_back(flow.input);
  ProcessResult sorted = run_samsort(args);
  EXPECT_TRUE(sorted.exited_ok()) << sorted.describe();
  return output;
}

std::vector<std::string> without_program_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> kept;
  for (const std::string& line : lines) {
    if (line.rfind("@PG", 0) != 0) kept.push_back(line);
  }
  return kept;
}

// Regions that exercise the index: whole references, small and large windows, the unmapped tail.
std::vector<std::string> index_regions(const std::string& bam) {
  std::vector<std::string> regions = {"*"};
  int references = 0;
  for (const std::string& line : header_lines(bam)) {
    // The first few references (each query runs samtools once).
    if (line.rfind("@SQ", 0) != 0 || ++references > 3) continue;
    std::size_t name_at = line.find("SN:") + 3;
    std::string name = line.substr(name_at, line.find('\t', name_at) - name_at);
    std::size_t length_at = line.find("LN:") + 3;
    long length = std::stol(line.substr(length_at, line.find('\t', length_at) - length_at));
    regions.push_back(name);
    for (long start : {1L, length / 3, length - 200}) {
      if (start < 1) continue;
      for (long width : {1L, 20000L}) {
        regions.push_back(name + ":" + std::to_string(start) + "-" + std::to_string(start + width));
      }
    }
  }
  return regions;
}

// The workflow's output equals the single-node sort's: records in order, header (but @PG, whose
// command line differs), and, when indexed, the index's answers.
void expect_same_as_single_node(const ScratchDir& scratch, const Workflow& flow,
                                const std::string& label) {
  SCOPED_TRACE(label);
  std::string output = scratch.file("distributed.bam");
  ProcessResult run = run_workflow(scratch, flow, output);
  ASSERT_TRUE(run.exited_ok()) << run.describe() << run.stdout_text;
  std::string single = single_node_sort(scratch, flow);
  EXPECT_TRUE(same_records_in_order(single, output));
  EXPECT_EQ(without_program_lines(header_lines(single)),
            without_program_lines(header_lines(output)));
  EXPECT_TRUE(contains(join_lines(header_lines(output)), "CL:samsort gather"));
  ProcessResult check = run_process({"samtools", "quickcheck", output});
  EXPECT_TRUE(check.exited_ok()) << check.describe();
  if (flow.index) {
    std::string index = output + "." + flow.index_format;
    ASSERT_TRUE(path_exists(index)) << index;
    ProcessResult stats_single = run_process({"samtools", "idxstats", single});
    ProcessResult stats_output = run_process({"samtools", "idxstats", output});
    EXPECT_EQ(stats_single.stdout_text, stats_output.stdout_text);
    for (const std::string& region : index_regions(output)) {
      EXPECT_EQ(count_records(single, region), count_records(output, region)) << region;
    }
  }
  // The work directory is left empty (temporaries of a killed run removed by the rerun).
  std::string work = output + ".work";
  if (path_exists(work)) {
    EXPECT_EQ(join_lines(list_directory(work)), "") << label;
  }
  // Nothing but the output (and Snakemake's own bookkeeping) is left in the directory.
  for (const std::string& name : list_directory(scratch.path())) {
    EXPECT_TRUE(name == "distributed.bam" || name == "distributed.bam.csi" ||
                name == "distributed.bam.bai" || name == "single.bam" ||
                name.rfind("single.bam.", 0) == 0 || name == ".snakemake" ||
                name == "distributed.bam.work")
        << "left behind: " << name;
  }
}

TEST(Distributed, CoordinateWithIndexForEveryShapeEqualsTheSingleNodeSort) {
  for (auto [shards, slices] : {std::pair{1, 1}, {3, 1}, {8, 1}, {1, 4}, {3, 4}, {8, 4}}) {
    ScratchDir scratch;
    Workflow flow{.input = example_bam(), .shards = shards, .slices = slices, .index = true};
    // Keys sampled at blocks (the path of files over 64 MiB) in half the shapes.
    if (slices == 4) flow.plan_options = "--debug-sample-blocks";
    expect_same_as_single_node(scratch, flow,
                               "K=" + std::to_string(shards) + " M=" + std::to_string(slices));
  }
}

TEST(Distributed, BaiIndexEqualsTheSingleNodeSort) {
  ScratchDir scratch;
  Workflow flow{.input = example_bam(), .shards = 3, .slices = 4, .index = true};
  flow.index_format = "bai";
  expect_same_as_single_node(scratch, flow, "bai");
}

TEST(Distributed, EveryOrderOnTheExampleData) {
  struct Case {
    const char* order;
    const char* tag;
  };
  for (const Case& order :
       {Case{"queryname", ""}, Case{"queryname-lex", ""}, Case{"picard-coordinate", ""},
        Case{"picard-queryname", ""}, Case{"coordinate", "NM"}, Case{"queryname", "RG"}}) {
    for (auto [shards, slices] : {std::pair{3, 4}, {8, 1}}) {
      ScratchDir scratch;
      Workflow flow{.input = example_bam(),
                    .order = order.order,
                    .tag = order.tag,
                    .shards = shards,
                    .slices = slices};
      expect_same_as_single_node(scratch, flow,
                                 std::string(order.order) + " " + order.tag + " K=" +
                                     std::to_string(shards) + " M=" + std::to_string(slices));
    }
  }
}

// Messy generated records (every flag combination, MC tags, duplicated keys) with spilled runs
// in every slice: every order, template-coordinate included.
TEST(Distributed, EveryOrderWithSpillsOnGeneratedData) {
  RandomRecordsSpec spec;
  spec.record_count = 30000;
  spec.seed = 14;
  spec.picard = true;  // Picard's comparators are consistent on it
  std::string input = random_records_bam(spec);
  for (const char* order : {"coordinate", "queryname", "queryname-lex", "template-coordinate",
                            "picard-coordinate", "picard-queryname"}) {
    ScratchDir scratch;
    Workflow flow{.input = input, .order = order, .shards = 3, .slices = 4, .memory = "64M"};
    flow.slice_options = "--debug-max-run-bytes 1M";
    flow.plan_options = "--debug-sample-blocks";
    expect_same_as_single_node(scratch, flow, order);
  }
}

// Indexed, with spills: mapped records at POS 0 (in the messy set above) cannot be indexed by
// htslib after others on their reference (samtools sort --write-index fails on them too), so
// the index is checked on well-formed generated records.
TEST(Distributed, IndexedCoordinateWithSpills) {
  ScratchDir scratch;
  Workflow flow{
      .input = generated_bam(40000, 91), .shards = 8, .slices = 4, .index = true, .memory = "64M"};
  flow.slice_options = "--debug-max-run-bytes 1M";
  expect_same_as_single_node(scratch, flow, "indexed with spills");
}

// Reads of 70-250 kb (each record spans several BGZF blocks, so most blocks hold no record
// start) among short ones: the plan's slice starts are found past them.
std::string long_read_bam(const ScratchDir& scratch) {
  std::string sam = scratch.file("long.sam");
  std::string bam = scratch.file("long.bam");
  ProcessResult made = run_shell(
      "awk 'BEGIN { srand(7); print \"@HD\\tVN:1.6\\tSO:unsorted\"; "
      "print \"@SQ\\tSN:c1\\tLN:5000000\"; print \"@SQ\\tSN:c2\\tLN:3000000\"; "
      "split(\"A C G T\", base, \" \"); "
      "for (r = 0; r < 120; r++) { len = (r % 3 == 0) ? 70000 + int(rand() * 180000) : 150; "
      "seq = \"\"; for (i = 0; i < len; i++) seq = seq base[1 + int(rand() * 4)]; "
      "ref = (r % 5 == 4) ? \"*\" : ((r % 2) ? \"c1\" : \"c2\"); "
      "pos = (ref == \"*\") ? 0 : 1 + int(rand() * 2000000); flag = (ref == \"*\") ? 4 : 0; "
      "cigar = (ref == \"*\") ? \"*\" : len \"M\"; "
      "printf \"read%04d\\t%d\\t%s\\t%d\\t%d\\t%s\\t*\\t0\\t0\\t%s\\t*\\n\", "
      "r, flag, ref, pos, (ref == \"*\") ? 0 : 60, cigar, seq } }' > " +
      sam + " && samtools view --no-PG -b -o " + bam + " " + sam);
  EXPECT_TRUE(made.exited_ok()) << made.describe();
  return bam;
}

TEST(Distributed, LongReadsCutAcrossBlocks) {
  ScratchDir data;
  std::string input = long_read_bam(data);
  for (const char* order : {"coordinate", "queryname"}) {
    ScratchDir scratch;
    Workflow flow{.input = input, .order = order, .shards = 3, .slices = 4};
    flow.index = std::string(order) == "coordinate";
    flow.plan_options = "--debug-sample-blocks";
    expect_same_as_single_node(scratch, flow, order);
  }
  // More slices than the file has blocks with record starts: some slices are empty.
  ScratchDir scratch;
  Workflow flow{.input = input, .shards = 8, .slices = 16, .index = true};
  expect_same_as_single_node(scratch, flow, "16 slices");
}

// More ranges than distinct keys (empty ranges, empty parts) and an input without records.
TEST(Distributed, TinyAndEmptyInputs) {
  ScratchDir data;
  std::string tiny = data.file("tiny.bam");
  std::string empty = data.file("empty.bam");
  ProcessResult made =
      run_shell("samtools view -h " + example_bam() + " | head -30 | samtools view --no-PG -b -o " +
                tiny + " - && samtools view --no-PG -H -b -o " + empty + " " + tiny);
  ASSERT_TRUE(made.exited_ok()) << made.describe();
  {
    ScratchDir scratch;
    Workflow flow{.input = tiny, .shards = 8, .slices = 4, .index = true};
    expect_same_as_single_node(scratch, flow, "20 records, 8 ranges");
  }
  ScratchDir scratch;
  Workflow flow{.input = empty, .shards = 3, .slices = 2, .index = true};
  std::string output = scratch.file("distributed.bam");
  ProcessResult run = run_workflow(scratch, flow, output);
  ASSERT_TRUE(run.exited_ok()) << run.describe();
  EXPECT_EQ(count_records(output), 0);
  EXPECT_EQ(without_program_lines(header_lines(output)),
            without_program_lines(header_lines(single_node_sort(scratch, flow))));
  EXPECT_TRUE(path_exists(output + ".csi"));
}

// A map killed mid-run (SIGKILL, no cleanup) fails the workflow and leaves no part behind; the
// rerun gives the single-node sort's output.
TEST(Distributed, KilledMapAndRerunGiveTheSameOutput) {
  ScratchDir scratch;
  ScratchDir tools;
  std::string marker = tools.file("killed-once");
  std::string wrapper = tools.file("samsort-killing-slice-1");
  {
    std::ofstream script(wrapper);
    script << "#!/bin/sh\n"
              "case \" $* \" in *\" sort-slice \"*\" --slice 1 \"*)\n"
              "  if [ ! -e "
           << marker << " ]; then touch " << marker << "; " << kSamsortBin
           << " \"$@\" & pid=$!; sleep 0.2; kill -9 $pid && echo killed > " << marker
           << "; wait $pid; exit 137; fi;;\n"
              "esac\n"
              "exec "
           << kSamsortBin << " \"$@\"\n";
  }
  ASSERT_TRUE(run_shell("chmod +x " + wrapper).exited_ok());
  Workflow flow{.input = generated_bam(200000, 31), .shards = 3, .slices = 4, .index = true};
  flow.samsort = wrapper;
  flow.slice_options = "--debug-max-run-bytes 1M";
  std::string output = scratch.file("distributed.bam");
  ProcessResult failed = run_workflow(scratch, flow, output);
  EXPECT_FALSE(failed.exited_ok());
  EXPECT_EQ(read_text(marker), "killed\n") << "the slice finished before it was killed";
  EXPECT_FALSE(path_exists(output));
  for (int range = 0; range < 3; ++range) {
    std::string part =
        scratch.path() + "/distributed.bam.work/slice1.part" + std::to_string(range) + ".bam";
    EXPECT_FALSE(path_exists(part)) << part;
  }
  expect_same_as_single_node(scratch, flow, "rerun");
}

// The steps by hand: the gather refuses a missing slice, a part given twice or out of order, and
// a part whose size does not match its manifest; nothing is written then.
TEST(Distributed, GatherRefusesPartsThatDoNotAddUp) {
  ScratchDir scratch;
  std::string plan = scratch.file("plan");
  ProcessResult planned = run_process(
      {kSamsortBin, "plan", "--slices", "2", "--shards", "2", "-o", plan, example_bam()});
  ASSERT_TRUE(planned.exited_ok()) << planned.describe();
  std::vector<std::string> slices;
  for (int slice = 0; slice < 2; ++slice) {
    slices.push_back(scratch.file("slice" + std::to_string(slice)));
    ProcessResult sorted = run_process({kSamsortBin, "sort-slice", "--plan", plan, "--slice",
                                        std::to_string(slice), "-o", slices.back()});
    ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
  }
  std::vector<std::string> parts;
  for (int range = 0; range < 2; ++range) {
    parts.push_back(scratch.file("range" + std::to_string(range)));
    std::string suffix = ".part" + std::to_string(range) + ".bam";
    ProcessResult merged =
        run_process({kSamsortBin, "merge-range", "--plan", plan, "--range", std::to_string(range),
                     "-o", parts.back(), slices[0] + suffix, slices[1] + suffix});
    ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  }
  std::string output = scratch.file("out.bam");
  auto gather = [&](const std::vector<std::string>& manifests,
                    const std::vector<std::string>& ranges) {
    std::vector<std::string> argv = {kSamsortBin, "gather", "--plan", plan, "--slice-manifests"};
    argv.insert(argv.end(), manifests.begin(), manifests.end());
    argv.insert(argv.end(), {"-o", output});
    argv.insert(argv.end(), ranges.begin(), ranges.end());
    return run_process(argv);
  };
  struct Case {
    const char* what;
    std::vector<std::string> manifests;
    std::vector<std::string> ranges;
    const char* message;
  };
  for (const Case& bad : {Case{"missing slice", {slices[0]}, parts, "slice 1 is missing"},
                          Case{"slice twice", {slices[0], slices[0]}, parts, "given twice"},
                          Case{"part twice", slices, {parts[0], parts[0]}, "not range 1"},
                          Case{"parts swapped", slices, {parts[1], parts[0]}, "not range 0"},
                          Case{"one part", slices, {parts[0]}, "give the 2 range parts"}}) {
    ProcessResult refused = gather(bad.manifests, bad.ranges);
    EXPECT_FALSE(refused.exited_ok()) << bad.what;
    EXPECT_TRUE(is_one_error_line(refused.stderr_text)) << bad.what;
    EXPECT_TRUE(contains(refused.stderr_text, bad.message)) << bad.what << refused.stderr_text;
    EXPECT_FALSE(path_exists(output)) << bad.what;
  }
  // A part cut short no longer matches its manifest.
  copy_prefix(parts[1], parts[1] + ".cut", file_size(parts[1]) / 2);
  ASSERT_TRUE(run_shell("mv " + parts[1] + ".cut " + parts[1]).exited_ok());
  ProcessResult cut = gather(slices, parts);
  EXPECT_FALSE(cut.exited_ok());
  EXPECT_TRUE(contains(cut.stderr_text, "where its manifest says")) << cut.stderr_text;
  EXPECT_FALSE(path_exists(output));
}

// A slice whose plan start is not a record boundary is caught by the previous slice's reader.
TEST(Distributed, ForgedSliceStartIsRefusedByContinuity) {
  ScratchDir scratch;
  std::string plan = scratch.file("plan");
  ProcessResult planned = run_process(
      {kSamsortBin, "plan", "--slices", "2", "--shards", "1", "-o", plan, example_bam()});
  ASSERT_TRUE(planned.exited_ok()) << planned.describe();
  // Move the boundary between the slices three bytes into a record: slice 0's end and
  // slice 1's start ("slice I BEGIN END" lines).
  std::istringstream lines(read_text(plan));
  std::ostringstream forged;
  std::vector<std::string> slice_lines;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("slice ", 0) == 0 && line.rfind("slices ", 0) != 0) {
      slice_lines.push_back(line);
      continue;
    }
    if (line == "end" || line.rfind("splitter", 0) == 0) {
      ASSERT_EQ(slice_lines.size(), 2U);
      std::istringstream first(slice_lines[0]);
      std::istringstream second(slice_lines[1]);
      std::string word;
      unsigned long long begin0 = 0;
      unsigned long long begin1 = 0;
      unsigned long long end1 = 0;
      first >> word >> word >> begin0;
      second >> word >> word >> begin1 >> end1;
      std::string moved = std::to_string(begin1 + 3);
      forged << "slice 0 " << begin0 << ' ' << moved << "\nslice 1 " << moved << ' ' << end1
             << '\n';
      slice_lines.clear();
    }
    forged << line << '\n';
  }
  std::ofstream(plan) << forged.str();
  ProcessResult sorted = run_process(
      {kSamsortBin, "sort-slice", "--plan", plan, "--slice", "0", "-o", scratch.file("s0")});
  EXPECT_FALSE(sorted.exited_ok());
  EXPECT_TRUE(is_one_error_line(sorted.stderr_text)) << sorted.stderr_text;
  EXPECT_TRUE(contains(sorted.stderr_text, "does not start at a record")) << sorted.stderr_text;
  EXPECT_FALSE(path_exists(scratch.file("s0")));
  EXPECT_FALSE(path_exists(scratch.file("s0.part0.bam")));
}

}  // namespace
}  // namespace samsort::e2e
