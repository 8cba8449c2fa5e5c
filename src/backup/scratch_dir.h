#pragma once
// A private directory (mode 0700) under the system's temporary directory (TMPDIR), removed with
// everything in it when destroyed: where a backup is unpacked and checked before anything is
// written to the real store. Move-only.

#include <filesystem>

#include "core/result.h"

namespace keyrelay::backup {

class ScratchDir {
 public:
  // unavailable when the directory cannot be made.
  static core::Result<ScratchDir> create();
  ~ScratchDir();
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace keyrelay::backup
