#include "backup/backup_writer.h"

#include <boost/json/serialize.hpp>

#include "backup/atomic_file.h"
#include "backup/chunk_stream.h"
#include "backup/records.h"
#include "core/time_format.h"

namespace keyrelay::backup {
namespace {

constexpr std::size_t kRowsPerRecord = 500;

// The schema, every table's rows and the manifest, through `out`.
core::Result<Manifest> stream_rows(store::CopySource& source, const BackupOrigin& origin, ChunkWriter& out) {
  auto version = source.schema_version();
  if (!version) return version.error();
  auto tables = source.tables();
  if (!tables) return tables.error();
  if (auto r = out.write(encode_schema(*version, *tables)); !r) return r.error();
  RowTally tally;
  for (const auto& table : *tables) tally.name_table(table.name);
  for (std::uint32_t i = 0; i < tables->size(); ++i) {
    const auto& table = (*tables)[i];
    auto read = source.read(table, kRowsPerRecord, [&](const std::vector<store::CopyRow>& rows) -> core::Result<void> {
      tally.add(table, rows);
      return out.write(encode_rows(i, rows));
    });
    if (!read) return read.error();
  }
  Manifest manifest;
  manifest.format_version = kFormatVersion;
  manifest.created_at = core::format_rfc3339(origin.created_at);
  manifest.keyrelay_version = origin.keyrelay_version;
  manifest.store = origin.store;
  manifest.schema_version = *version;
  manifest.tables = tally.tables();
  manifest.audit_chains = tally.chains();
  if (auto r = out.write(encode_manifest(boost::json::serialize(manifest_json(manifest)))); !r) return r.error();
  if (auto r = out.finish(); !r) return r.error();
  return manifest;
}

}  // namespace

core::Result<Manifest> write_backup(store::CopySource& source, const SealingKey& key, const BackupOrigin& origin,
                                    const std::filesystem::path& file) {
  auto output = AtomicFile::create(file);
  if (!output) return output.error();
  const auto header = encode_header(key.header);
  if (std::fwrite(header.data(), 1, header.size(), (*output)->stream()) != header.size())
    return core::Error::unavailable("cannot write the backup " + file.string());
  ChunkWriter chunks((*output)->stream(), key.key.reveal(), crypto::sha256(header), key.header.chunk_size);
  auto manifest = stream_rows(source, origin, chunks);
  if (!manifest) return manifest.error();
  if (auto committed = (*output)->commit(); !committed) return committed.error();
  return manifest;
}

}  // namespace keyrelay::backup
