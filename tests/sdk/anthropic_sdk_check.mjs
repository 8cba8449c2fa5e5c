// The official `@anthropic-ai/sdk` against keyrelay: POST /v1/messages (to Anthropic natively and
// to OpenAI-wire and Gemini models translated) and /proxy/anthropic (the pass-through). For every
// target: a plain message, a stream, and a tool round trip (tool_use, then tool_result → the
// answer), plain and streamed, each checked against the mock provider's deterministic answers and
// word-count usage (tests/mock_provider/providers.h); then the Anthropic error shape of keyrelay's
// own refusals. Prints one line per check ("ok …" or "FAIL …"); exits 1 when any check failed, 2
// when the environment is incomplete.
//
//   KEYRELAY_URL              e.g. http://127.0.0.1:8080 (required)
//   KEYRELAY_TOKEN            a keyrelay access token with the gateway scope (required)
//   KEYRELAY_MESSAGES_MODELS  comma-separated models for /v1/messages (default
//                             "anthropic/claude-3-5-haiku-latest,openai/gpt-4o-mini,gemini/gemini-2.0-flash")
//   KEYRELAY_PROXY_MODEL      the Anthropic model asked through /proxy/anthropic
//                             (default "claude-3-5-haiku-latest"; empty: skip the proxy checks)

import Anthropic from '@anthropic-ai/sdk';

const SYSTEM = 'You are a terse assistant.';
const USER = 'What is the weather in Paris';
const TOOL = {
  name: 'lookup_weather',
  description: 'Looks up the weather of a city',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

class Mismatch extends Error {}

function fail(message) {
  throw new Mismatch(message);
}

function expectEqual(what, actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function words(text) {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

// "openai/gpt-4o-mini" → the mock's reply names provider "openai" and model "gpt-4o-mini".
function providerAndModel(name) {
  const slash = name.indexOf('/');
  if (slash > 0) return { provider: name.slice(0, slash), model: name.slice(slash + 1) };
  return { provider: 'anthropic', model: name };
}

// Every input token, however a wire splits them into plain, cache-written and cache-read ones.
function inputTokens(usage) {
  return usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

function expectUsage(what, usage, input, output) {
  if (usage == null) fail(`${what}: no usage`);
  expectEqual(`${what} input tokens (plain + cache)`, inputTokens(usage), input);
  expectEqual(`${what} output_tokens`, usage.output_tokens, output);
}

function expectText(what, message, text, input) {
  expectEqual(`${what} type`, message.type, 'message');
  expectEqual(`${what} role`, message.role, 'assistant');
  expectEqual(`${what} content`, message.content, [{ type: 'text', text }]);
  expectEqual(`${what} stop_reason`, message.stop_reason, 'end_turn');
  expectUsage(what, message.usage, input, words(text));
}

const base = { max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: USER }] };

async function plain(client, name, model) {
  const { provider } = providerAndModel(name);
  const message = await client.messages.create({ ...base, model: name });
  if (!message.id.startsWith('msg_')) fail(`id: expected msg_…, got ${message.id}`);
  expectText('message', message, `Hello from ${provider} (${model}): ${USER}`, words(SYSTEM) + words(USER));
}

async function stream(client, name, model) {
  const { provider } = providerAndModel(name);
  const events = [];
  const run = client.messages.stream({ ...base, model: name });
  let text = '';
  run.on('text', (delta) => {
    text += delta;
  });
  for await (const event of run) events.push(event.type === 'content_block_delta' ? `${event.type}:${event.delta.type}` : event.type);
  const final = await run.finalMessage();
  const expected = `Hello from ${provider} (${model}): ${USER}`;
  expectEqual('streamed text deltas', text, expected);
  expectText('final message', final, expected, words(SYSTEM) + words(USER));
  for (const type of ['message_start', 'content_block_start', 'content_block_delta:text_delta', 'content_block_stop',
    'message_delta', 'message_stop']) {
    if (!events.includes(type)) fail(`events: no ${type} in ${JSON.stringify(events)}`);
  }
  expectEqual('first event', events[0], 'message_start');
  expectEqual('last event', events[events.length - 1], 'message_stop');
}

// The model calls the tool (stop_reason tool_use, input {query}); its result goes back as a
// tool_result and the model answers "Tool said: …".
async function tools(client, name, streamed) {
  const request = { ...base, model: name, tools: [TOOL] };
  const first = streamed ? await client.messages.stream(request).finalMessage() : await client.messages.create(request);
  expectEqual('tool turn stop_reason', first.stop_reason, 'tool_use');
  const calls = first.content.filter((block) => block.type === 'tool_use');
  if (calls.length !== 1) fail(`tool_use blocks: expected one, got ${JSON.stringify(first.content)}`);
  expectEqual('tool_use name', calls[0].name, TOOL.name);
  expectEqual('tool_use input', calls[0].input, { query: USER });
  if (!calls[0].id) fail('tool_use id: missing');

  const followUp = {
    ...base,
    model: name,
    tools: [TOOL],
    messages: [
      { role: 'user', content: USER },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: calls[0].id, content: 'Sunny and 21 degrees' }] },
    ],
  };
  const second = streamed ? await client.messages.stream(followUp).finalMessage() : await client.messages.create(followUp);
  const text = 'Tool said: Sunny and 21 degrees';
  expectEqual('tool answer content', second.content, [{ type: 'text', text }]);
  expectEqual('tool answer stop_reason', second.stop_reason, 'end_turn');
  expectUsage('tool answer', second.usage, words(SYSTEM) + words(USER) + words('Sunny and 21 degrees'), words(text));
}

