#pragma once
// The sealed body of a backup: its plaintext cut into chunks of the header's chunk size, each
// sealed with AES-256-GCM on its own (docs/backup-format.md):
//   nonce  = 4 zero bytes || chunk index (u64, big-endian)      — unique: one key per backup
//   AAD    = SHA-256(header) || chunk index (u64) || final (u8: 1 on the last chunk, else 0)
//   stored = ciphertext || tag (16); every chunk but the last holds exactly chunk_size bytes
// So a chunk that is flipped, dropped, swapped or moved fails, a file cut at a chunk boundary
// lacks the chunk marked final, and bytes after the final chunk are refused.

#include <cstdint>
#include <cstdio>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/digest.h"

namespace keyrelay::backup {

// Seals what it is given into chunks written to `out` (which it does not own). Not thread-safe.
class ChunkWriter {
 public:
  ChunkWriter(std::FILE* out, core::ByteView key, const crypto::Digest& header_hash, std::uint32_t chunk_size);
  // Buffers `data`, writing every full chunk that is not (yet) known to be the last.
  core::Result<void> write(core::ByteView data);
  // Writes what is left as the final chunk. Call once, after the last write().
  core::Result<void> finish();

 private:
  core::Result<void> seal_chunk(core::ByteView plaintext, bool final);

  std::FILE* out_;
  core::Secret key_;
  crypto::Digest header_hash_;
  std::uint32_t chunk_size_;
  std::uint64_t index_ = 0;
  core::Bytes pending_;
};

// Opens the chunks read from `in` one after the other. Not thread-safe.
class ChunkReader {
 public:
  ChunkReader(std::FILE* in, core::ByteView key, const crypto::Digest& header_hash, std::uint32_t chunk_size);
  // The plaintext of the next chunk; nullopt after the final one. invalid_request saying what is
  // wrong: "truncated" (the file ends before the final chunk), "corrupted" (a chunk fails
  // authentication: changed, swapped or from another backup), data after the final chunk.
  core::Result<std::optional<core::Bytes>> next();
  // Chunks opened so far.
  std::uint64_t chunks() const noexcept { return index_; }

 private:
  core::Result<core::Bytes> open_chunk(core::ByteView sealed, bool final);

  std::FILE* in_;
  core::Secret key_;
  crypto::Digest header_hash_;
  std::uint32_t chunk_size_;
  std::uint64_t index_ = 0;
  bool done_ = false;
};

}  // namespace keyrelay::backup
