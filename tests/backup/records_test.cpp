#include "backup/records.h"

#include <gtest/gtest.h>

namespace keyrelay::backup {
namespace {

struct Recorder : RecordHandler {
  int schema_version = 0;
  std::vector<store::CopyTable> tables;
  std::vector<std::pair<std::size_t, std::vector<store::CopyRow>>> rows;
  std::string manifest;
  core::Result<void> on_schema(int v, std::vector<store::CopyTable> t) override {
    schema_version = v;
    tables = std::move(t);
    return core::ok();
  }
  core::Result<void> on_rows(std::size_t i, std::vector<store::CopyRow> r) override {
    rows.emplace_back(i, std::move(r));
    return core::ok();
  }
  core::Result<void> on_manifest(const std::string& json) override {
    manifest = json;
    return core::ok();
  }
};

const std::vector<store::CopyTable> kTables{{"t", {"a", "b"}}};

core::Bytes joined(std::initializer_list<core::Bytes> parts) {
  core::Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(Records, RoundTripFedOneByteAtATime) {
  const std::vector<store::CopyRow> rows{{std::int64_t{-1}, std::string("x\0y", 3)},
                                         {std::monostate{}, core::Bytes{0, 255}},
                                         {3.25, std::string()}};
  const auto stream = joined({encode_schema(5, kTables), encode_rows(0, rows), encode_manifest("{}")});
  Recorder got;
  RecordDecoder decoder(got);
  for (auto byte : stream) ASSERT_TRUE(decoder.feed(core::ByteView(&byte, 1)));
  ASSERT_TRUE(decoder.finish());
  EXPECT_EQ(got.schema_version, 5);
  ASSERT_EQ(got.tables.size(), 1u);
  EXPECT_EQ(got.tables[0].columns, kTables[0].columns);
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_EQ(got.rows[0].second, rows);
  EXPECT_EQ(got.manifest, "{}");
}

std::string failure(const core::Bytes& stream) {
  Recorder got;
  RecordDecoder decoder(got);
  if (auto fed = decoder.feed(stream); !fed) return fed.error().message;
  if (auto done = decoder.finish(); !done) return done.error().message;
  return "decoded";
}

TEST(Records, OutOfOrderCutOffOrForeignRecordsAreMalformed) {
  const auto schema = encode_schema(5, kTables);
  const auto rows = encode_rows(0, {{std::int64_t{1}, std::int64_t{2}}});
  const auto manifest = encode_manifest("{}");
  EXPECT_NE(failure(joined({rows, schema, manifest})).find("schema record does not come first"), std::string::npos);
  EXPECT_NE(failure(joined({schema, rows})).find("manifest is missing"), std::string::npos);
  EXPECT_NE(failure(joined({schema, manifest, rows})).find("follow the manifest"), std::string::npos);
  EXPECT_NE(failure(joined({schema, encode_rows(3, {}), manifest})).find("does not list"), std::string::npos);
  auto cut = joined({schema, rows, manifest});
  cut.pop_back();
  EXPECT_NE(failure(cut).find("cut off"), std::string::npos);
  auto bad_tag = rows;
  bad_tag[5 + 8] = 9;  // the first value's tag
  EXPECT_NE(failure(joined({schema, bad_tag, manifest})).find("unknown type"), std::string::npos);
  EXPECT_NE(failure(joined({schema, core::Bytes{'X', 0, 0, 0, 0}, manifest})).find("unknown record type"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::backup
