// The official MCP SDK's client through keyrelay's /mcp/{server}, run by
// tests/integration/mcp_gateway_test.cpp: for each server in KEYRELAY_MCP_SERVERS (comma list) it
// connects with KEYRELAY_TOKEN as the bearer, lists the tools, calls "whoami" and expects the
// answer to name the key ending in KEYRELAY_MCP_EXPECT_<SERVER> (upper case, '-' as '_'), waits
// until the server's event stream (GET) is open, then ends the session (DELETE). Exit 0 when all
// of it held; the reason on stderr otherwise.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const base = process.env.KEYRELAY_URL;
const token = process.env.KEYRELAY_TOKEN;
const servers = (process.env.KEYRELAY_MCP_SERVERS ?? '').split(',').filter(Boolean);

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(server) {
  const expected = process.env[`KEYRELAY_MCP_EXPECT_${server.toUpperCase().replaceAll('-', '_')}`];
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp/${server}`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'keyrelay-mcp-check', version: '1.0.0' });
  await client.connect(transport);
  expect(transport.sessionId, `${server}: no Mcp-Session-Id came back`);

  const { tools } = await client.listTools();
  expect(tools.some((t) => t.name === 'whoami'), `${server}: tools ${JSON.stringify(tools)} lack whoami`);
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  const text = result.content?.[0]?.text;
  expect(text === `key:${expected}`, `${server}: whoami answered ${JSON.stringify(result)}, expected key:${expected}`);

  // The client opens the server's event stream (GET) after initializing; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await transport.terminateSession();
  expect(transport.sessionId === undefined, `${server}: the session was not ended`);
  await client.close();
  console.log(`${server}: ok (${text})`);
}

try {
  expect(servers.length > 0, 'KEYRELAY_MCP_SERVERS is empty');
  for (const server of servers) await check(server);
} catch (error) {
  console.error(String(error?.stack ?? error));
  process.exit(1);
}
