#include "backup/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace keyrelay::backup {
namespace {

core::Error io_error(const std::string& doing, const std::filesystem::path& path) {
  return core::Error::unavailable("cannot " + doing + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

core::Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::filesystem::path& file) {
  std::filesystem::path temp = file;
  temp += ".tmp";
  // A leftover from a crashed run is replaced; O_NOFOLLOW refuses a symlink planted in its place.
  ::unlink(temp.c_str());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create", temp);
  ::fchmod(fd, 0600);  // whatever the umask
  std::FILE* stream = ::fdopen(fd, "wb");
  if (stream == nullptr) {
    auto error = io_error("open", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  return std::unique_ptr<AtomicFile>(new AtomicFile(file, std::move(temp), stream));
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (stream_ == nullptr) return;
  std::fclose(stream_);
  stream_ = nullptr;
  ::unlink(temp_.c_str());
}

core::Result<void> AtomicFile::commit() {
  if (std::fflush(stream_) != 0 || ::fsync(::fileno(stream_)) != 0) {
    auto error = io_error("write", temp_);
    discard();
    return error;
  }
  const int closed = std::fclose(stream_);
  stream_ = nullptr;
  if (closed != 0 || std::rename(temp_.c_str(), file_.c_str()) != 0) {
    auto error = io_error("write", file_);
    ::unlink(temp_.c_str());
    return error;
  }
  // The rename itself must survive a crash: fsync the directory that holds the name.
  const auto dir = file_.has_parent_path() ? file_.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return core::ok();
}

}  // namespace keyrelay::backup
