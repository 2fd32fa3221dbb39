// Owning handles for htslib objects: unique_ptr with the matching htslib release function, so
// every error path frees what was opened without a hand-written close() list.
#pragma once
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/sam.h>

#include <memory>

namespace samsort::hts {

namespace detail {
// A stateless deleter calling `release` (never with nullptr: unique_ptr skips that).
template <auto release>
struct Releaser {
  template <class T>
  void operator()(T* handle) const noexcept {
    static_cast<void>(release(handle));
  }
};
}  // namespace detail

// An hFILE not yet handed to htsFile: closed without flushing (input side, or abandoned).
using HFilePtr = std::unique_ptr<hFILE, detail::Releaser<hclose_abruptly>>;
// An open htsFile; its close status is lost here, so call close() on the success path.
using FilePtr = std::unique_ptr<htsFile, detail::Releaser<hts_close>>;
using HeaderPtr = std::unique_ptr<sam_hdr_t, detail::Releaser<sam_hdr_destroy>>;
using RecordPtr = std::unique_ptr<bam1_t, detail::Releaser<bam_destroy1>>;
using IndexPtr = std::unique_ptr<hts_idx_t, detail::Releaser<hts_idx_destroy>>;
using IteratorPtr = std::unique_ptr<hts_itr_t, detail::Releaser<hts_itr_destroy>>;
using OptionsPtr = std::unique_ptr<hts_opt, detail::Releaser<hts_opt_free>>;

// Closes `file` and reports htslib's status (0 on success); the handle is empty afterwards.
inline int close(FilePtr& file) noexcept { return file ? hts_close(file.release()) : 0; }

}  // namespace samsort::hts
