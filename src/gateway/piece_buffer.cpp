#include "gateway/piece_buffer.h"

#include <algorithm>

#include "core/secret.h"

namespace keyrelay::gateway {

std::span<char> PieceBuffer::room() {
  if (grow_) {
    release();
    size_ = std::min(size_ * 2, kMaxBytes);
    grow_ = false;
  }
  if (!block_) block_ = std::make_unique_for_overwrite<char[]>(size_);
  return {block_.get(), size_};
}

void PieceBuffer::filled(std::size_t bytes) noexcept {
  grow_ = bytes >= size_ && size_ < kMaxBytes;
}

void PieceBuffer::release() noexcept {
  if (!block_) return;
  core::wipe_memory(block_.get(), size_);
  block_.reset();
}

}  // namespace keyrelay::gateway
