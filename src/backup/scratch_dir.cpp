#include "backup/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace keyrelay::backup {

core::Result<ScratchDir> ScratchDir::create() {
  std::error_code ec;
  auto base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "keyrelay-backup-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)  // mode 0700
    return core::Error::unavailable("cannot create a scratch directory in " + base.string() + ": " + std::strerror(errno));
  return ScratchDir(std::filesystem::path(pattern));
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace keyrelay::backup
