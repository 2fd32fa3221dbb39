// Checking and attaching the CRAM reference FASTA.
#include "samsort/io/reference_fasta.hpp"

#include <fcntl.h>
#include <htslib/hts.h>
#include <unistd.h>

#include <cerrno>

#include "samsort/core/errors.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/hts_log.hpp"

namespace samsort {

void use_reference_fasta(htsFile* file, const std::string& path) {
  {
    FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw IoError(path, "cannot open reference", errno);
    unsigned char head[2] = {0, 0};
    ssize_t got = 0;
    do {
      got = read(fd.get(), head, sizeof head);
    } while (got < 0 && errno == EINTR);
    if (got < 0) throw IoError(path, "cannot read reference", errno);
    bool fasta = got >= 1 && head[0] == '>';
    bool gzip = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
    if (!fasta && !gzip) {
      throw FormatError(path, "the reference is not a FASTA file (it does not start with '>')", 0);
    }
  }
  int status = 0;
  {
    HtsLogLevelGuard quiet;  // htslib's "[E::fai_build_core]" lines: ours is the one line
    status = hts_set_fai_filename(file, path.c_str());
  }
  if (status != 0) throw IoError(path, "cannot use reference", errno);
}

}  // namespace samsort
