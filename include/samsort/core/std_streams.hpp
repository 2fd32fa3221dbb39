// Standard descriptors at start-up: a process started with stdin, stdout or stderr closed
// (`2>&-`) would hand descriptor 0-2 to the first file it opens, and then a warning meant for
// stderr lands inside the output BAM. They are pointed at /dev/null before anything is opened.
#pragma once

namespace samsort {

// Opens /dev/null onto each of descriptors 0, 1 and 2 that is closed. Call first thing in
// main, before any thread or file exists. Returns false when /dev/null cannot be opened (the
// descriptors are then left as they were). Not thread-safe.
bool ensure_standard_streams_open() noexcept;

}  // namespace samsort
