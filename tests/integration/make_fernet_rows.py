#!/usr/bin/env python3
"""Writes a `keyrelay import fernet` input the way the Fernet-based source systems seal their keys
(shared/import-fernet.md), with Python's `cryptography` itself: the import test's independent
reference for PBKDF2-HMAC-SHA256 and Fernet.

Usage: make_fernet_rows.py SPEC.json OUT.jsonl

SPEC: {"master": "...", "scheme": "per-user-salt" | "envelope", "rows": [ROW, ...]} where ROW is
  {"user", "provider", "name", "secret", "salt" (standard base64), optional "iterations" (written
   to the row, and used to derive), "created_at", "expires_at", and test knobs:
   "master": another master secret for this row (a wrong one), "tamper": true (flip one
   ciphertext bit of the token, MAC left as it was), "set": {field: value or null} applied to the
   finished row last (null removes the field), "text": a raw line written instead of a row}.
"""

import base64
import json
import sys

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

DEFAULT_ITERATIONS = 100_000


def user_key(master, salt_b64, iterations):
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=base64.b64decode(salt_b64), iterations=iterations)
    return base64.urlsafe_b64encode(kdf.derive(master.encode()))


def tampered(token):
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[30] ^= 0x01  # inside the ciphertext: only the MAC can tell
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def build_row(spec, row):
    if "text" in row:
        return row["text"]
    iterations = row.get("iterations", DEFAULT_ITERATIONS)
    key = user_key(row.get("master", spec["master"]), row["salt"], iterations)
    out = {"user": row["user"], "provider": row["provider"], "name": row["name"], "salt": row["salt"]}
    secret = row["secret"].encode()
    if spec["scheme"] == "envelope":
        data_key = Fernet.generate_key()
        out["data_key"] = Fernet(key).encrypt(data_key).decode()
        out["token"] = Fernet(data_key).encrypt(secret).decode()
    else:
        out["token"] = Fernet(key).encrypt(secret).decode()
    if row.get("tamper"):
        out["token"] = tampered(out["token"])
    for field in ("iterations", "created_at", "expires_at"):
        if field in row:
            out[field] = row[field]
    for field, value in row.get("set", {}).items():
        if value is None:
            out.pop(field, None)
        else:
            out[field] = value
    return json.dumps(out)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        for row in spec["rows"]:
            f.write(build_row(spec, row) + "\n")


if __name__ == "__main__":
    main()
