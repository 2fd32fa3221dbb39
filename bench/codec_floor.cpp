// The pure codec floor of re-writing a BGZF file: inflate every block (with its CRC32 check,
// as htslib does), then deflate the payload again in 65280-byte blocks (htslib's BGZF block
// size) with libdeflate at the level samtools' -l LEVEL maps to (htslib's libdeflate map
// 0-9 -> 0,1,2,3,5,6,7,8,10,12) plus the CRC32 of each block. Single-threaded; reports CPU
// seconds of each half and MB/s per core of uncompressed payload, so the floor of a sort or
// copy at T threads is (inflate + deflate CPU) / T. Level 0 stores (no deflate).
//
// build: g++ -O2 -std=c++17 -o codec_floor bench/codec_floor.cpp -ldeflate
// usage: codec_floor [-l LEVEL] in.bam        (LEVEL on samtools' scale, default 6)
// output: one line of key=value pairs, e.g.
//   level=6 libdeflate_level=7 blocks=... compressed_in=... payload=... deflated=...
//   inflate_cpu_s=... deflate_cpu_s=... inflate_mb_s=... deflate_mb_s=...
#include <libdeflate.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "codec_floor: %s\n", what);
  std::exit(1);
}

constexpr size_t kBlockPayload = 0xff00;  // htslib BGZF_BLOCK_SIZE
constexpr size_t kMaxBlock = 0x10000;     // BGZF_MAX_BLOCK_SIZE

}  // namespace

int main(int argc, char** argv) {
  int level = 6;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-l") == 0 && i + 1 < argc) {
      level = std::atoi(argv[++i]);
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      die("usage: codec_floor [-l LEVEL] in.bam");
    } else {
      path = argv[i];
    }
  }
  if (path == nullptr || level < 0 || level > 9) die("usage: codec_floor [-l 0-9] in.bam");
  static const int kLevelMap[10] = {0, 1, 2, 3, 5, 6, 7, 8, 10, 12};  // htslib bgzf.c
  const int ld_level = kLevelMap[level];

  FILE* in = std::strcmp(path, "-") == 0 ? stdin : std::fopen(path, "rb");
  if (in == nullptr) die(std::strerror(errno));
  libdeflate_decompressor* dec = libdeflate_alloc_decompressor();
  libdeflate_compressor* enc = ld_level > 0 ? libdeflate_alloc_compressor(ld_level) : nullptr;
  if (dec == nullptr || (ld_level > 0 && enc == nullptr)) die("libdeflate allocation failed");

  std::vector<unsigned char> block(kMaxBlock), payload(kMaxBlock), pending(2 * kMaxBlock),
      out(kMaxBlock + 1024);
  size_t pending_len = 0;
  double inflate_s = 0, deflate_s = 0;
  uint64_t blocks = 0, compressed_in = 0, payload_bytes = 0, deflated = 0;
  volatile uint32_t sink = 0;

  auto deflate_pending = [&](bool flush) {
    size_t off = 0;
    while (pending_len - off >= kBlockPayload || (flush && off < pending_len)) {
      const size_t n = std::min(kBlockPayload, pending_len - off);
      const double t0 = thread_cpu_seconds();
      size_t got = n;
      if (enc != nullptr) {
        got = libdeflate_deflate_compress(enc, pending.data() + off, n, out.data(), out.size());
        if (got == 0) die("deflate output did not fit");
      } else {
        std::memcpy(out.data(), pending.data() + off, n);  // level 0: stored blocks
      }
      sink = sink + libdeflate_crc32(0, pending.data() + off, n);
      deflate_s += thread_cpu_seconds() - t0;
      deflated += got + 26;  // + BGZF header and footer
      off += n;
    }
    std::memmove(pending.data(), pending.data() + off, pending_len - off);
    pending_len -= off;
  };

  for (;;) {
    const size_t h = std::fread(block.data(), 1, 18, in);
    if (h == 0) break;
    if (h != 18 || block[0] != 31 || block[1] != 139 || block[2] != 8 || (block[3] & 4) == 0)
      die("not a BGZF file");
    const uint32_t xlen = le16(&block[10]);
    if (xlen < 6 || xlen > 1024) die("bad BGZF extra field");
    // the 18 bytes read so far hold the first 6 of the extra field; read the rest of it
    std::vector<unsigned char> extra(xlen);
    std::memcpy(extra.data(), &block[12], 6);
    if (xlen > 6 && std::fread(extra.data() + 6, 1, xlen - 6, in) != xlen - 6) die("truncated");
    uint32_t bsize = 0;
    for (size_t p = 0; p + 4 <= xlen;) {
      const uint32_t slen = le16(&extra[p + 2]);
      if (extra[p] == 66 && extra[p + 1] == 67 && slen == 2) bsize = le16(&extra[p + 4]) + 1;
      p += 4 + slen;
    }
    if (bsize == 0) die("no BC subfield");
    const size_t rest = bsize - 12 - xlen;  // compressed data + CRC32 + ISIZE
    if (rest < 8 || rest > kMaxBlock || std::fread(block.data(), 1, rest, in) != rest)
      die("truncated block");
    const size_t cdata = rest - 8;
    const uint32_t crc = le32(&block[cdata]);
    const uint32_t isize = le32(&block[cdata + 4]);
    if (isize > kMaxBlock) die("bad ISIZE");
    const double t0 = thread_cpu_seconds();
    size_t got = 0;
    if (libdeflate_deflate_decompress(dec, block.data(), cdata, payload.data(), isize, &got) !=
            LIBDEFLATE_SUCCESS ||
        got != isize)
      die("inflate failed");
    if (libdeflate_crc32(0, payload.data(), got) != crc) die("CRC32 mismatch");
    inflate_s += thread_cpu_seconds() - t0;
    ++blocks;
    compressed_in += bsize;
    payload_bytes += got;
    std::memcpy(pending.data() + pending_len, payload.data(), got);
    pending_len += got;
    deflate_pending(false);
  }
  deflate_pending(true);
  if (in != stdin) std::fclose(in);
  libdeflate_free_decompressor(dec);
  if (enc != nullptr) libdeflate_free_compressor(enc);

  const double mb = static_cast<double>(payload_bytes) / 1e6;
  std::printf(
      "level=%d libdeflate_level=%d blocks=%llu compressed_in=%llu payload=%llu deflated=%llu "
      "inflate_cpu_s=%.3f deflate_cpu_s=%.3f inflate_mb_s=%.1f deflate_mb_s=%.1f\n",
      level, ld_level, static_cast<unsigned long long>(blocks),
      static_cast<unsigned long long>(compressed_in),
      static_cast<unsigned long long>(payload_bytes), static_cast<unsigned long long>(deflated),
      inflate_s, deflate_s, inflate_s > 0 ? mb / inflate_s : 0.0,
      deflate_s > 0 ? mb / deflate_s : 0.0);
  return 0;
}
