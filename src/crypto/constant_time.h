#pragma once
// Comparison of secret-dependent byte strings (MACs, tokens, fingerprints) in time that does not
// depend on where they differ. Thread-safe (pure function).

#include "core/bytes.h"

namespace keyrelay::crypto {

// True when `a` and `b` have the same length and the same bytes. The time taken depends only on
// the lengths, which are not secret; different lengths return false at once. Two empty views are
// equal.
bool constant_time_equal(core::ByteView a, core::ByteView b) noexcept;

}  // namespace keyrelay::crypto
