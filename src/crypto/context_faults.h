#pragma once
// A test seam for the crypto layer's transient failures: it makes one OpenSSL context set-up (an
// AES-GCM cipher context or an HKDF context) fail the way it does when OpenSSL cannot allocate, so
// tests can check that such a failure is told apart from data that fails its integrity check.
// Production code never arms it; unarmed, it costs one relaxed atomic load per context.
//
// Process-wide and thread-safe, but meant for single-threaded tests: arm, call, check, clear.

namespace keyrelay::crypto::faults {

// The context set-up after `skip` more successful ones fails, once (skip 0: the very next one).
void fail_context_setup_after(int skip) noexcept;

// Disarms the seam (a fault that has not fired yet is dropped).
void clear_context_faults() noexcept;

}  // namespace keyrelay::crypto::faults
