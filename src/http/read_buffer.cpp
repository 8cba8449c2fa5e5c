#include "http/read_buffer.h"

#include <cstring>

#include "core/secret.h"

namespace keyrelay::http {

void wipe_consumed(ReadBuffer& buffer) noexcept {
  // clear() only resets the offsets: the unread bytes stay where they are until moved below.
  const char* unread = static_cast<const char*>(buffer.data().data());
  const std::size_t unread_size = buffer.size();
  buffer.clear();
  const auto whole = buffer.prepare(buffer.capacity());  // the whole block, from its start: no allocation
  char* start = static_cast<char*>(whole.data());
  if (unread_size > 0) std::memmove(start, unread, unread_size);
  core::wipe_memory(start + unread_size, whole.size() - unread_size);
  buffer.commit(unread_size);
}

}  // namespace keyrelay::http
