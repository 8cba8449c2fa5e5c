#include "auth/authenticator.h"

#include <array>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "auth/access_token.h"
#include "auth/jwt_identity.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "crypto/digest.h"
#include "crypto/random.h"

namespace keyrelay::auth {

using core::Error;
using core::Result;

namespace {

Error bad_credentials() { return Error::unauthenticated("missing or invalid credentials"); }

std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(header[i])));
    const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(kScheme[i])));
    if (a != b) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool looks_like_jwt(std::string_view t) {
  return std::count(t.begin(), t.end(), '.') == 2 && t.size() < 16 * 1024;
}

}  // namespace

Authenticator::Authenticator(store::UserStore& users, store::TokenStore& tokens, store::AuditAppendStore& audit,
                             const JwtVerifier* jwt, const core::Clock& clock, AuthenticatorOptions options)
    : users_(users),
      tokens_(tokens),
      audit_(audit),
      jwt_(jwt),
      clock_(clock),
      options_(std::move(options)),
      failures_(clock, {.chain = options_.failure_chain.empty() ? options_.audit_chain : options_.failure_chain,
                        .window = options_.failure_window}) {}

bool Authenticator::could_be_valid(std::optional<std::string_view> authorization) const {
  const auto token = authorization ? bearer_token(*authorization) : std::nullopt;
  return token && (looks_like_access_token(*token) || (jwt_ != nullptr && looks_like_jwt(*token)));
}

Result<Principal> Authenticator::authenticate(std::optional<std::string_view> authorization,
                                              std::optional<std::string_view> on_behalf_of,
                                              const RequestFacts& facts) {
  const auto token = authorization ? bearer_token(*authorization) : std::nullopt;
  if (!token) {
    // A request without credentials is not an attack worth an audit row; a wrong one is.
    if (authorization) audit_failure("malformed authorization header", facts);
    return bad_credentials();
  }
  Result<Principal> principal = bad_credentials();
  if (looks_like_access_token(*token)) principal = from_access_token(*token);
  else if (jwt_ != nullptr && looks_like_jwt(*token)) principal = from_jwt(*token, facts);
  if (!principal) {
    if (principal.error().code == core::Errc::unauthenticated)
      audit_failure(principal.error().message, facts);
    return principal;
  }
  if (!on_behalf_of) return principal;
  auto acting = act_for(std::move(*principal), *on_behalf_of);
  if (!acting && acting.error().code == core::Errc::forbidden)
    audit_failure("on-behalf-of refused", facts);
  return acting;
}

Result<Principal> Authenticator::from_access_token(std::string_view text) {
  const core::Bytes hash = token_hash(text);
  const std::string key = core::hex_encode(hash);
  const auto now = clock_.now();
  const auto steady = clock_.steady_now();

  std::shared_ptr<const CachedToken> entry;
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (steady - it->second->loaded_at < options_.cache_ttl) entry = it->second;
      else cache_.erase(it);
    }
  }
  if (!entry) {
    auto token = tokens_.find_token_by_hash(hash);
    if (!token) return token.error().code == core::Errc::not_found ? bad_credentials() : token.error();
    auto user = users_.find_user(token->user_id);
    if (!user) return user.error().code == core::Errc::not_found ? bad_credentials() : user.error();
    auto grants = parse_token_grants(token->scopes);
    if (!grants) return Error::internal("stored token has unknown scopes");
    entry = std::make_shared<const CachedToken>(CachedToken{std::move(*token), std::move(*user), std::move(*grants), steady});
    std::lock_guard lock(mutex_);
    if (cache_.size() >= options_.cache_capacity) cache_.clear();
    cache_[key] = entry;
  }
  return principal_of(*entry, now);
}

Result<Principal> Authenticator::principal_of(const CachedToken& entry, store::TimePoint now) {
  if (entry.token.revoked_at) return Error::unauthenticated("token has been revoked");
  if (entry.token.expires_at && *entry.token.expires_at <= now) return Error::unauthenticated("token has expired");
  if (entry.user.role == store::Role::system) return bad_credentials();
  {
    std::lock_guard lock(mutex_);
    uses_[entry.token.id] = now;
  }
  Principal p;
  p.user_id = p.actor_user_id = entry.user.id;
  p.user_name = entry.user.name;
  p.role = entry.user.role;
  p.token_id = entry.token.id;
  p.kind = store::ActorKind::token;
  p.scopes = entry.grants.scopes;
  p.reveal_providers = entry.grants.reveal_providers;
  return p;
}

std::optional<Principal> Authenticator::try_cached(std::optional<std::string_view> authorization,
                                                   std::optional<std::string_view> on_behalf_of) {
  if (on_behalf_of || !authorization) return std::nullopt;
  const auto token = bearer_token(*authorization);
  if (!token || !looks_like_access_token(*token)) return std::nullopt;
  // The cache key (hex of the token's SHA-256) on the stack: a hit allocates nothing.
  const crypto::Digest hash = crypto::sha256(core::as_bytes(*token));
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 2 * std::tuple_size_v<crypto::Digest>> hex{};
  for (std::size_t i = 0; i < hash.size(); ++i) {
    hex[2 * i] = kHex[hash[i] >> 4];
    hex[2 * i + 1] = kHex[hash[i] & 0x0f];
  }
  const std::string_view key(hex.data(), hex.size());
  std::shared_ptr<const CachedToken> entry;
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end() || clock_.steady_now() - it->second->loaded_at >= options_.cache_ttl) return std::nullopt;
    entry = it->second;
  }
  auto principal = principal_of(*entry, clock_.now());
  if (!principal) return std::nullopt;  // the slow path audits the failure
  return std::move(*principal);
}

