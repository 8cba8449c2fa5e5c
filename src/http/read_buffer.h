#pragma once
// The buffer a session reads requests into. A request may carry a secret (a key being stored), so
// nothing of it may outlive the request in memory: the buffer wipes each block it frees as it
// grows, and wipe_consumed() clears what was read once a request is done. Internal to http/.

#include <boost/beast/core/flat_buffer.hpp>

#include "core/wiping_allocator.h"

namespace keyrelay::http {

using ReadBuffer = boost::beast::basic_flat_buffer<core::WipingAllocator<char>>;

// Wipes every byte of `buffer`'s storage except the unread ones (a pipelined next request), which
// are moved to the front. Cheap: the buffer is small and reused.
void wipe_consumed(ReadBuffer& buffer) noexcept;

}  // namespace keyrelay::http
