#pragma once
// Load for the multi-node tests: a thread that, until stopped, sends one user's gateway calls and
// key creations to one node, each on a fresh connection, and keeps every acknowledged key id and
// every failed request. Thread-safe accessors.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vault_harness.h"

namespace keyrelay::test {

// Sends gateway calls and key creations to one node until stopped; keeps every acknowledged key id
// and every failed request.
class NodeLoad {
 public:
  NodeLoad(std::uint16_t port, Identity who, std::string tag)
      : port_(port), who_(std::move(who)), tag_(std::move(tag)), thread_([this](std::stop_token s) { run(s); }) {}
  void stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::size_t completed() const { return completed_.load(); }

 private:
  void run(const std::stop_token& stop);
  void note(std::string what);

  std::uint16_t port_;
  Identity who_;
  std::string tag_;
  std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::vector<std::string> failures_;
  std::atomic<std::size_t> completed_{0};
  std::jthread thread_;
};

}  // namespace keyrelay::test
