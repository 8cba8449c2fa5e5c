#include "python_jwt.h"

#include <chrono>
#include <exception>
#include <fstream>

#include "support/deadline.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace keyrelay::auth::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

constexpr const char* kInstallHint =
    "python3-jwt and python3-cryptography are needed for the JWT tests: install them with "
    "scripts/install-deps.sh (apt-get install python3-jwt python3-cryptography); they must be "
    "importable by /usr/bin/python3, not only by the python on PATH";

// argv[1]: the request file. stdout: {"jwks":{...},"rsa_public_pem":"...","tokens":{name: token}}.
// Exit 3 when a module is missing.
constexpr const char* kScript = R"PY(
import sys, json, base64, hmac, hashlib
try:
    import jwt
    from jwt.algorithms import RSAAlgorithm, ECAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa, ec
    from cryptography.hazmat.primitives import serialization
except ImportError as e:
    sys.stderr.write("missing python module: %s\n" % e)
    sys.exit(3)

spec = json.load(open(sys.argv[1]))
secret = spec["hs256_secret"].encode()
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
rsa_jwk = json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key()))
rsa_jwk["kid"] = spec["rsa_kid"]
ec_jwk = json.loads(ECAlgorithm.to_jwk(ec_key.public_key()))
ec_jwk["kid"] = spec["ec_kid"]
pem = rsa_key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def by_hand(alg, headers, claims, key):
    header = {"alg": alg, "typ": "JWT"}
    header.update(headers)
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if key is None:
        return signing_input + "."
    return signing_input + "." + b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())

tokens = {}
for t in spec["tokens"]:
    signer, headers, claims = t["signer"], t["headers"], t["claims"]
    if signer == "rsa":
        token = jwt.encode(claims, rsa_key, algorithm="RS256", headers=headers)
    elif signer == "ec":
        token = jwt.encode(claims, ec_key, algorithm="ES256", headers=headers)
    elif signer == "hs256":
        token = jwt.encode(claims, secret, algorithm="HS256", headers=headers)
    elif signer == "hmac_with_rsa_pem":
        token = by_hand("HS256", headers, claims, pem)
    elif signer == "unsigned_none":
        token = by_hand("none", headers, claims, None)
    else:
        raise SystemExit("unknown signer " + signer)
    tokens[t["name"]] = token

json.dump({"jwks": {"keys": [rsa_jwk, ec_jwk]}, "rsa_public_pem": pem.decode(),
           "tokens": tokens}, sys.stdout)
)PY";

std::string_view signer_name(Signer s) {
  switch (s) {
    case Signer::rsa: return "rsa";
    case Signer::ec: return "ec";
    case Signer::hs256: return "hs256";
    case Signer::hmac_with_rsa_pem: return "hmac_with_rsa_pem";
    case Signer::unsigned_none: return "unsigned_none";
  }
  return "?";
}

core::Error failure(std::string what) { return core::Error::internal(std::move(what)); }

}  // namespace

core::Result<MintedTokens> mint_with_python(const std::vector<TokenRequest>& requests,
                                            std::string_view hs256_secret,
                                            const std::filesystem::path& work_dir) {
  if (!std::filesystem::exists(kPython)) {
    return failure(std::string(kPython) + " does not exist. " + kInstallHint);
  }

  boost::json::array list;
  for (const auto& r : requests) {
    list.push_back(boost::json::object{{"name", r.name},
                                       {"signer", signer_name(r.signer)},
                                       {"headers", r.headers},
                                       {"claims", r.claims}});
  }
  const boost::json::object spec{{"hs256_secret", hs256_secret},
                                 {"rsa_kid", kPythonRsaKid},
                                 {"ec_kid", kPythonEcKid},
                                 {"tokens", std::move(list)}};
  const auto spec_file = work_dir / "mint_request.json";
  {
    std::ofstream out(spec_file, std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(spec);
    if (!out) return failure("cannot write " + spec_file.string());
  }

  std::optional<keyrelay::test::ExitStatus> status;
  std::string out_text;
  std::string err_text;
  try {
    keyrelay::test::Process python({kPython, "-c", kScript, spec_file.string()}, {}, work_dir,
                                   work_dir);
    status = python.wait_for_exit(keyrelay::test::deadline_in(std::chrono::seconds(60)));
    out_text = python.stdout_text();
    err_text = python.stderr_text();
  } catch (const std::exception& e) {
    return failure(std::string("cannot run ") + kPython + ": " + e.what() + ". " + kInstallHint);
  }
  if (!status) return failure("the PyJWT minting script did not finish within 60 s");
  if (*status == 3) return failure(err_text + kInstallHint);
  if (*status != 0) {
    return failure("the PyJWT minting script failed (exit " + std::to_string(*status) + "): " +
                   err_text);
  }

  boost::system::error_code ec;
  boost::json::value result = boost::json::parse(out_text, ec);
  if (ec || !result.is_object()) return failure("the PyJWT minting script printed no JSON");
  const auto& obj = result.get_object();
  MintedTokens minted;
  minted.jwks_json = boost::json::serialize(obj.at("jwks"));
  minted.rsa_public_pem = std::string(obj.at("rsa_public_pem").as_string());
  for (const auto& [name, token] : obj.at("tokens").as_object()) {
    minted.tokens.emplace(std::string(name), std::string(token.as_string()));
  }
  return minted;
}

}  // namespace keyrelay::auth::test
