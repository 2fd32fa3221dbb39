// Allocator selection. mimalloc (default) serves every small allocation of the process,
// htslib's included; `--allocator system` keeps glibc malloc. Debian ships mimalloc only as a
// shared library that interposes malloc when loaded, so the choice is made before anything
// runs: with mimalloc wanted and not yet loaded, the program re-executes itself once with
// mimalloc preloaded. Big buffers never use either (they are mappings, see memory_budget).
#pragma once

namespace samsort::allocator {

enum class Live { kMimalloc, kSystem };

// Scans argv for --allocator (without allocating) and, if mimalloc is wanted but not live,
// re-executes the program with it preloaded. Returns only when the wanted allocator is live
// or cannot be loaded (then a warning is printed and glibc malloc is used).
void ensure_requested(int argc, char** argv);

// Which allocator serves malloc in this process.
Live live() noexcept;
const char* live_name() noexcept;

}  // namespace samsort::allocator
