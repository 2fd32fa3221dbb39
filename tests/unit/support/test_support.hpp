// Test helpers shared by the unit tests: a per-test scratch directory under /tmp (mkdtemp,
// removed with its contents), whole-file read/write, deterministic payload generators.
#pragma once
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace samsort::test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = "/tmp/samsort_unit.XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
}

inline void write_file_bytes(const std::string& path, const std::uint8_t* data, std::size_t bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_file_bytes(path, bytes.data(), bytes.size());
}

// Uniformly random bytes: deflate cannot shrink them.
inline std::vector<std::uint8_t> random_bytes(std::size_t bytes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> out(bytes);
  for (std::size_t idx = 0; idx < bytes; idx += 8) {
    std::uint64_t value = rng();
    for (std::size_t part = 0; part < 8 && idx + part < bytes; ++part) {
      out[idx + part] = static_cast<std::uint8_t>(value >> (8 * part));
    }
  }
  return out;
}

// Pseudo-random text from a small vocabulary with numbers: compresses several-fold but is
// never periodic, so block boundaries and ordering mistakes show up as mismatches.
inline std::vector<std::uint8_t> compressible_bytes(std::size_t bytes, std::uint64_t seed) {
  static const char* const kWords[] = {
      "ACGT", "read", "chr1", "\t", "60M", "NM:i:", "*", "TTAGGG", "\n", "GATTACA", "MD:Z:", "="};
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> out;
  out.reserve(bytes + 32);
  while (out.size() < bytes) {
    std::uint64_t value = rng();
    const char* word = kWords[value % std::size(kWords)];
    out.insert(out.end(), word, word + std::char_traits<char>::length(word));
    std::string number = std::to_string((value >> 8) % 1000);
    out.insert(out.end(), number.begin(), number.end());
  }
  out.resize(bytes);
  return out;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The message of the `Expected` exception that `fn` throws; nullopt when it throws nothing.
// Any other exception escapes, so the test fails with it.
template <class Expected, class Fn>
std::optional<std::string> thrown_message(Fn&& fn) {
  try {
    fn();
  } catch (const Expected& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

}  // namespace samsort::test
