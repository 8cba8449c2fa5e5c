#pragma once
// The buffer an upstream stream reads its body pieces into, sized to the traffic: it starts small
// (an SSE event is a few hundred bytes) and doubles, up to a cap, after a read that filled it (a
// download), so ten thousand open chat streams do not each hold a 16 KiB block. Its bytes are
// wiped before the block is freed or outgrown: a provider's answer may quote what it was sent.
// Internal to gateway/; not thread-safe (one stream's reads are serial).

#include <cstddef>
#include <memory>
#include <span>

namespace keyrelay::gateway {

class PieceBuffer {
 public:
  static constexpr std::size_t kFirstBytes = 2 * 1024;
  static constexpr std::size_t kMaxBytes = 16 * 1024;

  PieceBuffer() = default;
  PieceBuffer(const PieceBuffer&) = delete;
  PieceBuffer& operator=(const PieceBuffer&) = delete;
  ~PieceBuffer() { release(); }

  // Room for the next read, allocated on first use (grown first when the last read filled it).
  // Invalidates what data() pointed at.
  std::span<char> room();
  // The last read put `bytes` into room(); a full room grows on the next call of room().
  void filled(std::size_t bytes) noexcept;
  // Wipes and frees the block; the next room() allocates one of the size reached so far.
  void release() noexcept;

  const char* data() const noexcept { return block_.get(); }
  std::size_t capacity() const noexcept { return size_; }
  bool holds_memory() const noexcept { return block_ != nullptr; }

 private:
  std::unique_ptr<char[]> block_;
  std::size_t size_ = kFirstBytes;
  bool grow_ = false;
};

}  // namespace keyrelay::gateway
