// An MCP server built with the official SDK's streamable HTTP transport, started by keyrelay's /mcp
// tests (tests/integration/mcp_gateway_test.cpp) as the operator's MCP server. Two endpoints on one
// port, both stateful (Mcp-Session-Id) with GET (the server's event stream) and DELETE:
//   /json  answers POSTs with JSON, and takes its key in the X-Api-Key header;
//   /sse   answers POSTs with event streams, and takes its key as the ?token= query parameter.
// A request whose key is not one of MCP_KEYS (comma list) is refused with 401, one that carries a
// keyrelay token anywhere with 400: the server checks what keyrelay forwarded. Every request is
// logged on stdout as one JSON line {method, path, session, protocol_version, key, status,
// content_type}, key being the last 8 characters of the key received. The tool "whoami" answers with that too.
// The port is written to MCP_PORT_FILE once listening.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const keys = new Set((process.env.MCP_KEYS ?? '').split(',').filter(Boolean));
const endpoints = {
  '/json': { json: true, keyOf: (req, url) => req.headers['x-api-key'] },
  '/sse': { json: false, keyOf: (req, url) => url.searchParams.get('token') },
};
const sessions = new Map();  // session id -> transport

function log(entry) {
  process.stdout.write(JSON.stringify(entry) + '\n');
}

function carriesKeyrelayToken(req, url, body) {
  const seen = JSON.stringify([req.headers, url.search, body ?? '']);
  return seen.includes('kr_');
}

function newServer(key) {
  const server = new McpServer({ name: 'keyrelay-test-mcp', version: '1.0.0' });
  server.registerTool('whoami', { description: 'The key this server was called with (its end)' }, async () => ({
    content: [{ type: 'text', text: `key:${key.slice(-8)}` }],
  }));
  return server;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function refuse(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const endpoint = endpoints[url.pathname];
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  const key = endpoint ? String(endpoint.keyOf(req, url) ?? '') : '';
  const session = req.headers['mcp-session-id'];
  const entry = { method: req.method, path: url.pathname, session: session ?? null,
                  protocol_version: req.headers['mcp-protocol-version'] ?? null, key: key.slice(-8) };
  // The transport writes its headers through writeHead: note the Content-Type it sets there.
  let contentType = null;
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, ...rest) => {
    for (const headers of rest)
      if (headers && typeof headers === 'object')
        for (const [name, value] of Object.entries(headers))
          if (name.toLowerCase() === 'content-type') contentType = String(value);
    return writeHead(status, ...rest);
  };
  res.on('finish', () => log({ ...entry, status: res.statusCode, content_type: contentType ?? res.getHeader('content-type') ?? null }));
  if (!endpoint) return refuse(res, 404, 'no such endpoint');
  if (carriesKeyrelayToken(req, url, body)) return refuse(res, 400, 'a keyrelay token was forwarded');
  if (!keys.has(key)) return refuse(res, 401, 'unknown key');

  let transport = session ? sessions.get(session) : undefined;
  if (!transport) {
    if (session) return refuse(res, 404, 'unknown session');
    if (req.method !== 'POST' || !isInitializeRequest(body)) return refuse(res, 400, 'no session');
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: endpoint.json,
      onsessioninitialized: (id) => sessions.set(id, transport),
    });
    transport.onclose = () => { if (transport.sessionId) sessions.delete(transport.sessionId); };
    await newServer(key).connect(transport);
  }
  await transport.handleRequest(req, res, body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    log({ error: String(error) });
    if (!res.headersSent) refuse(res, 500, String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  const file = process.env.MCP_PORT_FILE;
  writeFileSync(file + '.tmp', `${server.address().port}\n`);
  renameSync(file + '.tmp', file);
});
