// MD5 of the output (--write-md5), with htslib's MD5 (OpenSSL's when htslib was built with it).
#include "samsort/io/output_digest.hpp"

#include <fcntl.h>
#include <htslib/hts.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <new>

#include "samsort/core/errors.hpp"
#include "samsort/io/file_io.hpp"

namespace samsort {

OutputDigest::OutputDigest(const std::string& output_path)
    : context_(hts_md5_init()), file_(output_path + ".md5") {
  if (context_ == nullptr) throw std::bad_alloc();
}

OutputDigest::~OutputDigest() { hts_md5_destroy(context_); }

void OutputDigest::written(const std::uint8_t* bytes, std::size_t count) noexcept {
  hts_md5_update(context_, bytes, static_cast<unsigned long>(count));
}

void OutputDigest::add_file(const std::string& path, std::uint64_t bytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw IoError(path, "cannot read the output back for --write-md5", errno);
  std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[kReadBackBytes]);
  for (std::uint64_t offset = 0; offset < bytes;) {
    std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kReadBackBytes, bytes - offset));
    long long got = pread_fully(fd.get(), buffer.get(), want, offset);
    if (got != static_cast<long long>(want)) {
      throw IoError(path, "cannot read the output back for --write-md5", got < 0 ? errno : EIO);
    }
    written(buffer.get(), want);
    offset += want;
  }
}

std::string OutputDigest::finish() {
  unsigned char digest[16];
  hts_md5_final(digest, context_);
  char hex[33];
  hts_md5_hex(hex, digest);
  write_fully(file_.fd(), hex, 32, file_.path());
  file_.finish();
  return std::string(hex, 32);
}

}  // namespace samsort
