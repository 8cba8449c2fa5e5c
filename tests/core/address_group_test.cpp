#include "core/address_group.h"

#include <gtest/gtest.h>

namespace keyrelay::core {
namespace {

TEST(AddressGroup, AnIpv4AddressIsItsOwnGroup) {
  EXPECT_EQ(address_group("203.0.113.7"), "203.0.113.7");
  EXPECT_NE(address_group("203.0.113.7"), address_group("203.0.113.8"));
}

TEST(AddressGroup, AnIpv6AddressIsGroupedByIts64) {
  EXPECT_EQ(address_group("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_group("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), address_group("2001:db8:1:2::1"));
  // However it is written.
  EXPECT_EQ(address_group("2001:DB8:0001:0002:0:0:0:ffff"), address_group("2001:db8:1:2::1"));
  EXPECT_NE(address_group("2001:db8:1:3::1"), address_group("2001:db8:1:2::1"));
  EXPECT_EQ(address_group("::1"), "::/64");
}

TEST(AddressGroup, AnIpv4MappedIpv6AddressIsItsIpv4Address) {
  EXPECT_EQ(address_group("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_group("::FFFF:cb00:7107"), "203.0.113.7");
  EXPECT_NE(address_group("::ffff:203.0.113.7"), address_group("::ffff:203.0.113.8"));
}

TEST(AddressGroup, TextThatIsNoAddressIsLeftAsItIs) {
  EXPECT_EQ(address_group(""), "");
  EXPECT_EQ(address_group("not-an-address"), "not-an-address");
  EXPECT_EQ(address_group("2001:db8::1%eth0"), "2001:db8::1%eth0");
}

}  // namespace
}  // namespace keyrelay::core
