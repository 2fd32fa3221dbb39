// Spill codec candidates on real record bytes: the BGZF payload of a BAM (use a sorted one:
// spilled runs hold sorted records) cut into 65280-byte blocks, as the run writer cuts them,
// each block compressed on its own (so runs stay readable block by block) with libdeflate,
// zstd and lz4 at their fast levels, then decompressed. Single-threaded; CPU seconds per
// codec, MB/s per core of payload, and temp bytes per payload byte (what runs would take).
//
// build: g++ -O2 -std=c++17 -o spill_codec bench/spill_codec.cpp -ldeflate -lzstd -llz4
// usage: spill_codec in.bam [max_payload_MB]
// output: one line per codec: codec=... ratio=... compress_mb_s=... decompress_mb_s=...
#include <libdeflate.h>
#include <lz4.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kBlock = 65280;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "spill_codec: %s\n", what);
  std::exit(1);
}

std::vector<unsigned char> read_payload(const char* path, std::size_t limit) {
  FILE* file = std::fopen(path, "rb");
  if (file == nullptr) die("cannot open input");
  std::vector<unsigned char> payload;
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
  unsigned char header[18];
  std::vector<unsigned char> block(1 << 16);
  std::vector<unsigned char> out(1 << 16);
  while (payload.size() < limit && std::fread(header, 1, 18, file) == 18) {
    std::size_t size = (header[16] | (header[17] << 8)) + 1u;
    if (std::fread(block.data(), 1, size - 18, file) != size - 18) die("truncated block");
    std::size_t isize = block[size - 22] | (block[size - 21] << 8) | (block[size - 20] << 16) |
                        (static_cast<std::size_t>(block[size - 19]) << 24);
    std::size_t got = 0;
    if (libdeflate_deflate_decompress(inflater, block.data(), size - 26, out.data(), out.size(),
                                      &got) != LIBDEFLATE_SUCCESS ||
        got != isize) {
      die("bad block");
    }
    payload.insert(payload.end(), out.begin(), out.begin() + static_cast<long>(got));
  }
  libdeflate_free_decompressor(inflater);
  std::fclose(file);
  return payload;
}

struct Codec {
  std::string name;
  std::function<std::size_t(const unsigned char*, std::size_t, unsigned char*, std::size_t)>
      compress;
  std::function<void(const unsigned char*, std::size_t, unsigned char*, std::size_t)> decompress;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: spill_codec in.bam [max_payload_MB]");
  std::size_t limit = argc > 2 ? std::strtoull(argv[2], nullptr, 10) << 20 : SIZE_MAX;
  std::vector<unsigned char> payload = read_payload(argv[1], limit);
  std::vector<Codec> codecs;
  for (int level : {1, 2, 4}) {
    auto* deflater = libdeflate_alloc_compressor(level);
    auto* inflater = libdeflate_alloc_decompressor();
    codecs.push_back(
        {"libdeflate-" + std::to_string(level),
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           return libdeflate_deflate_compress(deflater, in, n, out, room);
         },
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           std::size_t got = 0;
           if (libdeflate_deflate_decompress(inflater, in, n, out, room, &got) !=
               LIBDEFLATE_SUCCESS) {
             die("inflate");
           }
         }});
  }
  for (int level : {-5, -3, -1, 1, 2, 3}) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0);
    codecs.push_back(
        {"zstd" + std::to_string(level),
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           std::size_t got = ZSTD_compress2(cctx, out, room, in, n);
           if (ZSTD_isError(got)) die("zstd compress");
           return got;
         },
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           if (ZSTD_isError(ZSTD_decompressDCtx(dctx, out, room, in, n))) {
             die("zstd decompress");
           }
         }});
  }
  for (int acceleration : {1, 4}) {
    codecs.push_back(
        {"lz4-" + std::to_string(acceleration),
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           return static_cast<std::size_t>(
               LZ4_compress_fast(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                 static_cast<int>(n), static_cast<int>(room), acceleration));
         },
         [=](const unsigned char* in, std::size_t n, unsigned char* out, std::size_t room) {
           if (LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                   static_cast<int>(n), static_cast<int>(room)) < 0) {
             die("lz4 decompress");
           }
         }});
  }
  std::size_t blocks = (payload.size() + kBlock - 1) / kBlock;
  std::vector<unsigned char> compressed(blocks * (kBlock + 4096));
  std::vector<std::size_t> sizes(blocks);
  std::vector<unsigned char> back(kBlock);
  double megabytes = static_cast<double>(payload.size()) / 1e6;
  std::printf("payload_mb=%.1f blocks=%zu\n", megabytes, blocks);
  for (const Codec& codec : codecs) {
    double started = cpu_seconds();
    std::size_t total = 0;
    for (std::size_t idx = 0; idx < blocks; ++idx) {
      std::size_t n = std::min(kBlock, payload.size() - idx * kBlock);
      sizes[idx] = codec.compress(payload.data() + idx * kBlock, n,
                                  compressed.data() + idx * (kBlock + 4096), kBlock + 4096);
      if (sizes[idx] == 0) die("incompressible block");
      total += sizes[idx];
    }
    double compress_seconds = cpu_seconds() - started;
    started = cpu_seconds();
    for (std::size_t idx = 0; idx < blocks; ++idx) {
      std::size_t n = std::min(kBlock, payload.size() - idx * kBlock);
      codec.decompress(compressed.data() + idx * (kBlock + 4096), sizes[idx], back.data(), n);
    }
    double decompress_seconds = cpu_seconds() - started;
    std::printf("codec=%s ratio=%.3f compress_mb_s=%.0f decompress_mb_s=%.0f\n", codec.name.c_str(),
                static_cast<double>(total) / static_cast<double>(payload.size()),
                megabytes / compress_seconds, megabytes / decompress_seconds);
  }
  return 0;
}
