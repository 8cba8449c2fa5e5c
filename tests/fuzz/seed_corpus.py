#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into corpus/<target>/seed-*, from the test fixtures:
the raw-string JSON and SSE samples of tests/gateway/wire, the JOSE vectors of tests/vectors, and
hand-copied cases of the unit and integration tests whose inputs are built in code (proxy rules,
HTTP requests, API bodies, TOML files). Each seed is framed the way its target reads its input
(see the comment at the top of each <target>_fuzz.cpp).

Run it again after changing fixtures: it replaces the seed-* files only; reproducers of findings
(finding-*) and inputs kept from fuzzing runs (cov-*) stay.

    tests/fuzz/seed_corpus.py
"""

import base64
import glob
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")

RAW_STRING = re.compile(r'R"(\w*)\((.*?)\)\1"', re.S)


def raw_strings(*patterns):
    out = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(TESTS, pattern))):
            with open(path, encoding="utf-8") as f:
                out += [m.group(2) for m in RAW_STRING.finditer(f.read())]
    return out


def is_json(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def b(text):
    return text.encode("utf-8") if isinstance(text, str) else text


class Seeds:
    def __init__(self):
        self.by_target = {}

    def add(self, target, data):
        data = b(data)
        name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
        self.by_target.setdefault(target, {})[name] = data

    def write(self):
        for target, seeds in sorted(self.by_target.items()):
            folder = os.path.join(CORPUS, target)
            os.makedirs(folder, exist_ok=True)
            for old in glob.glob(os.path.join(folder, "seed-*")):
                os.remove(old)
            for name, data in sorted(seeds.items()):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(data)
            print(f"{target}: {len(seeds)} seeds")


def b64url(data):
    return base64.urlsafe_b64encode(b(data)).rstrip(b"=").decode()


def main():
    s = Seeds()
    wire_index = {"openai": 0, "anthropic": 1, "gemini": 2}

    # SSE streams and answers of the wire tests.
    for wire, files in {"openai": ["gateway/wire/openai_wire_test.cpp"],
                        "anthropic": ["gateway/wire/anthropic_stream_test.cpp", "gateway/wire/anthropic_response_test.cpp"],
                        "gemini": ["gateway/wire/gemini_stream_test.cpp", "gateway/wire/gemini_response_test.cpp"]}.items():
        w = wire_index[wire]
        for text in raw_strings(*files):
            if "data:" in text:
                s.add("sse_parser", bytes([len(text) % 251]) + b(text))
                s.add("sse_parser", bytes([7]) + b(text.replace("\n", "\r\n")))
                s.add("wire_stream", bytes([w, len(text) % 251]) + b(text))
                s.add("wire_stream", bytes([w | 4, 3]) + b(text))
            elif is_json(text):
                s.add("wire_response", bytes([w, 0, w]) + b(text))
    for text in raw_strings("gateway/wire/provider_errors_test.cpp"):
        for status in (2, 3, 5, 10, 11):  # 400, 401, 403, 429, 500 (wire_response_fuzz.cpp status_of)
            s.add("wire_response", bytes([0, status, 0]) + b(text))
    for text in raw_strings("gateway/wire/model_lists_test.cpp"):
        for w in range(3):
            s.add("wire_response", bytes([w, 0, w]) + b(text))
    s.add("wire_response", bytes([2, 2, 2]) + b'{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",'
                                           b'"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}')
    s.add("wire_response", bytes([0, 0, 6]) + b'{"status":"REQUEST_DENIED","error_message":"The provided API key is invalid. '
                                           b'KR-FUZZ+SECRET/0123456789="}')
    s.add("wire_response", bytes([0, 10, 0]) + b'{"error":{"message":"You exceeded your current quota","type":"insufficient_quota",'
                                            b'"code":"insufficient_quota"}}')

    # Chat request bodies of the request tests (valid and refused ones).
    for text in raw_strings("gateway/wire/*request_test.cpp", "gateway/wire/openai_wire_test.cpp"):
        if "data:" not in text and ("messages" in text or "model" in text):
            s.add("wire_request", text)
            s.add("api_json", bytes([7]) + b"\napplication/json\n" + b(text))

    # JOSE: the published examples as tokens, and their header/payload pairs for the signing mode.
    vectors = json.load(open(os.path.join(TESTS, "vectors", "rfc7515_appendix_a_examples.json")))
    for example in vectors["examples"]:
        s.add("jwt", b"\0" + b(example["compact"]))
        s.add("jwt", b"\1" + b(example["protected_header_json"]) + b"\n\n" + b(example["payload_json"]))
        public = {k: v for k, v in example["jwk"].items() if k not in ("d", "k")}
        s.add("jwks", json.dumps({"keys": [public]}))
        s.add("jwks", json.dumps(public))
    for name in ("4_1.rsa_v15_signature.json", "4_4.hmac-sha2_integrity_protection.json"):
        v = json.load(open(os.path.join(TESTS, "vectors", name)))
        s.add("jwt", b"\0" + b(v["output"]["compact"]))
        key = {k: val for k, val in v["input"]["key"].items() if k not in ("d", "p", "q", "dp", "dq", "qi", "k")}
        s.add("jwks", json.dumps({"keys": [key]}))
    s.add("jwt", b"\1" + b'{"alg":"HS256","typ":"JWT"}' + b"\n\n" +
          b'{"iss":"joe","sub":"alice","aud":["keyrelay","other"],"exp":1300819380,"nbf":1300818000,'
          b'"iat":1300818000,"email":"alice@example.com","name":"Alice"}')
    s.add("jwt", b"\1" + b'{"alg":"HS256","crit":["exp"]}' + b"\n\n" + b'{"iss":"joe","sub":"a","aud":"keyrelay","exp":1.3008194e9}')
    s.add("jwt", b"\0" + b(b64url('{"alg":"none"}') + "." + b64url('{"sub":"a"}') + "."))
    s.add("jwt", b"\0" + b(b64url('{"alg":"RS256","kid":"p256"}') + "." + b64url('{"sub":"a"}') + "." + b64url(b"x" * 64)))
    s.add("jwks", '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}')
    s.add("jwks", '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}')

    # /proxy rules (tests/gateway/proxy_rules_test.cpp); provider bytes index the built-in catalog:
    # 0 openai, 1 anthropic, 2 gemini, 6 google-maps, 7 openweathermap.
    headers = ("Authorization: Bearer kr_x\nx-api-key: kr_x\nCookie: s=1\nHost: keyrelay\nX-Keyrelay-Fallback: a\n"
               "X-Forwarded-For: 1.2.3.4\nForwarded: for=x\nConnection: keep-alive, X-Secret-Hop\nX-Secret-Hop: 1\n"
               "Keep-Alive: 5\nContent-Length: 10\nProxy-Authorization: Basic x\nContent-Type: application/json\n"
               "anthropic-version: 2023-06-01\nAccept: text/event-stream\nSet-Cookie: a=b\nTransfer-Encoding: chunked\n")
    for provider, rest, query in [(0, "chat/completions", ""), (6, "maps/api/geocode/json", "address=Paris%20France"),
                                  (0, "../admin", ""), (0, "a/%2e%2e/b", ""), (0, "a%2Fb", ""), (0, "a//b", ""),
                                  (6, "maps/api/geocode/json", "address=x&key=mine"), (7, "data/2.5/weather", "q=x&appid=1"),
                                  (2, "v1beta/models/gemini-2.0-flash:generateContent", "key=mine"),
                                  (1, "v1/messages", ""), (0, "models/gpt-4o%20mini", "")]:
        s.add("proxy_rules", bytes([provider]) + b(rest + "\n" + query + "\n" + headers))

    # HTTP requests (tests/integration/http_*_test.cpp, raw_requests.cpp).
    for request in [
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/keys?provider=openai&status=active&limit=5&cursor=abc HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer kr_abc\r\nX-Request-Id: req-1\r\n\r\n",
        "POST /api/v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n"
        '{"provider":"openai","secret":"sk-test-123456"}',
        "PATCH /api/v1/keys/0190a1b2-c3d4 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        "POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Expect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET /proxy/google-maps/maps/api/geocode/json?address=Paris HTTP/1.1\r\nHost: x\r\n"
        "X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\n\r\n",
        "DELETE /api/v1/tokens/abc HTTP/1.1\r\nHost: x\r\n\r\n",
        "PUT /api/v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "BREW /api/v1/keys HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://evil/api/v1/keys HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/keys/expiring?within_days=7 HTTP/1.0\r\n\r\n",
        "GET /assets/abc123/app.js HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
    ]:
        s.add("http_request", request)

    # API bodies and queries (tests/integration/vault_*_test.cpp); the first byte picks the route
    # (api_json_fuzz.cpp kRoutes), then "<query>\n<content type>\n<body>".
    routes = {"create_key": 0, "patch_key": 1, "rotate_key": 2, "validate_unstored": 3, "validate_stored": 4,
              "create_user": 5, "issue_token": 6, "chat": 7, "list_keys": 8, "list_tokens": 9, "list_audit": 10,
              "usage": 11, "list_alerts": 12, "put_caps": 13}
    for route, query, ctype, body in [
        ("create_key", "", "application/json", '{"provider":"openai","name":"work","secret":"sk-test-0123456789abcdef",'
                                               '"expires_at":"2027-01-31T00:00:00Z","priority":1,"always_use":true,'
                                               '"metadata":{"team":"a"},"validate":false}'),
        ("create_key", "", "application/json; charset=utf-8", '{"provider":"openai","secret":42}'),
        ("create_key", "", "text/plain", '{"provider":"openai","secret":"x"}'),
        ("create_key", "", "", '{"provider":"openai","secret":"sk-test-0123456789abcdef","colour":"blue"}'),
        ("patch_key", "", "application/json", '{"name":"new-name","expires_at":null,"priority":-5,"enabled":false}'),
        ("rotate_key", "", "application/json", '{"secret":"sk-test-rotated-0123456789","validate":true}'),
        ("validate_unstored", "", "application/json", '{"provider":"anthropic","secret":"sk-ant-0123456789abcdef"}'),
        ("validate_stored", "", "application/json", "{}"),
        ("create_user", "", "application/json", '{"name":"alice","role":"admin"}'),
        ("issue_token", "", "application/json", '{"user_id":"u1","name":"ci","scopes":["keys:read","gateway"],'
                                                '"expires_at":"2027-01-01T00:00:00Z"}'),
        ("list_keys", "provider=openai&status=active&limit=50&cursor=abc", "", ""),
        ("list_keys", "limit=0", "", ""),
        ("list_tokens", "user_id=u1&limit=200", "", ""),
        ("list_audit", "action=key.created&from=2026-01-01&to=2026-12-31T23:59:59Z&user_id=u1", "", ""),
        ("usage", "from=2026-01-01&to=2026-01-31&group_by=day,provider,key", "", ""),
        ("list_alerts", "status=open&limit=10", "", ""),
        ("put_caps", "", "application/json", '{"daily_usd":5,"monthly_usd":100.123456}'),
        ("put_caps", "", "application/json", '{"daily_usd":1.1234567,"monthly_usd":null}'),
        ("put_caps", "", "application/json", '{"daily_usd":-1,"weekly_usd":"5"}'),
    ]:
        s.add("api_json", bytes([routes[route]]) + b(query + "\n" + ctype + "\n" + body))

    # TOML: the settings README documents, and keyring files as tests/crypto/keyring_test.cpp builds them.
    s.add("config_toml", 'listen = "127.0.0.1:0"\ndata_dir = "/tmp/kr"\ntrusted_proxies = "10.0.0.0/8, ::1"\n'
                         'default_key_fallback = true\n[log]\nlevel = "debug"\nformat = "text"\n[http]\n'
                         'max_body_bytes = 2048\nbody_timeout = "5s"\n[rate_limit]\nmutations = "10/1m"\n'
                         '[routing]\naliases = "fast=anthropic/claude-3-5-haiku-latest|gemini/gemini-2.0-flash; x=openai/gpt-4o"\n'
                         '[provider.openai]\nbase_url = "http://127.0.0.1:9/v1"\n[alerts]\nexpiry_days = "7, 1"\n'
                         'webhook_urls = "https://hooks.example.com/a"\nwebhook_secret = "whsec-0123456789abcdef0123456789abcdef"\n')
    s.add("config_toml", 'master_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="\nkeyring_file = "/tmp/k.toml"\n')
    s.add("config_toml", '[jwt]\nsecret = "0123456789abcdef0123456789abcdef"\nissuer = "https://id.example.com"\n'
                         'audience = "keyrelay"\n[metrics]\ntoken = "metrics-token-0123456789"\n')
    s.add("config_toml", 'lisen = "x"\n' + "\0" + "KEYRELAY_LISTEN=127.0.0.1:99999\nKEYRELAY_MASTER_KEY=not-base64-0123456789\n")
    s.add("config_toml", "\0KEYRELAY_RATE_LIMIT_MUTATIONS=5/10s\nKEYRELAY_HTTP_THREADS=4\n")
    key = lambda n: base64.b64encode(bytes([n]) * 32).decode()
    entry = lambda v, state, k=True: (f'[[keys]]\nversion = {v}\n' + (f'key = "{key(v)}"\n' if k else f'audit_key = "{key(v + 100)}"\n')
                                      + f'created_at = "2025-01-02T03:04:05Z"\nstate = "{state}"\n')
    for text in ["active = 1\n" + entry(1, "active"),
                 "active = 2\n\n" + entry(1, "retired", k=False) + "\n" + entry(2, "active") + entry(3, "pending"),
                 "active = 1\ncolour = \"blue\"\n" + entry(1, "active"),
                 "active = 1\n" + entry(1, "active") + entry(1, "active"),
                 "active = 2\n" + entry(1, "active") + entry(2, "pending"),
                 'active = 1\n[[keys]]\nversion = 1\nkey = "c2hvcnQ="\ncreated_at = "2025-01-02T03:04:05Z"\nstate = "active"\n']:
        s.add("keyring_file", text)

    s.write()


if __name__ == "__main__":
    main()
