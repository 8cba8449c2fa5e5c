#include "support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <stdexcept>
#include <system_error>

#include "support/deadline.h"
#include "support/local_port.h"
#include "support/process.h"

namespace keyrelay::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunuser = "/usr/sbin/runuser";
constexpr const char* kServiceUser = "postgres";
constexpr int kStartAttempts = 3;  // a new port each time: another test may take ours first

bool running_as_root() { return ::geteuid() == 0; }

// /usr/lib/postgresql/<highest major>/bin: Debian installs each major version side by side.
fs::path find_postgres_bin_dir() {
  const fs::path root = "/usr/lib/postgresql";
  std::error_code ec;
  int best = -1;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    if (!fs::exists(entry.path() / "bin" / "initdb")) continue;
    best = std::max(best, std::stoi(name));
  }
  if (best < 0) {
    throw std::runtime_error(
        "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb); run "
        "scripts/install-deps.sh");
  }
  return root / std::to_string(best) / "bin";
}

// Random letters and digits: a password nobody else knows and no shell or URL needs to quote.
std::string random_password() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string password;
  for (int i = 0; i < 24; ++i) password += kAlphabet[pick(device)];
  return password;
}

// When root, hands `path` to the postgres user, which runs the server.
void give_to_service_user(const fs::path& path) {
  if (!running_as_root()) return;
  const passwd* account = ::getpwnam(kServiceUser);
  if (account == nullptr) {
    throw std::runtime_error("running as root, but there is no 'postgres' user to run PostgreSQL");
  }
  if (::chown(path.c_str(), account->pw_uid, account->pw_gid) != 0) {
    throw std::system_error(errno, std::generic_category(), "chown " + path.string());
  }
}

void make_private_dir(const fs::path& path) {
  fs::create_directory(path);
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace);
  give_to_service_user(path);
}

}  // namespace

PostgresServer::PostgresServer()
    : bin_dir_(find_postgres_bin_dir()),
      data_dir_(dir_ / "data"),
      socket_dir_(dir_ / "socket"),
      log_file_(dir_ / "socket" / "server.log"),
      password_(random_password()) {
  // mkdtemp makes the TempDir 0700; the postgres user must pass through it to reach its own dirs.
  fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::replace);
  fs::create_directory(dir_ / "output");
  make_private_dir(data_dir_);
  make_private_dir(socket_dir_);
  const fs::path password_file = socket_dir_ / "password";
  dir_.write_file("socket/password", password_ + "\n");
  give_to_service_user(password_file);

  run("initdb",
      {"--pgdata=" + data_dir_.string(), "--username=" + user_, "--pwfile=" + password_file.string(),
       "--auth-host=scram-sha-256", "--auth-local=trust", "--no-locale", "--encoding=UTF8",
       "--no-sync", "--no-instructions"},
      std::chrono::seconds{60});
  fs::remove(password_file);

  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = pick_free_local_port();
    if (try_start(failure)) return;
  }
  throw std::runtime_error("PostgreSQL did not start:\n" + failure);
}

PostgresServer::~PostgresServer() {
  if (pid_ <= 0) return;
  try {
    stop_with_mode("immediate");
  } catch (const std::exception&) {
    // A destructor must not throw, and no server may outlive the test: kill it outright.
    ::kill(pid_, SIGKILL);
    poll_until(deadline_in(std::chrono::seconds{10}), [&] { return process_is_gone(pid_); });
  }
}

std::string PostgresServer::url() const {
  return "postgres://" + user_ + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) +
         "/postgres";
}

void PostgresServer::stop() { stop_with_mode("fast"); }

void PostgresServer::start() {
  std::string failure;
  if (!try_start(failure)) throw std::runtime_error("PostgreSQL did not restart:\n" + failure);
}

std::string PostgresServer::log() const { return read_file_or_empty(log_file_); }

void PostgresServer::run(const std::string& program, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout) {
  std::vector<std::string> argv;
  if (running_as_root()) argv = {kRunuser, "-u", kServiceUser, "--"};
  argv.push_back((bin_dir_ / program).string());
  argv.insert(argv.end(), args.begin(), args.end());

  // The working dir must be one the postgres user may enter; output goes to files we (root) own.
  Process process(argv, {{"LC_ALL", "C"}}, dir_.path(), dir_ / "output");
  const auto status = process.wait_for_exit(deadline_in(timeout));
  if (status == 0) return;
  std::string command;
  for (const auto& arg : argv) command += arg + " ";
  throw std::runtime_error(command + (status ? "exited with " + std::to_string(*status)
                                             : std::string("timed out")) +
                           "\n" + process.output_text() + log());
}

bool PostgresServer::try_start(std::string& failure) {
  const std::string options = "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                              " -c unix_socket_directories=" + socket_dir_.string() +
                              " -c fsync=off -c full_page_writes=off";
  try {
    run("pg_ctl",
        {"start", "--wait", "--timeout=60", "--pgdata=" + data_dir_.string(),
         "--log=" + log_file_.string(), "--options=" + options},
        std::chrono::seconds{90});
  } catch (const std::runtime_error& error) {
    failure = error.what();
    return false;
  }
  pid_ = read_postmaster_pid();
  return true;
}

void PostgresServer::stop_with_mode(const std::string& mode) {
  if (pid_ <= 0) return;
  run("pg_ctl", {"stop", "--wait", "--timeout=60", "--mode=" + mode, "--pgdata=" + data_dir_.string()},
      std::chrono::seconds{90});
  // pg_ctl returns once postmaster.pid is gone; the process itself may linger a moment longer.
  const pid_t stopped = pid_;
  poll_until(deadline_in(std::chrono::seconds{10}), [&] { return process_is_gone(stopped); });
  pid_ = -1;
}

pid_t PostgresServer::read_postmaster_pid() const {
  // postmaster.pid's first line is the pid.
  const std::string text = read_file_or_empty(data_dir_ / "postmaster.pid");
  try {
    return static_cast<pid_t>(std::stol(text));
  } catch (const std::exception&) {
    throw std::runtime_error("PostgreSQL started but wrote no postmaster.pid:\n" + log());
  }
}

}  // namespace keyrelay::test
