// The keyring file of Keyring: reading (load_file) and writing (save_new) its TOML form.

#include "crypto/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <toml++/toml.h>

#include "core/encoding.h"
#include "core/time_format.h"
#include "crypto/random.h"

namespace keyrelay::crypto {
namespace {

// A keyring of thousands of versions is still far below this; anything larger is not a keyring.
constexpr off_t kMaxFileSize = 1 << 20;

std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

std::string errno_text(int err) { return std::strerror(err); }

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  // Closes now and reports close()'s result (a failed close can mean lost data on NFS).
  bool close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

// Reads the whole file into a wiped-on-destruction buffer, refusing group/other access bits.
core::Result<core::Secret> read_private_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT)
      return core::Error::not_found("keyring file " + quoted(path) + " does not exist");
    return core::Error::internal("cannot open keyring file " + quoted(path) + ": " +
                                 errno_text(err));
  }
  // fstat the open file, not the path, so the mode checked is the mode of what is read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return core::Error::internal("cannot stat keyring file " + quoted(path) + ": " +
                                 errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return core::Error::invalid_request("keyring file " + quoted(path) + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return core::Error::forbidden("keyring file " + quoted(path) + " has mode " + mode +
                                  ", which lets group or others access it; run: chmod 600 " +
                                  path.string());
  }
  if (st.st_size > kMaxFileSize) {
    return core::Error::invalid_request("keyring file " + quoted(path) +
                                        " is too large for a keyring");
  }
  core::Secret text = core::Secret::zeroed(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd.get(), text.mutable_bytes().data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return core::Error::internal("cannot read keyring file " + quoted(path) + ": " +
                                   errno_text(errno));
    }
    if (n == 0) break;  // shrank since fstat: parse what is there
    done += static_cast<std::size_t>(n);
  }
  if (done == text.size()) return text;
  return core::Secret(text.reveal().first(done));
}

// An integer in 1..2^32-1, or nullopt.
std::optional<std::uint32_t> as_version(const toml::node& node) {
  const auto* v = node.as_integer();
  if (v == nullptr || v->get() < 1 || v->get() > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(v->get());
}

struct ParsedEntry {
  KeyVersionInfo info;
  core::Secret key;
  core::Secret audit_key;
};

// A base64 32-byte value of the file; the decoded copy is wiped either way.
std::optional<core::Secret> decode_key_text(const toml::node& node) {
  const auto* s = node.as_string();
  auto decoded = s ? core::base64_decode(s->get()) : std::nullopt;
  std::optional<core::Secret> out;
  if (decoded && decoded->size() == kMasterKeySize) out.emplace(*decoded);
  if (decoded) core::wipe_memory(decoded->data(), decoded->size());
  return out;
}

// Parses one [[keys]] table; `where` ("keys[i]") prefixes the messages, which never quote a key.
core::Result<ParsedEntry> parse_entry(const toml::table& table, const std::string& where) {
  std::optional<std::uint32_t> version;
  std::optional<core::Secret> key;
  std::optional<core::Secret> audit_key;
  std::optional<std::string> created_at;
  std::optional<KeyVersionInfo::State> state;
  for (auto&& [name, node] : table) {
    if (name == "version") {
      version = as_version(node);
      if (!version)
        return core::Error::invalid_request(where +
                                            ".version must be an integer from 1 to 4294967295");
    } else if (name == "key") {
      key = decode_key_text(node);
      if (!key) return core::Error::invalid_request(where + ".key must be base64 of 32 bytes");
    } else if (name == "audit_key") {
      audit_key = decode_key_text(node);
      if (!audit_key) return core::Error::invalid_request(where + ".audit_key must be base64 of 32 bytes");
    } else if (name == "created_at") {
      const auto* s = node.as_string();
      if (s == nullptr || !core::parse_rfc3339(s->get())) {
        return core::Error::invalid_request(where +
                                            ".created_at must be an RFC 3339 timestamp in quotes");
      }
      created_at = s->get();
    } else if (name == "state") {
      const auto* s = node.as_string();
      const std::string_view value = s ? std::string_view(s->get()) : std::string_view();
      if (value == "pending") {
        state = KeyVersionInfo::State::pending;
      } else if (value == "active") {
        state = KeyVersionInfo::State::active;
      } else if (value == "retired") {
        state = KeyVersionInfo::State::retired;
      } else {
        return core::Error::invalid_request(
            where + ".state must be \"pending\", \"active\" or \"retired\"");
      }
    } else {
      return core::Error::invalid_request("unknown key \"" + where + "." + std::string(name.str()) +
                                          "\"");
    }
  }
  for (const auto& [present, field] :
       {std::pair{version.has_value(), "version"}, std::pair{created_at.has_value(), "created_at"},
        std::pair{state.has_value(), "state"}}) {
    if (!present) return core::Error::invalid_request(where + " has no " + field);
  }
  // A retired version keeps only its audit key; every other version has its master key.
  const bool retired = *state == KeyVersionInfo::State::retired;
  if (retired && (key || !audit_key))
    return core::Error::invalid_request(where + " is retired: it has an audit_key and no key");
  if (!retired && (!key || audit_key))
    return core::Error::invalid_request(where + " has no key (only retired versions drop it)");
  return ParsedEntry{{*version, std::move(*created_at), *state}, key ? std::move(*key) : core::Secret(),
                     audit_key ? std::move(*audit_key) : core::Secret()};
}

}  // namespace

