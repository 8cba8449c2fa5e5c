// The official `openai` SDK's embeddings against keyrelay's POST /v1/embeddings, for an
// OpenAI-wire model (forwarded) and a Gemini model (translated to :batchEmbedContents): the SDK's
// default (it asks for base64 and decodes it), encoding_format "float", and dimensions, each
// checked against the mock provider's deterministic vectors (tests/mock_provider/embeddings.h:
// value k of an input = (10 × its words + k) / 64, 8 values unless dimensions says otherwise)
// and its word-count usage (OpenAI wire; Gemini reports none). Prints one line per check;
// exits 1 when any check failed, 2 when the environment is incomplete.
//
//   KEYRELAY_URL               e.g. http://127.0.0.1:8080 (required)
//   KEYRELAY_TOKEN             a keyrelay access token with the gateway scope (required)
//   KEYRELAY_EMBEDDING_MODELS  comma-separated (default "text-embedding-3-small,gemini-embedding-001")

import OpenAI from 'openai';

const INPUTS = ['one two', 'three four five'];

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

function vectorOf(text, dimensions) {
  return Array.from({ length: dimensions }, (_, k) => (10 * words(text) + k) / 64);
}

// The mock's OpenAI wire counts words; Gemini's answer has no usage, so keyrelay reports 0.
function expectedTokens(model) {
  return model.startsWith('gemini') ? 0 : INPUTS.reduce((n, text) => n + words(text), 0);
}

async function check(client, model, options, dimensions) {
  const response = await client.embeddings.create({ model, input: INPUTS, ...options });
  expectEqual('object', response.object, 'list');
  expectEqual('data length', response.data.length, INPUTS.length);
  INPUTS.forEach((text, i) => {
    expectEqual(`data[${i}].index`, response.data[i].index, i);
    expectEqual(`data[${i}].object`, response.data[i].object, 'embedding');
    expectEqual(`data[${i}].embedding`, Array.from(response.data[i].embedding), vectorOf(text, dimensions));
  });
  expectEqual('usage.prompt_tokens', response.usage?.prompt_tokens, expectedTokens(model));
  expectEqual('usage.total_tokens', response.usage?.total_tokens, expectedTokens(model));
}

function describeError(error) {
  if (error instanceof Mismatch) return error.message;
  if (error instanceof OpenAI.APIError) return `HTTP ${error.status ?? '(no status)'}: ${error.message}`;
  return error?.stack ?? String(error);
}

async function main() {
  const url = process.env.KEYRELAY_URL?.replace(/\/+$/, '');
  const token = process.env.KEYRELAY_TOKEN;
  if (!url || !token) {
    console.error('embeddings_sdk_check: set KEYRELAY_URL and KEYRELAY_TOKEN');
    return 2;
  }
  const models = (process.env.KEYRELAY_EMBEDDING_MODELS ?? 'text-embedding-3-small,gemini-embedding-001')
    .split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0, timeout: 30000 });

  let failures = 0;
  for (const model of models) {
    for (const [name, options, dimensions] of [
      ['default (base64 on the wire)', {}, 8],
      ['encoding_format float', { encoding_format: 'float' }, 8],
      ['dimensions 4', { encoding_format: 'float', dimensions: 4 }, 4],
      ['base64 with dimensions 3', { dimensions: 3 }, 3],
    ]) {
      try {
        await check(client, model, options, dimensions);
        console.log(`ok   ${model} ${name}`);
      } catch (error) {
        failures += 1;
        console.log(`FAIL ${model} ${name}: ${describeError(error)}`);
      }
    }
  }
  console.log(failures === 0 ? 'embeddings_sdk_check: all checks passed' : `embeddings_sdk_check: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
