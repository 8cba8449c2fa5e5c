// The official `openai` npm SDK against keyrelay's POST /v1/chat/completions, with keyrelay routing
// each model to the mock provider (tests/mock_provider). For every model: one plain completion and
// one stream with include_usage, each checked against the mock's deterministic answer and its
// word-count usage (tests/mock_provider/providers.h). Prints one line per check ("ok …", or "FAIL …"
// with what was expected and what came, or the HTTP error); exits 1 when any check failed, 2 when
// the environment is incomplete.
//
//   KEYRELAY_URL         e.g. http://127.0.0.1:8080 (required)
//   KEYRELAY_TOKEN       a keyrelay access token with the gateway scope (required)
//   KEYRELAY_SDK_MODELS  comma-separated models (default
//                        "anthropic/claude-3-5-haiku-latest,gemini/gemini-2.0-flash")

import OpenAI from 'openai';

const SYSTEM = 'You are a terse assistant.';
const USER = 'Say hello to the SDK check';

class Mismatch extends Error {}

function fail(message) {
  throw new Mismatch(message);
}

function expectEqual(what, actual, expected) {
  if (actual !== expected) {
    fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// The mock's count: whitespace-separated words.
function words(text) {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

// "anthropic/claude-x" → provider "anthropic", model "claude-x"; bare "claude-…" / "gemini-…" are
// routed by prefix.
function providerAndModel(name) {
  const slash = name.indexOf('/');
  if (slash > 0) return { provider: name.slice(0, slash), model: name.slice(slash + 1) };
  if (name.startsWith('claude-')) return { provider: 'anthropic', model: name };
  if (name.startsWith('gemini-')) return { provider: 'gemini', model: name };
  return { provider: 'openai', model: name };
}

function expectedAnswer(name) {
  const { provider, model } = providerAndModel(name);
  const text = `Hello from ${provider} (${model}): ${USER}`;
  return { text, promptTokens: words(SYSTEM) + words(USER), completionTokens: words(text) };
}

function expectUsage(what, usage, expected) {
  if (usage == null) fail(`${what}: no usage`);
  expectEqual(`${what} prompt_tokens`, usage.prompt_tokens, expected.promptTokens);
  expectEqual(`${what} completion_tokens`, usage.completion_tokens, expected.completionTokens);
  expectEqual(`${what} total_tokens`, usage.total_tokens, expected.promptTokens + expected.completionTokens);
}

const messages = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: USER },
];

async function checkPlain(client, model) {
  const expected = expectedAnswer(model);
  const completion = await client.chat.completions.create({ model, messages });
  expectEqual('object', completion.object, 'chat.completion');
  if (!Array.isArray(completion.choices) || completion.choices.length !== 1) {
    fail(`choices: expected one choice, got ${JSON.stringify(completion.choices)}`);
  }
  const choice = completion.choices[0];
  expectEqual('message.role', choice.message.role, 'assistant');
  expectEqual('message.content', choice.message.content, expected.text);
  expectEqual('finish_reason', choice.finish_reason, 'stop');
  expectUsage('usage', completion.usage, expected);
}

async function checkStream(client, model) {
  const expected = expectedAnswer(model);
  const stream = await client.chat.completions.create({
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  const finishReasons = [];
  const usageChunks = [];
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    expectEqual(`chunk ${chunks} object`, chunk.object, 'chat.completion.chunk');
    if (chunk.usage != null) usageChunks.push(chunk);
    for (const choice of chunk.choices ?? []) {
      if (typeof choice.delta?.content === 'string') text += choice.delta.content;
      if (choice.finish_reason != null) finishReasons.push(choice.finish_reason);
    }
  }
  expectEqual('concatenated delta.content', text, expected.text);
  if (finishReasons.length !== 1 || finishReasons[0] !== 'stop') {
    fail(`finish_reason: expected exactly one "stop", got ${JSON.stringify(finishReasons)}`);
  }
  if (usageChunks.length !== 1) fail(`usage chunk: expected exactly one, got ${usageChunks.length}`);
  expectEqual('usage chunk choices', JSON.stringify(usageChunks[0].choices), '[]');
  expectUsage('stream usage', usageChunks[0].usage, expected);
}

function describeError(error) {
  if (error instanceof Mismatch) return error.message;
  if (error instanceof OpenAI.APIError) {
    const body = error.error === undefined ? '' : ` ${JSON.stringify(error.error)}`;
    const cause = error.cause ? ` (${error.cause.message ?? error.cause})` : '';
    return `HTTP ${error.status ?? '(no status)'}: ${error.message}${cause}${body}`;
  }
  return error?.stack ?? String(error);
}

async function main() {
  const url = process.env.KEYRELAY_URL;
  const token = process.env.KEYRELAY_TOKEN;
  if (!url || !token) {
    console.error('openai_sdk_check: set KEYRELAY_URL and KEYRELAY_TOKEN');
    return 2;
  }
  const models = (process.env.KEYRELAY_SDK_MODELS ?? 'anthropic/claude-3-5-haiku-latest,gemini/gemini-2.0-flash')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
  // No retries: a failure must show as itself, at once.
  const client = new OpenAI({ baseURL: url.replace(/\/+$/, '') + '/v1', apiKey: token, maxRetries: 0, timeout: 30000 });

  let failures = 0;
  for (const model of models) {
    for (const [kind, check] of [['plain', checkPlain], ['stream', checkStream]]) {
      try {
        await check(client, model);
        console.log(`ok   ${model} ${kind}`);
      } catch (error) {
        failures += 1;
        console.log(`FAIL ${model} ${kind}: ${describeError(error)}`);
      }
    }
  }
  console.log(failures === 0 ? 'openai_sdk_check: all checks passed' : `openai_sdk_check: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