// keyrelay's own refusal in Anthropic's shape, which the SDK turns into its typed error.
async function refusal(client) {
  try {
    await client.messages.create({ ...base, model: 'nosuchprovider/some-model' });
  } catch (error) {
    if (!(error instanceof Anthropic.BadRequestError)) throw error;
    expectEqual('error body type', error.error?.type, 'error');
    expectEqual('error type', error.error?.error?.type, 'invalid_request_error');
    if (!String(error.error?.error?.message).includes('nosuchprovider')) fail(`error message: ${error.message}`);
    if (!error.error?.request_id) fail('error request_id: missing');
    return;
  }
  fail('an unknown model was served');
}

function describeError(error) {
  if (error instanceof Mismatch) return error.message;
  if (error instanceof Anthropic.APIError) {
    const body = error.error === undefined ? '' : ` ${JSON.stringify(error.error)}`;
    return `HTTP ${error.status ?? '(no status)'}: ${error.message}${body}`;
  }
  return error?.stack ?? String(error);
}

async function main() {
  const url = process.env.KEYRELAY_URL?.replace(/\/+$/, '');
  const token = process.env.KEYRELAY_TOKEN;
  if (!url || !token) {
    console.error('anthropic_sdk_check: set KEYRELAY_URL and KEYRELAY_TOKEN');
    return 2;
  }
  const models = (process.env.KEYRELAY_MESSAGES_MODELS ??
    'anthropic/claude-3-5-haiku-latest,openai/gpt-4o-mini,gemini/gemini-2.0-flash')
    .split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  const proxyModel = process.env.KEYRELAY_PROXY_MODEL ?? 'claude-3-5-haiku-latest';
  // The two lines that point the SDK at keyrelay (README): base URL and keyrelay's token as the key.
  const gateway = new Anthropic({ baseURL: url, apiKey: token, maxRetries: 0, timeout: 30000 });
  const proxy = new Anthropic({ baseURL: `${url}/proxy/anthropic`, apiKey: token, maxRetries: 0, timeout: 30000 });

  const checks = [];
  for (const name of models) {
    const { model } = providerAndModel(name);
    checks.push([`/v1/messages ${name} plain`, () => plain(gateway, name, model)]);
    checks.push([`/v1/messages ${name} stream`, () => stream(gateway, name, model)]);
    checks.push([`/v1/messages ${name} tools`, () => tools(gateway, name, false)]);
    checks.push([`/v1/messages ${name} tools streamed`, () => tools(gateway, name, true)]);
  }
  if (proxyModel) {
    checks.push([`/proxy/anthropic ${proxyModel} plain`, () => plain(proxy, proxyModel, proxyModel)]);
    checks.push([`/proxy/anthropic ${proxyModel} stream`, () => stream(proxy, proxyModel, proxyModel)]);
    checks.push([`/proxy/anthropic ${proxyModel} tools`, () => tools(proxy, proxyModel, false)]);
    checks.push([`/proxy/anthropic ${proxyModel} tools streamed`, () => tools(proxy, proxyModel, true)]);
  }
  checks.push(['/v1/messages refusal in Anthropic\'s error shape', () => refusal(gateway)]);

  let failures = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      console.log(`ok   ${name}`);
    } catch (error) {
      failures += 1;
      console.log(`FAIL ${name}: ${describeError(error)}`);
    }
  }
  console.log(failures === 0 ? 'anthropic_sdk_check: all checks passed' : `anthropic_sdk_check: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
