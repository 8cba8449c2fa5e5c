// Contract: a write is answered only after its commit. A child process writes keys from several
// threads at once and reports each success through a pipe the moment the store answers; it is
// killed with SIGKILL in the middle of the burst, and every key it reported must be in the store.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class AnswerAfterCommitContract : public StoreContract {
 protected:
  // The child: writes keys of `owner` from kThreads threads until it is killed; writes each
  // answered key id (one line, shorter than PIPE_BUF, so lines never interleave) to `report`.
  [[noreturn]] void write_until_killed(const UserRecord& owner, int report) {
    auto opened = GetParam().open(dir_.path(), sealer_);
    if (!opened) ::_exit(2);
    std::vector<std::vector<std::pair<KeyRecord, AuditEvent>>> work(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      for (int n = 0; n < kKeysPerThread; ++n)
        work[t].emplace_back(make_key(owner, "openai", "t" + std::to_string(t) + "n" + std::to_string(n)),
                             make_event("key.created"));
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (auto& [key, event] : work[t]) {
          if (!(*opened)->insert_key(key, event)) ::_exit(3);
          const std::string line = key.id + "\n";
          if (::write(report, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(4);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    ::_exit(0);  // not reached in time: the parent kills the burst first
  }

  static constexpr int kThreads = 8;
  static constexpr int kKeysPerThread = 2000;
  static constexpr std::size_t kKillAfter = 150;  // answers seen before the kill
};
KEYRELAY_STORE_CONTRACT(AnswerAfterCommitContract);

TEST_P(AnswerAfterCommitContract, EveryAnsweredWriteSurvivesAKillNineRightAfterTheAnswers) {
  auto owner = add_user("alice");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    write_until_killed(owner, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);

  std::string reported;
  std::size_t lines = 0;
  char buffer[4096];
  bool killed = false;
  for (;;) {
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got <= 0) break;  // EOF: the child is gone and every line it wrote has been read
    reported.append(buffer, static_cast<std::size_t>(got));
    lines += static_cast<std::size_t>(std::count(buffer, buffer + got, '\n'));
    if (!killed && lines >= kKillAfter) {
      ASSERT_EQ(::kill(child, SIGKILL), 0);  // right after the answers, with writes in flight
      killed = true;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(killed) << "the child ended before it was killed, status " << status;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child failed on its own: " << status;

  // What another process finds afterwards: every answered key, and an intact chain.
  auto after = open_again();
  ASSERT_TRUE(after);
  std::set<std::string> stored;
  auto keys = after->keys_of_owner(owner.id);
  ASSERT_TRUE(keys) << keys.error().message;
  for (const auto& key : *keys) stored.insert(key.id);
  std::size_t answered = 0;
  for (std::size_t start = 0, end; (end = reported.find('\n', start)) != std::string::npos; start = end + 1) {
    ++answered;
    EXPECT_TRUE(stored.count(reported.substr(start, end - start))) << "answered but not stored";
  }
  EXPECT_GE(answered, kKillAfter);
  EXPECT_GE(stored.size(), answered);
  auto chain = chain_events();
  EXPECT_EQ(chain.size(), stored.size() + 1) << "one key.created per stored key, one user.created";
  core::Bytes prev;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(chain[i].hash, TestSealer::chain_hash(prev, chain[i].seq, chain[i].id));
    prev = chain[i].hash;
  }
}

}  // namespace
}  // namespace keyrelay::store::test