core::Result<Keyring> Keyring::load_file(const std::filesystem::path& path) {
  auto text = read_private_file(path);
  if (!text) return std::move(text).error();
  const std::string file = "keyring file " + quoted(path);

  toml::table root;
  try {
    root = toml::parse(text->reveal_text(), path.string());
  } catch (const toml::parse_error& e) {
    // Only the position: toml++'s description may quote the text, which holds keys.
    return core::Error::invalid_request(file + " is not valid TOML (line " +
                                        std::to_string(e.source().begin.line) + ", column " +
                                        std::to_string(e.source().begin.column) + ")");
  }
  text->wipe();

  // Wipes every key string the parser copied, whatever happens below.
  struct KeyTextWiper {
    toml::table& root;
    ~KeyTextWiper() {
      if (auto* keys = root["keys"].as_array()) {
        for (auto& node : *keys) {
          if (auto* t = node.as_table()) {
            for (const char* field : {"key", "audit_key"})
              if (auto* s = (*t)[field].as_string()) core::wipe_memory(s->get().data(), s->get().size());
          }
        }
      }
    }
  } wiper{root};

  std::optional<std::uint32_t> active;
  const toml::array* keys = nullptr;
  for (auto&& [name, node] : root) {
    if (name == "active") {
      active = as_version(node);
      if (!active)
        return core::Error::invalid_request(file +
                                            ": active must be a key version (an integer >= 1)");
    } else if (name == "keys") {
      keys = node.as_array();
      if (keys == nullptr)
        return core::Error::invalid_request(file + ": keys must be an array of tables ([[keys]])");
    } else {
      return core::Error::invalid_request(file + ": unknown key \"" + std::string(name.str()) +
                                          "\"");
    }
  }
  if (!active) return core::Error::invalid_request(file + ": missing \"active\"");
  if (keys == nullptr || keys->empty())
    return core::Error::invalid_request(file + ": missing [[keys]]");

  std::vector<Entry> entries;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const std::string where = "keys[" + std::to_string(i) + "]";
    const auto* table = (*keys)[i].as_table();
    if (table == nullptr)
      return core::Error::invalid_request(file + ": " + where + " must be a table");
    auto parsed = parse_entry(*table, where);
    if (!parsed) return core::Error::invalid_request(file + ": " + parsed.error().message);
    entries.push_back(Entry{std::move(parsed->info), std::move(parsed->key), std::move(parsed->audit_key)});
  }
  auto keyring = build(std::move(entries), *active, true);
  if (!keyring) return core::Error::invalid_request(file + ": " + keyring.error().message);
  return keyring;
}

std::string Keyring::to_toml() const {
  std::string text;
  // Reserve enough up front that appending never reallocates: a reallocation would leave an
  // unwiped copy of the keys in freed memory.
  text.reserve(256 + entries_.size() * 256);
  text += "# keyrelay master keyring. Keep it secret (mode 0600) and away from the database.\n";
  text += "active = " + std::to_string(active_) + "\n";
  for (const Entry& e : entries_) {
    const bool retired = e.info.state == KeyVersionInfo::State::retired;
    std::string key = core::base64_encode(retired ? e.audit_key.reveal() : e.key.reveal());
    text += "\n[[keys]]\nversion = " + std::to_string(e.info.version) + (retired ? "\naudit_key = \"" : "\nkey = \"");
    text += key;
    text += "\"\ncreated_at = \"" + e.info.created_at + "\"\nstate = \"";
    text += state_name(e.info.state);
    text += "\"\n";
    core::wipe_memory(key.data(), key.size());
  }
  return text;
}

core::Result<void> Keyring::save_new(const std::filesystem::path& path) const {
  return write_file(path, false);
}

core::Result<void> Keyring::save_replacing(const std::filesystem::path& path) const {
  return write_file(path, true);
}

core::Result<void> Keyring::write_file(const std::filesystem::path& path, bool replace) const {
  if (!rotatable_) {
    return core::Error::invalid_request(
        "a keyring from KEYRELAY_MASTER_KEY is not written to a file");
  }
  struct stat existing {};
  if (!replace && ::lstat(path.c_str(), &existing) == 0) {
    return core::Error::conflict("keyring file " + quoted(path) +
                                 " already exists; it is never overwritten");
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  auto suffix = random_bytes(8);
  if (!suffix) return std::move(suffix).error();
  const std::filesystem::path temp =
      dir / ("." + path.filename().string() + ".tmp-" + core::hex_encode(*suffix));

  std::string text = to_toml();
  struct TextWiper {
    std::string& text;
    ~TextWiper() { core::wipe_memory(text.data(), text.size()); }
  } text_wiper{text};

  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return core::Error::internal("cannot create " + quoted(temp) + ": " + errno_text(errno));
  }
  const auto fail = [&temp](const std::string& what, int err) {
    ::unlink(temp.c_str());
    return core::Error::internal("cannot write keyring file " + quoted(temp) + " (" + what +
                                 "): " + errno_text(err));
  };
  if (::fchmod(fd.get(), 0600) != 0) return fail("chmod", errno);  // whatever the umask was
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (!fd.close()) return fail("close", errno);

  if (replace) {
    // rename() swaps the file atomically: a reader sees the old keyring or the new one, whole.
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return core::Error::internal("cannot replace keyring file " + quoted(path) + ": " + errno_text(err));
    }
  } else if (::link(temp.c_str(), path.c_str()) != 0) {
    // link() refuses an existing name, unlike rename(): a new keyring never replaces one, even by a race.
    const int err = errno;
    ::unlink(temp.c_str());
    if (err == EEXIST) {
      return core::Error::conflict("keyring file " + quoted(path) +
                                   " already exists; it is never overwritten");
    }
    return core::Error::internal("cannot create keyring file " + quoted(path) + ": " +
                                 errno_text(err));
  } else {
    ::unlink(temp.c_str());
  }
  // Make the new name durable.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return core::Error::internal(
        "keyring file " + quoted(path) +
        " was written but its directory could not be synced: " + errno_text(errno));
  }
  return core::ok();
}

}  // namespace keyrelay::crypto
