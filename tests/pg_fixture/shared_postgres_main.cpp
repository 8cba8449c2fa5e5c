// keyrelay-test-postgres: one PostgreSQL server for a whole ctest run (the store tests' fixture).
//
//   keyrelay-test-postgres start FILE   starts a server held by a background process and writes
//                                       its URL (line 1) and the holder's pid (line 2) to FILE
//   keyrelay-test-postgres stop FILE    stops that server and removes FILE
//
// Starting a server per test process would cost ~2 s each for ~130 contract tests; instead ctest
// runs `start` as a FIXTURES_SETUP test and `stop` as its FIXTURES_CLEANUP, and each test creates
// its own database on the shared server (tests/store/postgres_test_database.h). The holder stops
// the server by itself after kLifetime, should the cleanup never run (an interrupted ctest).

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include "support/postgres_server.h"

namespace {

namespace fs = std::filesystem;
constexpr auto kLifetime = std::chrono::hours(2);
constexpr auto kStartTimeout = std::chrono::seconds(120);

// The holder pid FILE names, or -1.
pid_t holder_of(const fs::path& file) {
  std::ifstream in(file);
  std::string url, pid_text;
  std::getline(in, url);
  std::getline(in, pid_text);
  if (pid_text.empty()) return -1;
  return static_cast<pid_t>(std::stol(pid_text));
}

// Exited: no such process, or a zombie nobody reaped (the holder's parent is gone, and PID 1 in a
// container may not reap).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

// The background holder: owns the server until SIGTERM or kLifetime, then stops it.
[[noreturn]] void hold(const fs::path& file) {
  ::setsid();
  const int null = ::open("/dev/null", O_RDWR);
  ::dup2(null, STDIN_FILENO);
  ::dup2(null, STDOUT_FILENO);
  ::dup2(null, STDERR_FILENO);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  int code = 0;
  try {
    keyrelay::test::PostgresServer server;
    const fs::path partial = file.string() + ".partial";
    {
      std::ofstream out(partial);
      out << server.url() << "\n" << ::getpid() << "\n";
    }
    fs::rename(partial, file);
    timespec timeout{static_cast<time_t>(std::chrono::seconds(kLifetime).count()), 0};
    while (sigtimedwait(&signals, nullptr, &timeout) < 0 && errno == EINTR) {
    }
    // Gone from the file before the (slow) cleanup, and only if the file is still ours: a later
    // run may already have started its own server.
    if (holder_of(file) == ::getpid()) {
      std::error_code ec;
      fs::remove(file, ec);
    }
  } catch (const std::exception&) {
    code = 1;
  }
  ::_exit(code);
}

int stop(const fs::path& file);

int start(const fs::path& file) {
  if (fs::exists(file)) (void)stop(file);  // left over from an interrupted run
  std::error_code ec;
  fs::remove(file, ec);
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) hold(file);
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(file)) {
      std::cout << "shared PostgreSQL server started (holder pid " << child << ")\n";
      return 0;
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      std::cerr << "the PostgreSQL server did not start (is PostgreSQL installed? scripts/install-deps.sh)\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(child, SIGTERM);
  std::cerr << "the PostgreSQL server did not start within " << kStartTimeout.count() << " s\n";
  return 1;
}

int stop(const fs::path& file) {
  const pid_t holder = holder_of(file);
  if (holder <= 0) {
    std::cout << "no shared PostgreSQL server to stop\n";
    return 0;
  }
  if (::kill(holder, SIGTERM) != 0) return 0;  // already gone
  // Removing the cluster directory may take a while on a busy disk.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (std::chrono::steady_clock::now() < deadline) {
    if (gone(holder)) {
      std::cout << "shared PostgreSQL server stopped\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cerr << "the shared PostgreSQL server's holder (pid " << holder << ") did not stop\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "start") != 0 && std::strcmp(argv[1], "stop") != 0)) {
    std::cerr << "usage: keyrelay-test-postgres start|stop FILE\n";
    return 2;
  }
  return std::strcmp(argv[1], "start") == 0 ? start(argv[2]) : stop(argv[2]);
}
