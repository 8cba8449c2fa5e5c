#pragma once
// A fresh, uniquely named directory under $TMPDIR (or /tmp), removed with everything in it when the
// object is destroyed. Tests run as parallel processes, so each one owns its own TempDir and never
// shares paths. Not thread-safe; move-only.

#include <filesystem>
#include <string_view>

namespace keyrelay::test {

class TempDir {
 public:
  // Throws std::system_error when the directory cannot be created.
  TempDir();
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `contents` to `name` inside the directory (replacing it) and returns its full path.
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;  // empty once moved from
};

// The whole content of `file`, or "" when it does not exist (yet).
std::string read_file_or_empty(const std::filesystem::path& file);

}  // namespace keyrelay::test
