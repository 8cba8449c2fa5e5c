#include "backup/backup_reader.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "backup/chunk_stream.h"
#include "backup/records.h"

namespace keyrelay::backup {
namespace {

struct CloseFile {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Hands decoded records to the target and counts them for the manifest check.
class IntoTarget final : public RecordHandler {
 public:
  IntoTarget(store::CopyTarget& into, int schema_version) : into_(into), schema_version_(schema_version) {}

  core::Result<void> on_schema(int schema_version, std::vector<store::CopyTable> tables) override {
    if (schema_version != schema_version_)
      return core::Error::invalid_request("the backup holds schema version " + std::to_string(schema_version) +
                                          "; this keyrelay's is " + std::to_string(schema_version_) +
                                          ": use the keyrelay version that made the backup");
    tables_ = std::move(tables);
    for (const auto& table : tables_) tally_.name_table(table.name);
    begun_ = true;
    return into_.begin(tables_);
  }
  core::Result<void> on_rows(std::size_t table_index, std::vector<store::CopyRow> rows) override {
    tally_.add(tables_[table_index], rows);
    return into_.write(tables_[table_index], rows);
  }
  core::Result<void> on_manifest(const std::string& json) override {
    auto parsed = parse_manifest(json);
    if (!parsed) return parsed.error();
    manifest_ = std::move(*parsed);
    return core::ok();
  }

  bool begun() const noexcept { return begun_; }
  const RowTally& tally() const noexcept { return tally_; }
  const std::optional<Manifest>& manifest() const noexcept { return manifest_; }

 private:
  store::CopyTarget& into_;
  int schema_version_;
  std::vector<store::CopyTable> tables_;
  RowTally tally_;
  std::optional<Manifest> manifest_;
  bool begun_ = false;
};

core::Result<ReadBackup> read_into(std::FILE* in, const KeyMaterial& material, IntoTarget& handler) {
  core::Bytes head(kHeaderSize);
  head.resize(std::fread(head.data(), 1, head.size(), in));
  auto header = parse_header(head);
  if (!header) return header.error();
  auto key = open_key(*header, material);
  if (!key) return key.error();
  ChunkReader chunks(in, key->reveal(), crypto::sha256(head), header->chunk_size);
  RecordDecoder decoder(handler);
  for (;;) {
    auto chunk = chunks.next();
    if (!chunk) return chunk.error();
    if (!*chunk) break;
    if (auto fed = decoder.feed(**chunk); !fed) return fed.error();
  }
  if (auto finished = decoder.finish(); !finished) return finished.error();
  const Manifest& manifest = *handler.manifest();
  if (manifest.format_version != header->format_version)
    return core::Error::invalid_request("the backup's manifest names another format version than its header");
  if (auto checked = check_manifest(manifest, handler.tally()); !checked) return checked.error();
  return ReadBackup{*header, manifest, chunks.chunks()};
}

}  // namespace

core::Result<ReadBackup> read_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                     store::CopyTarget& into, int schema_version) {
  std::unique_ptr<std::FILE, CloseFile> in(std::fopen(file.c_str(), "rb"));
  if (!in) return core::Error::not_found("cannot open the backup " + file.string());
  IntoTarget handler(into, schema_version);
  auto read = read_into(in.get(), material, handler);
  if (!read || !handler.begun()) {
    into.rollback();
    return read;
  }
  if (auto committed = into.commit(); !committed) {
    into.rollback();
    return committed.error();
  }
  return read;
}

}  // namespace keyrelay::backup
