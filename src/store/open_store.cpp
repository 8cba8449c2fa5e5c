#include "store/open_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "store/change_feed.h"
#include "store/postgres/change_listener.h"
#include "store/postgres/postgres_copy_source.h"
#include "store/postgres/postgres_copy_target.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_copy_source.h"
#include "store/sqlite/sqlite_copy_target.h"
#include "store/sqlite/sqlite_store.h"

namespace keyrelay::store {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite://";

// Creates `dir` (and missing parents) with mode 0700; an existing directory is left as it is.
core::Result<void> ensure_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return core::ok();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (auto parent = ensure_private_dir(dir.parent_path()); !parent) return parent;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return core::Error::unavailable("cannot create the data directory " + dir.string() + ": " + std::strerror(errno));
  return core::ok();
}

core::Result<std::unique_ptr<Store>> open_sqlite(std::filesystem::path file, const ChainSealer& sealer) {
  SqliteOptions options;
  options.file = std::move(file);
  auto store = SqliteStore::open(std::move(options), sealer);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

bool is_postgres_url(std::string_view url) { return url.starts_with("postgresql://") || url.starts_with("postgres://"); }

// The SQLite file a sqlite:// URL (or the empty default) names; invalid_request for other URLs.
core::Result<std::filesystem::path> sqlite_file_of(std::string_view database_url, const std::filesystem::path& data_dir) {
  if (database_url.empty()) {
    if (data_dir.empty()) return core::Error::invalid_request("the data directory is not set");
    return data_dir / "keyrelay.db";
  }
  const std::string_view path = database_url.substr(kSqlitePrefix.size());
  if (path.empty() || path == "/")
    return core::Error::invalid_request("the database URL names no file; expected sqlite:///path/file.db");
  if (path.find_first_of("?#") != std::string_view::npos)
    return core::Error::invalid_request("sqlite:// database URLs take no query or fragment");
  return std::filesystem::path(path);
}

core::Error unsupported_scheme(std::string_view database_url) {
  const auto colon = database_url.find(':');
  const std::string scheme(database_url.substr(0, colon == std::string_view::npos ? 0 : colon));
  return core::Error::invalid_request(
      (scheme.empty() ? std::string("the database URL has no scheme") : "unsupported database URL scheme '" + scheme + "'") +
      "; expected sqlite:///path/file.db or postgres://user:password@host:port/database");
}

}  // namespace

core::Result<std::unique_ptr<Store>> open_store(std::string_view database_url, const std::filesystem::path& data_dir,
                                                const ChainSealer& sealer, const StoreTuning& tuning) {
  if (database_url.empty() || database_url.starts_with(kSqlitePrefix)) {
    auto file = sqlite_file_of(database_url, data_dir);
    if (!file) return file.error();
    if (database_url.empty()) {
      if (auto made = ensure_private_dir(data_dir); !made) return made.error();
    }
    return open_sqlite(std::move(*file), sealer);
  }
  if (is_postgres_url(database_url)) {
    PostgresOptions options;
    options.url = std::string(database_url);
    options.pool_size = tuning.pool_size;
    auto store = PostgresStore::open(std::move(options), sealer);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  return unsupported_scheme(database_url);
}

std::unique_ptr<ChangeFeed> open_change_feed(Store& store) {
  auto* postgres = dynamic_cast<PostgresStore*>(&store);
  if (postgres == nullptr) return nullptr;
  postgres::ConnectionSettings settings;
  settings.url = postgres->options().url;
  settings.connect_timeout = postgres->options().connect_timeout;
  settings.application_name = "keyrelay-listener";
  return std::make_unique<postgres::ChangeListener>(std::move(settings));
}

core::Result<std::unique_ptr<CopySource>> open_copy_source(std::string_view database_url,
                                                           const std::filesystem::path& data_dir) {
  if (database_url.empty() || database_url.starts_with(kSqlitePrefix)) {
    auto file = sqlite_file_of(database_url, data_dir);
    if (!file) return file.error();
    auto source = sqlite::SqliteCopySource::open(*file);
    if (!source) return source.error();
    return std::unique_ptr<CopySource>(std::move(*source));
  }
  if (is_postgres_url(database_url)) {
    auto source = postgres::PostgresCopySource::open(std::string(database_url));
    if (!source) return source.error();
    return std::unique_ptr<CopySource>(std::move(*source));
  }
  return unsupported_scheme(database_url);
}

core::Result<std::unique_ptr<CopyTarget>> open_copy_target(std::string_view database_url,
                                                           const std::filesystem::path& data_dir) {
  if (is_postgres_url(database_url)) {
    auto target = postgres::PostgresCopyTarget::open(std::string(database_url));
    if (!target) return target.error();
    return std::unique_ptr<CopyTarget>(std::move(*target));
  }
  if (database_url.empty() || database_url.starts_with(kSqlitePrefix)) {
    auto file = sqlite_file_of(database_url, data_dir);
    if (!file) return file.error();
    auto target = sqlite::SqliteCopyTarget::open(*file);
    if (!target) return target.error();
    return std::unique_ptr<CopyTarget>(std::move(*target));
  }
  return unsupported_scheme(database_url);
}

bool is_postgres_database_url(std::string_view database_url) { return is_postgres_url(database_url); }

}  // namespace keyrelay::store
