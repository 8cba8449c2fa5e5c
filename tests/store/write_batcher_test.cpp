// WriteBatcher (group commit) on a plain table: writes queued together share one transaction, a
// failing write is undone alone, a failing commit fails the whole group and keeps nothing, and a
// write from inside a write is refused instead of waiting for itself.

#include "store/sqlite/write_batcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "raw_sqlite.h"
#include "support/deadline.h"
#include "support/temp_dir.h"

namespace keyrelay::store::sqlite {
namespace {

using namespace std::chrono_literals;
using keyrelay::test::deadline_in;
using keyrelay::test::poll_until;
using store::test::RawSqlite;

class WriteBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "batch.db";
    auto conn = Connection::open(file_, 5000ms);
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_TRUE((*conn)->exec(
        "CREATE TABLE parents (id TEXT PRIMARY KEY);"
        "CREATE TABLE rows (v TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);"
        "INSERT INTO parents VALUES ('p');",
        "creating the test tables"));
    batcher_ = std::make_unique<WriteBatcher>(std::move(*conn));
    raw_ = std::make_unique<RawSqlite>(file_);
  }

  // Inserts (v, parent) as one write: conflict when v exists. A missing parent is only noticed at
  // COMMIT (the foreign key is deferred), so it breaks the whole group's commit.
  core::Result<void> insert(const std::string& v, const std::string& parent = "p") {
    return batcher_->write(Bump::none, [&](Connection& conn) -> core::Result<void> {
      auto stmt = conn.prepare("INSERT INTO rows (v, parent) VALUES (?1, ?2)");
      if (!stmt) return stmt.error();
      stmt->bind_text(1, v);
      stmt->bind_text(2, parent);
      return stmt->run("inserting a test row");
    });
  }

  // Holds the write lock from another connection while `values` are written from one thread each,
  // releases it once all of them queue, and returns each write's result.
  std::vector<core::Result<void>> write_together(const std::vector<std::pair<std::string, std::string>>& values) {
    raw_->exec("BEGIN IMMEDIATE");
    std::vector<core::Result<void>> results(values.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < values.size(); ++i)
      threads.emplace_back([&, i] { results[i] = insert(values[i].first, values[i].second); });
    EXPECT_TRUE(poll_until(deadline_in(10s), [&] { return batcher_->queued() == values.size(); }));
    raw_->exec("ROLLBACK");
    for (auto& thread : threads) thread.join();
    return results;
  }

  keyrelay::test::TempDir dir_;
  std::filesystem::path file_;
  std::unique_ptr<WriteBatcher> batcher_;
  std::unique_ptr<RawSqlite> raw_;
};

TEST_F(WriteBatcherTest, WritesThatQueueTogetherCommitAsOneGroup) {
  std::vector<std::pair<std::string, std::string>> values;
  for (int i = 0; i < 8; ++i) values.emplace_back("v" + std::to_string(i), "p");
  auto results = write_together(values);
  for (auto& result : results) EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(batcher_->groups_committed(), 1u);
  EXPECT_EQ(raw_->integer("SELECT count(*) FROM rows"), 8);
}

TEST_F(WriteBatcherTest, AFailingWriteInAGroupFailsAloneAndTheOthersCommit) {
  ASSERT_TRUE(insert("taken"));
  auto results = write_together({{"a", "p"}, {"taken", "p"}, {"b", "p"}, {"taken", "p"}, {"c", "p"}});
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(results[2]);
  EXPECT_TRUE(results[4]);
  for (std::size_t i : {1u, 3u}) {
    ASSERT_FALSE(results[i]);
    EXPECT_EQ(results[i].error().code, core::Errc::conflict);
  }
  EXPECT_EQ(batcher_->groups_committed(), 2u);  // the first insert, then the group
  EXPECT_EQ(raw_->text("SELECT group_concat(v, ',') FROM (SELECT v FROM rows ORDER BY v)"), "a,b,c,taken");
}

TEST_F(WriteBatcherTest, ACommitThatFailsFailsEveryWriteOfTheGroupAndKeepsNothing) {
  auto results = write_together({{"a", "p"}, {"orphan", "missing"}, {"b", "p"}});
  for (auto& result : results) {
    ASSERT_FALSE(result) << "a write was answered although its group did not commit";
    EXPECT_EQ(result.error().code, core::Errc::conflict) << result.error().message;
  }
  EXPECT_EQ(batcher_->groups_committed(), 0u);
  EXPECT_EQ(raw_->integer("SELECT count(*) FROM rows"), 0);
  EXPECT_TRUE(insert("after")) << "the batcher goes on after a failed group";
}

TEST_F(WriteBatcherTest, TheLockHeldElsewherePastTheTimeoutFailsTheGroupUnavailable) {
  auto conn = Connection::open(file_, 50ms);
  ASSERT_TRUE(conn);
  WriteBatcher impatient(std::move(*conn));
  raw_->exec("BEGIN IMMEDIATE");
  auto blocked = impatient.write(Bump::none, [](Connection&) -> core::Result<int> { return 1; });
  raw_->exec("ROLLBACK");
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, core::Errc::unavailable);
  auto retried = impatient.write(Bump::none, [](Connection&) -> core::Result<int> { return 2; });
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(*retried, 2);
}

TEST_F(WriteBatcherTest, AWriteStartedInsideAWriteIsRefusedAndOnlyItsOwnWriteIsUndone) {
  ASSERT_TRUE(insert("kept"));
  auto outer = batcher_->write(Bump::none, [&](Connection&) -> core::Result<void> { return insert("inner"); });
  ASSERT_FALSE(outer);
  EXPECT_EQ(outer.error().code, core::Errc::internal);
  EXPECT_EQ(raw_->text("SELECT group_concat(v) FROM rows"), "kept");
}

TEST_F(WriteBatcherTest, AWriteThatThrowsFailsAloneAndTheBatcherGoesOn) {
  auto thrown = batcher_->write(Bump::none, [](Connection& conn) -> core::Result<void> {
    (void)conn.exec("INSERT INTO rows (v, parent) VALUES ('half', 'p')", "a half-done write");
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().code, core::Errc::internal);
  EXPECT_TRUE(insert("next"));
  EXPECT_EQ(raw_->text("SELECT group_concat(v) FROM rows"), "next");
}

}  // namespace
}  // namespace keyrelay::store::sqlite
