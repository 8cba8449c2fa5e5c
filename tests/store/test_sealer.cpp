#include "test_sealer.h"

#include "crypto/digest.h"

namespace keyrelay::store::test {

core::Bytes TestSealer::chain_hash(core::ByteView prev_hash, std::int64_t seq, std::string_view id) {
  core::Bytes input(prev_hash.begin(), prev_hash.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    input.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(seq) >> shift));
  input.insert(input.end(), id.begin(), id.end());
  const auto digest = crypto::sha256(input);
  return {digest.begin(), digest.end()};
}

core::Result<void> TestSealer::seal(AuditEvent& event, core::ByteView prev_hash) const {
  const int call = calls_.fetch_add(1);
  if (fail_all_ || call == fail_at_) return core::Error::internal("injected sealer failure");
  event.master_version = version_;
  event.hash = chain_hash(prev_hash, event.seq, event.id);
  return core::ok();
}

core::Result<void> TestSealer::seal_checkpoint(AuditCheckpoint& checkpoint) const {
  const int call = calls_.fetch_add(1);
  if (fail_all_ || call == fail_at_) return core::Error::internal("injected sealer failure");
  checkpoint.master_version = version_;
  std::string text = checkpoint.chain + "|" + std::to_string(checkpoint.seq) + "|" + std::to_string(checkpoint.count) + "|";
  text.append(reinterpret_cast<const char*>(checkpoint.hash.data()), checkpoint.hash.size());
  const auto digest = crypto::sha256(core::as_bytes(text));
  checkpoint.mac.assign(digest.begin(), digest.end());
  return core::ok();
}

}  // namespace keyrelay::store::test
