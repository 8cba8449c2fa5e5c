#include "backup/chunk_stream.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

namespace keyrelay::backup {
namespace {

struct CloseFile {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, CloseFile>;

constexpr std::uint32_t kChunk = 16;
const core::Bytes kKey(32, 0x42);
const crypto::Digest kHeaderHash{1, 2, 3};

core::Bytes plaintext(std::size_t size) {
  core::Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7);
  return out;
}

// The sealed chunks of `data`, written in pieces of 10 bytes.
core::Bytes sealed(const core::Bytes& data) {
  File f(std::tmpfile());
  ChunkWriter writer(f.get(), kKey, kHeaderHash, kChunk);
  for (std::size_t at = 0; at < data.size(); at += 10)
    EXPECT_TRUE(writer.write(core::ByteView(data).subspan(at, std::min<std::size_t>(10, data.size() - at))));
  EXPECT_TRUE(writer.finish());
  core::Bytes out(static_cast<std::size_t>(std::ftell(f.get())));
  std::rewind(f.get());
  EXPECT_EQ(std::fread(out.data(), 1, out.size(), f.get()), out.size());
  return out;
}

// Every chunk of `file` opened; the error of the first that fails.
core::Result<core::Bytes> opened(const core::Bytes& file, const crypto::Digest& header_hash = kHeaderHash) {
  File f(std::tmpfile());
  if (!file.empty()) std::fwrite(file.data(), 1, file.size(), f.get());  // an empty file: no pointer to write from
  std::rewind(f.get());
  ChunkReader reader(f.get(), kKey, header_hash, kChunk);
  core::Bytes out;
  for (;;) {
    auto chunk = reader.next();
    if (!chunk) return chunk.error();
    if (!*chunk) return out;
    out.insert(out.end(), (*chunk)->begin(), (*chunk)->end());
  }
}

constexpr std::size_t kSealedChunk = kChunk + 16;

TEST(ChunkStream, RoundTripsAnySizeIncludingExactMultiplesOfTheChunk) {
  for (std::size_t size : {0u, 1u, 15u, 16u, 17u, 32u, 100u}) {
    const auto data = plaintext(size);
    auto back = opened(sealed(data));
    ASSERT_TRUE(back) << size << ": " << back.error().message;
    EXPECT_EQ(*back, data) << size;
  }
}

TEST(ChunkStream, AFileCutAtAChunkBoundaryIsTruncated) {
  auto file = sealed(plaintext(100));  // 6 full chunks + a final one of 4 bytes
  file.resize(3 * kSealedChunk);
  auto back = opened(file);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("truncated"), std::string::npos) << back.error().message;
  EXPECT_NE(back.error().message.find("not its final chunk"), std::string::npos) << back.error().message;
}

TEST(ChunkStream, AFileCutInsideAChunkFails) {
  auto file = sealed(plaintext(100));
  file.resize(3 * kSealedChunk + 20);  // more than a tag: it reads as a final chunk, and fails
  auto back = opened(file);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("truncated or corrupted"), std::string::npos) << back.error().message;
}

TEST(ChunkStream, AFlippedBitSwappedChunksOrADroppedChunkFail) {
  const auto file = sealed(plaintext(100));
  auto flipped = file;
  flipped[kSealedChunk + 3] ^= 0x01;
  auto swapped = file;
  std::swap_ranges(swapped.begin(), swapped.begin() + kSealedChunk, swapped.begin() + kSealedChunk);
  core::Bytes dropped(file.begin(), file.begin() + kSealedChunk);
  dropped.insert(dropped.end(), file.begin() + 2 * kSealedChunk, file.end());
  for (const auto* bad : {&flipped, &swapped, &dropped}) {
    auto back = opened(*bad);
    ASSERT_FALSE(back);
    EXPECT_NE(back.error().message.find("corrupted: chunk"), std::string::npos) << back.error().message;
  }
}

TEST(ChunkStream, BytesAfterTheFinalChunkOrAnotherHeaderFail) {
  auto grown = sealed(plaintext(20));
  grown.insert(grown.end(), 40, 0);
  auto back = opened(grown);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, core::Errc::invalid_request);

  auto other_header = opened(sealed(plaintext(20)), crypto::Digest{9});
  ASSERT_FALSE(other_header);
  EXPECT_NE(other_header.error().message.find("corrupted"), std::string::npos) << other_header.error().message;
}

TEST(ChunkStream, AnEmptyBodyIsTruncated) {
  auto back = opened({});
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("truncated"), std::string::npos) << back.error().message;
}

}  // namespace
}  // namespace keyrelay::backup
