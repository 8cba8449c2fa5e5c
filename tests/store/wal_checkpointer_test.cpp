#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace keyrelay::store::sqlite {
namespace {

using namespace std::chrono_literals;

// Frames in the WAL and frames already copied into the database file (a PASSIVE checkpoint of
// nothing new reports both without moving anything it could not move anyway).
struct WalState {
  int frames = -1;
  int copied = -1;
};

// (BUSY while the background thread's checkpoint runs: asked again.)
WalState wal_state(Connection& conn) {
  WalState state;
  for (int i = 0; i < 500; ++i) {
    if (sqlite3_wal_checkpoint_v2(conn.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &state.frames, &state.copied) !=
        SQLITE_BUSY)
      break;
    std::this_thread::sleep_for(2ms);
  }
  return state;
}

// Each commit writes a row of 3 KB: a few pages of WAL per commit.
void commit_rows(Connection& conn, int rows) {
  for (int i = 0; i < rows; ++i) {
    auto done = conn.exec("INSERT INTO filler (body) VALUES (randomblob(3000))", "filling");
    ASSERT_TRUE(done) << done.error().message;
  }
}

std::unique_ptr<Connection> open_writer(const std::filesystem::path& file) {
  auto conn = Connection::open(file, 1000ms);
  EXPECT_TRUE(conn);
  EXPECT_TRUE((*conn)->exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)", "creating"));
  return std::move(*conn);
}

template <class Done>
bool eventually(Done done) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(WalCheckpointer, CopiesTheWalBackOnItsOwnThreadOnceItPassesTheThreshold) {
  test::TempDir dir;
  auto writer = open_writer(dir / "w.db");
  WalCheckpointer checkpointer(dir / "w.db", 1000ms, {.wake_at_pages = 100, .inline_at_pages = 1'000'000});
  checkpointer.attach(*writer);

  commit_rows(*writer, 5);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(checkpointer.background_checkpoints(), 0u) << "below the threshold nothing is copied";

  commit_rows(*writer, 100);
  ASSERT_TRUE(eventually([&] { return checkpointer.background_checkpoints() > 0; }));
  EXPECT_EQ(checkpointer.inline_checkpoints(), 0u) << "no commit waited for a checkpoint";
  const WalState state = wal_state(*writer);
  EXPECT_GT(state.copied, 0) << "the background checkpoint copied frames into the database file";
}

TEST(WalCheckpointer, TheCommitsThemselvesCatchUpWhenTheWalOutgrowsTheBackground) {
  test::TempDir dir;
  auto writer = open_writer(dir / "w.db");
  // The background is never asked (its threshold is out of reach): only the inline bound holds.
  WalCheckpointer checkpointer(dir / "w.db", 1000ms, {.wake_at_pages = 1'000'000, .inline_at_pages = 30});
  checkpointer.attach(*writer);

  commit_rows(*writer, 200);
  EXPECT_GT(checkpointer.inline_checkpoints(), 0u);
  EXPECT_EQ(checkpointer.background_checkpoints(), 0u);
  EXPECT_LT(wal_state(*writer).frames, 60) << "the WAL restarted instead of growing with every commit";
}

TEST(WalCheckpointer, StopsCleanlyWithARequestPending) {
  test::TempDir dir;
  auto writer = open_writer(dir / "w.db");
  {
    WalCheckpointer checkpointer(dir / "w.db", 1000ms, {.wake_at_pages = 1, .inline_at_pages = 1'000'000});
    checkpointer.attach(*writer);
    commit_rows(*writer, 5);
  }
  sqlite3_wal_hook(writer->handle(), nullptr, nullptr);  // the store detaches by closing its writer after
  commit_rows(*writer, 1);
}

}  // namespace
}  // namespace keyrelay::store::sqlite
