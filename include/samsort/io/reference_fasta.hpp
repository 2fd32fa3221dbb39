// The --reference given for CRAM: handed to htslib (hts_set_fai_filename) for input and output.
#pragma once
#include <string>

struct htsFile;

namespace samsort {

// Points htslib's `file` at the FASTA `path`, after checking that the file opens and looks like
// FASTA (first byte '>', or gzip/BGZF magic): htslib's own failure on a file that is not FASTA
// prints "[E::fai_build_core]" lines and leaks its half-built index, so that case is refused
// here first with one message. Throws IoError (cannot open, htslib refuses it) or FormatError
// (not FASTA).
void use_reference_fasta(htsFile* file, const std::string& path);

}  // namespace samsort
