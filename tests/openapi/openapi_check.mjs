// Validates keyrelay's OpenAPI document strictly as OpenAPI 3.1 (@seriousme/openapi-schema-validator),
// then asks a running keyrelay for real answers and validates each against the response schema the
// document gives for that operation and status (Ajv, JSON Schema 2020-12, as OpenAPI 3.1 uses).
// A wrong document fails here even when it is a valid document. Exit 0 when everything holds.
//
// Environment: KEYRELAY_URL, KEYRELAY_ADMIN_TOKEN, KEYRELAY_USER_TOKEN (a user with a key and some
// usage), KEYRELAY_KEY_ID (that key), KEYRELAY_USER_ID, KEYRELAY_OPENAPI_FILE (src/api/openapi.json).

import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env("KEYRELAY_URL");
const admin = env("KEYRELAY_ADMIN_TOKEN");
const user = env("KEYRELAY_USER_TOKEN");
const keyId = env("KEYRELAY_KEY_ID");
const userId = env("KEYRELAY_USER_ID");

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error("FAIL " + message);
};

// 1. The document itself, as the server serves it and as the repository holds it.
const served = await (await fetch(`${base}/api/v1/openapi.json`)).json();
const source = JSON.parse(await readFile(env("KEYRELAY_OPENAPI_FILE"), "utf8"));
if (JSON.stringify(served) !== JSON.stringify(source)) fail("the served document differs from src/api/openapi.json");
const validator = new Validator();
const verdict = await validator.validate(served);
if (!verdict.valid) fail("not a valid OpenAPI document: " + JSON.stringify(verdict.errors, null, 1));
else if (validator.version !== "3.1") fail(`expected OpenAPI 3.1, validated as ${validator.version}`);
else console.log("the document is valid OpenAPI", validator.version);

// 2. Real answers against the document's schemas.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(served, "openapi.json");

const pointer = (...parts) => "#/" + parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

// The JSON schema of (path template, method, status): through a $ref'd response when there is one.
function schemaRef(template, method, status) {
  const operation = served.paths?.[template]?.[method];
  if (!operation) return null;
  const response = operation.responses?.[String(status)] ?? operation.responses?.default;
  if (!response) return null;
  if (response.$ref) return response.$ref + "/content/application~1json/schema";
  if (!response.content?.["application/json"]) return null;
  return pointer("paths", template, method, "responses", String(status) in operation.responses ? String(status) : "default",
                 "content", "application/json", "schema");
}

async function check(method, template, path, token, { body, status = 200 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const what = `${method} ${path} → ${res.status}`;
  if (res.status !== status) return fail(`${what}, expected ${status}: ${await res.text()}`);
  if (res.status === 204) return console.log("ok", what);
  const ref = schemaRef(template, method.toLowerCase(), res.status);
  if (!ref) return fail(`${what}: the document has no JSON response schema for ${method} ${template} ${res.status}`);
  const validate = ajv.compile({ $ref: "openapi.json" + ref });
  const answer = await res.json();
  if (!validate(answer)) return fail(`${what} does not match ${ref}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(answer).slice(0, 2000)}`);
  console.log("ok", what);
}

await check("GET", "/healthz", "/healthz", null);
await check("GET", "/readyz", "/readyz", null);
await check("GET", "/api/v1/providers", "/api/v1/providers", user);
await check("GET", "/api/v1/keys", "/api/v1/keys", user);
await check("GET", "/api/v1/keys/{id}", `/api/v1/keys/${keyId}`, user);
await check("PATCH", "/api/v1/keys/{id}", `/api/v1/keys/${keyId}`, user, { body: { priority: 3 } });
await check("GET", "/api/v1/keys/expiring", "/api/v1/keys/expiring?within_days=30", user);
await check("GET", "/api/v1/keys/{id}/caps", `/api/v1/keys/${keyId}/caps`, user);
await check("GET", "/api/v1/caps", "/api/v1/caps", user);
await check("GET", "/api/v1/usage", "/api/v1/usage?group_by=day,provider,key,model", user);
await check("GET", "/api/v1/metrics", "/api/v1/metrics", user);
await check("GET", "/api/v1/audit", "/api/v1/audit", user);
await check("GET", "/api/v1/alerts", "/api/v1/alerts", user);
await check("GET", "/api/v1/tokens", "/api/v1/tokens", user);
await check("GET", "/api/v1/me/export", "/api/v1/me/export", user);
await check("GET", "/api/v1/users", "/api/v1/users", admin);
await check("GET", "/api/v1/users/{id}/export", `/api/v1/users/${userId}/export`, admin);
await check("GET", "/api/v1/users/{id}/default-key-allowance", `/api/v1/users/${userId}/default-key-allowance`, admin);
await check("GET", "/api/v1/default-keys", "/api/v1/default-keys", admin);
await check("GET", "/api/v1/alerts/deliveries", "/api/v1/alerts/deliveries", admin);
await check("POST", "/api/v1/users", "/api/v1/users", admin, { body: { name: "openapi-check" }, status: 201 });
await check("POST", "/api/v1/tokens", "/api/v1/tokens", admin, { body: { user_id: userId, name: "openapi" }, status: 201 });
await check("POST", "/api/v1/keys", "/api/v1/keys", user,
            { body: { provider: "anthropic", name: "second", secret: "sk-ant-api03-openapi-check-secret-valid" }, status: 201 });
await check("GET", "/v1/models", "/v1/models", user);
await check("GET", "/api/api-keys", "/api/api-keys", user);
// Errors: the API shape on /api, OpenAI's on /v1.
await check("GET", "/api/v1/keys", "/api/v1/keys", null, { status: 401 });
await check("GET", "/api/v1/keys/{id}", "/api/v1/keys/no-such-key", user, { status: 404 });
await check("GET", "/api/v1/users", "/api/v1/users", user, { status: 403 });
await check("POST", "/api/v1/keys", "/api/v1/keys", user, { body: { provider: "nope", secret: "x" }, status: 400 });
await check("DELETE", "/api/v1/me", "/api/v1/me", admin, { status: 409 });
await check("GET", "/v1/models", "/v1/models", null, { status: 401 });
await check("POST", "/v1/chat/completions", "/v1/chat/completions", user, { body: { model: "openai/gpt-4o-mini" }, status: 400 });

if (failures.length > 0) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("every check passed");
