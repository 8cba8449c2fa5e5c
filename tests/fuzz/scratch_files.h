#pragma once
// Files for targets whose parser reads a path (config, keyring, JWKS): one private directory per
// process (in /dev/shm when there is one, so writing an input per run costs no disk I/O), removed
// at exit.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace keyrelay::fuzz {

inline const std::filesystem::path& scratch_dir() {
  // Never destroyed: the atexit handler below still needs it after static destructors have run.
  static const std::filesystem::path* dir = [] {
    std::error_code ec;
    const std::string base = std::filesystem::is_directory("/dev/shm", ec)
                                 ? std::string("/dev/shm")
                                 : std::filesystem::temp_directory_path().string();
    std::string templ = base + "/keyrelay-fuzz-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    auto* made = new std::filesystem::path(templ);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch_dir(), ignored);
    });
    return made;
  }();
  return *dir;
}

// Writes `content` to scratch_dir()/name with `mode` (replacing what was there) and returns the path.
inline std::filesystem::path write_scratch_file(std::string_view name, std::string_view content, mode_t mode = 0600) {
  const auto path = scratch_dir() / name;
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) std::abort();
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);  // whatever the umask
  ::close(fd);
  return path;
}

}  // namespace keyrelay::fuzz
