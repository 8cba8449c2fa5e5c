#pragma once
// Every field of a record as one line of text, so tests compare records with EXPECT_EQ and a
// failure shows which field differs. Blobs appear as hex.

#include <string>
#include <vector>

#include "store/records.h"

namespace keyrelay::store::test {

std::string text(const UserRecord& user);
std::string text(const TokenRecord& token);
std::string text(const KeyRecord& key);
std::string text(const AuditEvent& event);
std::string text(const AlertRecord& alert);
std::string text(const UsageRow& row);

template <class T>
std::vector<std::string> texts(const std::vector<T>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(text(r));
  return out;
}

template <class T>
std::vector<std::string> ids(const std::vector<T>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

}  // namespace keyrelay::store::test
