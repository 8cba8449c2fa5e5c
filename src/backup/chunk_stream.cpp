#include "backup/chunk_stream.h"

#include <array>
#include <cerrno>
#include <cstring>

#include "crypto/aead.h"

namespace keyrelay::backup {
namespace {

std::array<std::uint8_t, crypto::kGcmNonceSize> nonce_of(std::uint64_t index) {
  std::array<std::uint8_t, crypto::kGcmNonceSize> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(index >> (56 - 8 * i));
  return nonce;
}

core::Bytes aad_of(const crypto::Digest& header_hash, std::uint64_t index, bool final) {
  core::Bytes aad(header_hash.begin(), header_hash.end());
  for (int i = 0; i < 8; ++i) aad.push_back(static_cast<std::uint8_t>(index >> (56 - 8 * i)));
  aad.push_back(final ? 1 : 0);
  return aad;
}

// Reads up to `size` bytes (fewer only at the end of the file).
core::Result<std::size_t> read_up_to(std::FILE* in, std::uint8_t* data, std::size_t size) {
  const std::size_t got = std::fread(data, 1, size, in);
  if (got < size && std::ferror(in)) return core::Error::unavailable(std::string("cannot read the backup: ") + std::strerror(errno));
  return got;
}

}  // namespace

ChunkWriter::ChunkWriter(std::FILE* out, core::ByteView key, const crypto::Digest& header_hash, std::uint32_t chunk_size)
    : out_(out), key_(key), header_hash_(header_hash), chunk_size_(chunk_size) {}

core::Result<void> ChunkWriter::write(core::ByteView data) {
  pending_.insert(pending_.end(), data.begin(), data.end());
  // Strictly more than a chunk: the last chunk is written by finish(), marked final, never empty
  // unless the whole body is.
  std::size_t offset = 0;
  while (pending_.size() - offset > chunk_size_) {
    if (auto sealed = seal_chunk(core::ByteView(pending_).subspan(offset, chunk_size_), false); !sealed) return sealed;
    offset += chunk_size_;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(offset));
  return core::ok();
}

core::Result<void> ChunkWriter::finish() {
  auto sealed = seal_chunk(pending_, true);
  pending_.clear();
  return sealed;
}

core::Result<void> ChunkWriter::seal_chunk(core::ByteView plaintext, bool final) {
  const auto nonce = nonce_of(index_);
  auto out = crypto::gcm_encrypt(key_.reveal(), nonce, aad_of(header_hash_, index_, final), plaintext);
  if (!out) return out.error();
  // An empty chunk (an empty body) has no ciphertext, and fwrite must not get its null pointer.
  const bool body_written =
      out->ciphertext.empty() || std::fwrite(out->ciphertext.data(), 1, out->ciphertext.size(), out_) == out->ciphertext.size();
  if (!body_written || std::fwrite(out->tag.data(), 1, out->tag.size(), out_) != out->tag.size())
    return core::Error::unavailable(std::string("cannot write the backup: ") + std::strerror(errno));
  ++index_;
  return core::ok();
}

ChunkReader::ChunkReader(std::FILE* in, core::ByteView key, const crypto::Digest& header_hash, std::uint32_t chunk_size)
    : in_(in), key_(key), header_hash_(header_hash), chunk_size_(chunk_size) {}

core::Result<std::optional<core::Bytes>> ChunkReader::next() {
  if (done_) return std::optional<core::Bytes>();
  // One full chunk and one byte more: whether anything follows tells whether this is the last.
  core::Bytes sealed(std::size_t{chunk_size_} + crypto::kGcmTagSize + 1);
  auto got = read_up_to(in_, sealed.data(), sealed.size());
  if (!got) return got.error();
  const bool last = *got < sealed.size();
  if (!last) std::ungetc(sealed.back(), in_);
  sealed.resize(last ? *got : sealed.size() - 1);
  if (sealed.size() < crypto::kGcmTagSize)
    return core::Error::invalid_request("the backup is truncated: it ends inside chunk " + std::to_string(index_) +
                                        ", before its final chunk");
  auto plain = open_chunk(sealed, last);
  if (!plain) return plain.error();
  ++index_;
  done_ = last;
  return std::optional<core::Bytes>(std::move(*plain));
}

core::Result<core::Bytes> ChunkReader::open_chunk(core::ByteView sealed, bool final) {
  const auto nonce = nonce_of(index_);
  const auto body = sealed.first(sealed.size() - crypto::kGcmTagSize);
  const auto tag = sealed.last(crypto::kGcmTagSize);
  auto plain = crypto::gcm_decrypt(key_.reveal(), nonce, aad_of(header_hash_, index_, final), body, tag);
  if (plain) {
    const auto bytes = plain->reveal();
    return core::Bytes(bytes.begin(), bytes.end());
  }
  if (plain.error().code != core::Errc::internal) return plain.error();
  // Opened with the other final flag it would authenticate: the file was cut, or grown.
  if (crypto::gcm_decrypt(key_.reveal(), nonce, aad_of(header_hash_, index_, !final), body, tag)) {
    if (final)
      return core::Error::invalid_request("the backup is truncated: it ends after chunk " + std::to_string(index_) +
                                          ", which is not its final chunk");
    return core::Error::invalid_request("the backup has data after its final chunk " + std::to_string(index_));
  }
  if (final)
    return core::Error::invalid_request("the backup is truncated or corrupted: its last chunk " + std::to_string(index_) +
                                        " fails authentication");
  return core::Error::invalid_request("the backup is corrupted: chunk " + std::to_string(index_) +
                                      " fails authentication (changed, moved or from another backup)");
}

}  // namespace keyrelay::backup
