#include "backup/backup_header.h"

#include <gtest/gtest.h>

namespace keyrelay::backup {
namespace {

BackupHeader passphrase_header() {
  BackupHeader h;
  h.source = KeySource::passphrase;
  h.scrypt = {15, 8, 2};
  h.salt.fill(0x5a);
  h.key_check.fill(0xc3);
  h.chunk_size = 4096;
  return h;
}

TEST(BackupHeader, RoundTripsEveryField) {
  const auto bytes = encode_header(passphrase_header());
  ASSERT_EQ(bytes.size(), kHeaderSize);
  auto back = parse_header(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->source, KeySource::passphrase);
  EXPECT_EQ(back->scrypt.log2_n, 15);
  EXPECT_EQ(back->scrypt.r, 8u);
  EXPECT_EQ(back->scrypt.p, 2u);
  EXPECT_EQ(back->salt, passphrase_header().salt);
  EXPECT_EQ(back->key_check, passphrase_header().key_check);
  EXPECT_EQ(back->chunk_size, 4096u);
  EXPECT_EQ(header_hash(*back), crypto::sha256(bytes));

  BackupHeader keyring;
  keyring.master_version = 7;
  auto k = parse_header(encode_header(keyring));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->source, KeySource::keyring);
  EXPECT_EQ(k->master_version, 7u);
  EXPECT_EQ(describe_key_source(*k), "keyring (master key version 7)");
}

TEST(BackupHeader, SaysWhatIsWrongWithABadHeader) {
  const auto good = encode_header(passphrase_header());
  auto message = [](const core::Bytes& bytes) {
    auto r = parse_header(bytes);
    return r ? std::string("parsed") : r.error().message;
  };
  EXPECT_NE(message(core::Bytes{'P', 'K', 3, 4}).find("not a keyrelay backup"), std::string::npos);
  EXPECT_NE(message(core::Bytes(good.begin(), good.begin() + 40)).find("truncated"), std::string::npos);
  for (std::size_t at : {12u, 30u, 61u, 70u, 100u}) {
    auto damaged = good;
    damaged[at] ^= 0x10;
    EXPECT_NE(message(damaged).find("damaged"), std::string::npos) << at;
  }
  auto newer = good;
  newer[9] = 2;
  EXPECT_NE(message(newer).find("format version 2"), std::string::npos);
}

TEST(BackupHeader, RefusesHostileParametersEvenWithAValidChecksum) {
  auto h = passphrase_header();
  h.scrypt = {24, 8, 1};  // 16 GiB
  EXPECT_NE(parse_header(encode_header(h)).error().message.find("scrypt parameters"), std::string::npos);
  h = passphrase_header();
  h.chunk_size = kMaxChunkSize + 1;
  EXPECT_NE(parse_header(encode_header(h)).error().message.find("chunk size"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::backup
