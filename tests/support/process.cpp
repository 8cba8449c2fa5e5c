#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

// Variables copied from the test's own environment: PATH so the child can find helpers, and the
// sanitizer options so an ASan build of the server reports the same way the tests do.
constexpr const char* kInheritedVariables[] = {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                               "LSAN_OPTIONS", "TSAN_OPTIONS"};

ExitStatus decode_wait_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return 255;
}

// Owns the posix_spawn helper objects for the length of one spawn call.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const Environment& env,
                 const std::filesystem::path& working_dir,
                 const std::filesystem::path& output_dir)
    : stdout_path_(output_dir / "stdout.log"), stderr_path_(output_dir / "stderr.log") {
  if (argv.empty()) throw std::invalid_argument("Process: empty argv");

  Environment full_env = env;
  for (const char* name : kInheritedVariables) {
    if (const char* value = std::getenv(name); value != nullptr && !full_env.contains(name)) {
      full_env[name] = value;
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : full_env) env_strings.push_back(name + "=" + value);

  std::vector<char*> argv_ptrs;
  for (const auto& arg : argv) argv_ptrs.push_back(const_cast<char*>(arg.c_str()));
  argv_ptrs.push_back(nullptr);
  std::vector<char*> env_ptrs;
  for (auto& entry : env_strings) env_ptrs.push_back(entry.data());
  env_ptrs.push_back(nullptr);

  SpawnSetup setup;
  check(::posix_spawn_file_actions_addopen(&setup.actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
        "addopen stdin");
  check(::posix_spawn_file_actions_addopen(&setup.actions_, STDOUT_FILENO, stdout_path_.c_str(),
                                           O_WRONLY | O_CREAT | O_TRUNC, 0644),
        "addopen stdout");
  check(::posix_spawn_file_actions_addopen(&setup.actions_, STDERR_FILENO, stderr_path_.c_str(),
                                           O_WRONLY | O_CREAT | O_TRUNC, 0644),
        "addopen stderr");
  check(::posix_spawn_file_actions_addchdir_np(&setup.actions_, working_dir.c_str()), "addchdir");

  // gtest or a parent shell may ignore or block signals; the server must see SIGTERM and SIGPIPE
  // exactly as it would in production.
  sigset_t defaults;
  sigfillset(&defaults);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  check(::posix_spawnattr_setsigdefault(&setup.attr_, &defaults), "setsigdefault");
  check(::posix_spawnattr_setsigmask(&setup.attr_, &empty_mask), "setsigmask");
  check(::posix_spawnattr_setflags(&setup.attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK),
        "setflags");

  pid_t pid = -1;
  check(::posix_spawn(&pid, argv[0].c_str(), &setup.actions_, &setup.attr_, argv_ptrs.data(),
                      env_ptrs.data()),
        ("posix_spawn " + argv[0]).c_str());
  pid_ = pid;
}

Process::~Process() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_),
      status_(other.status_),
      stdout_path_(std::move(other.stdout_path_)),
      stderr_path_(std::move(other.stderr_path_)) {
  other.pid_ = -1;
}

bool Process::send_signal(int signo) {
  if (pid_ <= 0 || status_) return false;
  return ::kill(pid_, signo) == 0;
}

bool Process::try_reap() {
  if (status_) return true;
  if (pid_ <= 0) return false;
  int raw = 0;
  pid_t r = ::waitpid(pid_, &raw, WNOHANG);
  if (r == pid_) {
    status_ = decode_wait_status(raw);
    return true;
  }
  return false;
}

std::optional<ExitStatus> Process::wait_for_exit(Deadline deadline) {
  // waitpid has no timeout; polling WNOHANG every few milliseconds is simple and cheap enough.
  poll_until(deadline, [&] { return try_reap(); }, std::chrono::milliseconds{5});
  return status_;
}

bool Process::is_running() { return pid_ > 0 && !try_reap(); }

std::string Process::stdout_text() const { return read_file_or_empty(stdout_path_); }
std::string Process::stderr_text() const { return read_file_or_empty(stderr_path_); }

std::string Process::output_text() const {
  std::string text = stderr_text();
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::string out = stdout_text();
  if (!out.empty() && out.back() != '\n') out += '\n';
  return text + out;
}

std::optional<std::filesystem::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

}  // namespace keyrelay::test
