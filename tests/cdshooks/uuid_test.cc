#include "cdshooks/uuid.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

namespace cdshooks {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(Uuid, VersionSevenWithTheRfcVariant) {
  const std::string u = NewUuid();
  ASSERT_TRUE(IsUuid(u)) << u;
  EXPECT_EQ(u[14], '7') << u;                                          // version
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;  // variant 10
}

TEST(Uuid, TheFirstFortyEightBitsAreTheUnixMilliseconds) {
  // 2026-12-02T06:00:00.000Z = 1796191200000 ms = 0x01a2_3556_a300.
  const system_clock::time_point t{milliseconds(1796191200000)};
  const std::string u = NewUuidAt(t);
  EXPECT_EQ(u.substr(0, 8) + u.substr(9, 4), "01a23556a300") << u;
  EXPECT_EQ(u.substr(14, 4), "7000") << u;  // no fraction of the millisecond
  // Half a millisecond later: the 12-bit fraction is 2048.
  EXPECT_EQ(NewUuidAt(t + std::chrono::microseconds(500)).substr(14, 4), "7800");
}

TEST(Uuid, LaterUuidsSortLater) {
  // What the store relies on: keys in issue order append to its B-tree.
  system_clock::time_point t{milliseconds(1796191200000)};
  std::string previous = NewUuidAt(t);
  for (int i = 0; i < 2000; ++i) {
    t += std::chrono::microseconds(250);  // one fraction step is 1000/4096 us: each step is seen
    const std::string next = NewUuidAt(t);
    ASSERT_LT(previous, next) << i;
    previous = next;
  }
}

TEST(Uuid, UniqueWithinTheSameInstant) {
  const auto now = system_clock::now();
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) seen.insert(NewUuidAt(now));
  EXPECT_EQ(seen.size(), 100000U);
}

TEST(Uuid, IsUuidRefusesOtherShapes) {
  EXPECT_TRUE(IsUuid("01a23556-a300-7000-8000-000000000000"));
  EXPECT_FALSE(IsUuid("01a25c9b1f0070008000000000000000"));
  EXPECT_FALSE(IsUuid("01a23556-a300-7000-8000-00000000000g"));
  EXPECT_FALSE(IsUuid("01a23556-a300-7000-8000-0000000000000"));
  EXPECT_FALSE(IsUuid(""));
}

}  // namespace
}  // namespace cdshooks
