// Manifests: "samsort-piece 1" then "key value" lines.
#include "samsort/dist/manifest.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "samsort/core/errors.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/output_file.hpp"

namespace samsort {

namespace {
constexpr const char* kMagic = "samsort-piece 1";
}

std::string format_manifest(const PieceManifest& manifest) {
  std::ostringstream text;
  text << kMagic << '\n'
       << "kind " << manifest.kind << '\n'
       << "index " << manifest.index << '\n'
       << "shards " << manifest.shards << '\n'
       << "records " << manifest.records << '\n'
       << "checksum " << manifest.checksum << '\n'
       << "bytes " << manifest.bytes << '\n'
       << "end\n";
  return text.str();
}

PieceManifest read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path, "cannot open the manifest", errno);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    throw Error(path + ": not a samsort piece manifest");
  }
  PieceManifest manifest;
  unsigned seen = 0;
  bool ended = false;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "end") {
      ended = true;
      break;
    }
    if (key == "kind") {
      fields >> manifest.kind;
    } else if (key == "index") {
      fields >> manifest.index;
    } else if (key == "shards") {
      fields >> manifest.shards;
    } else if (key == "records") {
      fields >> manifest.records;
    } else if (key == "checksum") {
      fields >> manifest.checksum;
    } else if (key == "bytes") {
      fields >> manifest.bytes;
    } else {
      throw Error(std::string(path).append(": unknown manifest line '").append(key).append("'"));
    }
    if (!fields) {
      throw Error(std::string(path).append(": bad manifest line '").append(line).append("'"));
    }
    ++seen;
  }
  if (!ended || seen != 6) throw Error(path + ": manifest cut short");
  return manifest;
}

void write_manifest(const PieceManifest& manifest, OutputFile& file) {
  std::string text = format_manifest(manifest);
  write_fully(file.fd(), text.data(), text.size(), file.path());
}

}  // namespace samsort
