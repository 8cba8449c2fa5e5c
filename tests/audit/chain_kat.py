#!/usr/bin/python3
"""Independent computation of the audit-chain known answers used by canonical_test.cpp.

Written from the format in src/audit/canonical.h and audit_key.h, with only the Python standard
library (hmac, hashlib, struct); no keyrelay code is involved. Run: /usr/bin/python3 chain_kat.py
"""
import hashlib
import hmac
import struct


def lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def text(s: str) -> bytes:
    return lp(s.encode())


def opt(s) -> bytes:
    return struct.pack(">I", 0) if s is None else struct.pack(">I", 1) + text(s)


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, size: int) -> bytes:
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for i in range(1, -(-size // 32) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:size]


def canonical(e: dict) -> bytes:
    return b"".join([
        text("keyrelay/audit-event/v1"), text(e["id"]), text(e["chain"]),
        struct.pack(">q", e["time_ms"]), text(e["action"]), text(e["outcome"]),
        opt(e["actor_user_id"]), opt(e["actor_token_id"]), text(e["actor_kind"]),
        opt(e["on_behalf_of"]), opt(e["key_id"]), opt(e["key_owner_id"]), opt(e["provider"]),
        opt(e["ip"]), opt(e["user_agent"]), opt(e["request_id"]), text(e["details_json"]),
        struct.pack(">I", e["master_version"]),
    ])


def link(key: bytes, prev: bytes, seq: int, canon: bytes) -> bytes:
    return hmac.new(key, lp(prev) + struct.pack(">Q", seq) + lp(canon), hashlib.sha256).digest()


master = bytes(range(32))
audit_key = hkdf_sha256(master, b"", b"keyrelay/audit/v1", 32)
first = dict(id="0190d6c0-0000-7000-8000-000000000001", chain="w1/mgmt", time_ms=1700000000123,
             action="key.created", outcome="success", actor_user_id="u1", actor_token_id=None,
             actor_kind="token", on_behalf_of=None, key_id="k1", key_owner_id="u1",
             provider="openai", ip="127.0.0.1", user_agent="", request_id=None,
             details_json='{"name":"main"}', master_version=1)
second = dict(first, id="0190d6c0-0000-7000-8000-000000000002", time_ms=1700000000456,
              action="key.deleted", outcome="denied", actor_token_id="t9", actor_kind="cli",
              on_behalf_of="u2", ip=None, user_agent=None, request_id="r-1", details_json="{}")
c1, c2 = canonical(first), canonical(second)
h1 = link(audit_key, b"", 1, c1)
h2 = link(audit_key, h1, 2, c2)
print("audit key         ", audit_key.hex())
print("sha256(canonical1)", hashlib.sha256(c1).hexdigest())
print("hash 1            ", h1.hex())
print("sha256(canonical2)", hashlib.sha256(c2).hexdigest())
print("hash 2            ", h2.hex())
