#include "http/read_buffer.h"

namespace keyrelay::http {

void wipe_consumed(ReadBuffer& buffer) noexcept {
  (void)buffer;  // TODO: not yet
}

}  // namespace keyrelay::http
