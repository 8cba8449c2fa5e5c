#pragma once
// A file written in full or not at all: the bytes go to FILE.tmp (mode 0600, created fresh), and
// commit() flushes, fsyncs, renames it over FILE and fsyncs the directory, so a crash never
// leaves half a file under the final name. Destroyed without commit(), the temporary file is
// removed. Not thread-safe.

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/result.h"

namespace keyrelay::backup {

class AtomicFile {
 public:
  // unavailable when FILE.tmp cannot be created (the directory is missing or not writable).
  static core::Result<std::unique_ptr<AtomicFile>> create(const std::filesystem::path& file);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* stream() const noexcept { return stream_; }
  // unavailable when a write, fsync or the rename fails (the temporary file is removed).
  core::Result<void> commit();

 private:
  AtomicFile(std::filesystem::path file, std::filesystem::path temp, std::FILE* stream)
      : file_(std::move(file)), temp_(std::move(temp)), stream_(stream) {}
  void discard() noexcept;

  std::filesystem::path file_;
  std::filesystem::path temp_;
  std::FILE* stream_;
};

}  // namespace keyrelay::backup