Result<Principal> Authenticator::from_jwt(std::string_view text, const RequestFacts& facts) {
  auto claims = jwt_->verify(text);
  if (!claims) return claims.error();
  auto user = jwt_user(*claims, facts);
  if (!user) return user.error();
  if (user->role == store::Role::system) return bad_credentials();
  Principal p;
  p.user_id = p.actor_user_id = user->id;
  p.user_name = user->name;
  p.role = user->role;
  p.kind = store::ActorKind::jwt;
  p.scopes = default_user_scopes();
  return p;
}

Result<store::UserRecord> Authenticator::jwt_user(const JwtClaims& claims, const RequestFacts& facts) {
  const std::string external_id = jwt_external_id(claims.issuer, claims.subject);
  auto user = users_.find_user_by_external_id(external_id);
  if (user || user.error().code != core::Errc::not_found) return user;
  // Created before the unambiguous form: found by the old one and rewritten, once, so nobody
  // becomes a new user after the upgrade. Two nodes racing here: the loser's rewrite finds the old
  // id gone (not_found) and it reads the winner's result.
  const std::string legacy = legacy_jwt_external_id(claims.issuer, claims.subject);
  if (auto old = users_.find_user_by_external_id(legacy)) {
    auto moved = users_.replace_external_id(old->id, legacy, external_id);
    if (!moved && moved.error().code != core::Errc::not_found) return moved.error();
    return users_.find_user_by_external_id(external_id);
  } else if (old.error().code != core::Errc::not_found) {
    return old.error();
  }
  // First sight: create the user. The handle is derived from the identity, so two nodes racing
  // here collide on the unique name and the loser simply reads the winner's row.
  store::UserRecord created;
  created.id = core::uuid_v7(clock_.now());
  const auto digest = crypto::sha256(core::as_bytes(external_id));
  created.name = "jwt-" + core::hex_encode(core::ByteView(digest.data(), 8));
  created.role = store::Role::user;
  created.external_id = external_id;
  auto salt = crypto::random_bytes(16);
  if (!salt) return salt.error();
  created.salt = std::move(*salt);
  created.created_at = clock_.now();
  // The new user created itself by presenting its JWT.
  audit::Actor self;
  self.user_id = self.actor_user_id = created.id;
  self.kind = store::ActorKind::jwt;
  self.ip = facts.ip;
  self.user_agent = facts.user_agent;
  self.request_id = facts.request_id;
  store::AuditEvent e = audit::new_event(clock_, options_.audit_chain, "user.created", store::Outcome::success, self);
  e.details_json = boost::json::serialize(boost::json::object{{"user_id", created.id}, {"source", "jwt"}});
  auto r = users_.create_user(created, std::move(e));
  if (r) return created;
  if (r.error().code == core::Errc::conflict) return users_.find_user_by_external_id(external_id);
  return r.error();
}

Result<Principal> Authenticator::act_for(Principal actor, std::string_view target_user_id) {
  if (!actor.has(Scope::act_as)) return Error::forbidden("this credential may not act on behalf of users");
  auto target = users_.find_user(target_user_id);
  if (!target || target->role != store::Role::user)
    return Error::forbidden("cannot act on behalf of that user");
  Principal p = std::move(actor);
  p.user_id = target->id;
  p.user_name = target->name;
  p.role = target->role;
  // A service acting for a user gets at most what that user could do, and never manages users.
  ScopeSet allowed = default_user_scopes();
  p.scopes = p.scopes.intersection(allowed);
  p.reveal_providers.clear();  // keys:reveal is the token's own, never a user's it acts for
  return p;
}

void Authenticator::audit_failure(std::string_view reason, const RequestFacts& facts) {
  auto events = failures_.record(FailedAttempt{std::string(reason), facts.ip, facts.user_agent, facts.request_id});
  if (events.empty()) return;
  (void)audit_.append_audit(std::move(events));  // best effort: refusing stays refused either way
}

core::Result<void> Authenticator::flush_failures(bool everything) {
  auto events = failures_.take_summaries(everything);
  if (events.empty()) return core::ok();
  return audit_.append_audit(std::move(events));
}

void Authenticator::forget_token(std::string_view token_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& kv) { return kv.second->token.id == token_id; });
}

void Authenticator::clear_cache() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

std::vector<std::pair<std::string, store::TimePoint>> Authenticator::take_token_uses() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, store::TimePoint>> out(uses_.begin(), uses_.end());
  uses_.clear();
  return out;
}

}  // namespace keyrelay::auth
