// The official `@google/genai` SDK against keyrelay's pass-through /proxy/gemini (keyrelay's token
// in x-goog-api-key, where the SDK puts its key): generateContent, generateContentStream and a
// function-calling round trip, each checked against the mock provider's deterministic answers and
// word-count usage (tests/mock_provider/providers.h). Prints one line per check ("ok …" or
// "FAIL …"); exits 1 when any check failed, 2 when the environment is incomplete.
//
//   KEYRELAY_URL     e.g. http://127.0.0.1:8080 (required)
//   KEYRELAY_TOKEN   a keyrelay access token with the gateway scope (required)
//   KEYRELAY_MODEL   the Gemini model (default "gemini-2.0-flash")

import { GoogleGenAI } from '@google/genai';

const SYSTEM = 'You are a terse assistant.';
const USER = 'What is the weather in Paris';
const TOOL_RESULT = 'Sunny and 21 degrees';
const TOOL = {
  name: 'lookup_weather',
  description: 'Looks up the weather of a city',
  parameters: { type: 'OBJECT', properties: { query: { type: 'STRING' } }, required: ['query'] },
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

function expectUsage(what, usage, prompt, candidates) {
  if (usage == null) fail(`${what}: no usageMetadata`);
  expectEqual(`${what} promptTokenCount`, usage.promptTokenCount, prompt);
  expectEqual(`${what} candidatesTokenCount`, usage.candidatesTokenCount, candidates);
}

async function plain(ai, model) {
  const text = `Hello from gemini (${model}): ${USER}`;
  const response = await ai.models.generateContent({ model, contents: USER, config: { systemInstruction: SYSTEM } });
  expectEqual('text', response.text, text);
  expectEqual('finishReason', response.candidates?.[0]?.finishReason, 'STOP');
  expectUsage('usageMetadata', response.usageMetadata, words(SYSTEM) + words(USER), words(text));
}

async function stream(ai, model) {
  const text = `Hello from gemini (${model}): ${USER}`;
  const chunks = await ai.models.generateContentStream({ model, contents: USER, config: { systemInstruction: SYSTEM } });
  let streamed = '';
  let count = 0;
  let last;
  for await (const chunk of chunks) {
    count += 1;
    streamed += chunk.text ?? '';
    last = chunk;
  }
  if (count < 2) fail(`chunks: expected several, got ${count}`);
  expectEqual('streamed text', streamed, text);
  expectEqual('last finishReason', last.candidates?.[0]?.finishReason, 'STOP');
  expectUsage('last usageMetadata', last.usageMetadata, words(SYSTEM) + words(USER), words(text));
}

async function tools(ai, model) {
  const config = { systemInstruction: SYSTEM, tools: [{ functionDeclarations: [TOOL] }] };
  const first = await ai.models.generateContent({ model, contents: USER, config });
  const calls = first.functionCalls ?? [];
  if (calls.length !== 1) fail(`functionCalls: expected one, got ${JSON.stringify(calls)}`);
  expectEqual('functionCall name', calls[0].name, TOOL.name);
  expectEqual('functionCall args', calls[0].args, { query: USER });

  const contents = [
    { role: 'user', parts: [{ text: USER }] },
    { role: 'model', parts: [{ functionCall: calls[0] }] },
    { role: 'user', parts: [{ functionResponse: { name: TOOL.name, response: { content: TOOL_RESULT } } }] },
  ];
  const second = await ai.models.generateContent({ model, contents, config });
  expectEqual('answer after the function response', second.text, `Tool said: ${TOOL_RESULT}`);
}

function describeError(error) {
  if (error instanceof Mismatch) return error.message;
  return error?.stack ?? String(error);
}

async function main() {
  const url = process.env.KEYRELAY_URL?.replace(/\/+$/, '');
  const token = process.env.KEYRELAY_TOKEN;
  if (!url || !token) {
    console.error('genai_sdk_check: set KEYRELAY_URL and KEYRELAY_TOKEN');
    return 2;
  }
  const model = process.env.KEYRELAY_MODEL ?? 'gemini-2.0-flash';
  // The two lines that point the SDK at keyrelay (README): keyrelay's token as the key, the base URL.
  const ai = new GoogleGenAI({ apiKey: token, httpOptions: { baseUrl: `${url}/proxy/gemini` } });

  let failures = 0;
  for (const [name, check] of [['generateContent', plain], ['generateContentStream', stream], ['function calling', tools]]) {
    try {
      await check(ai, model);
      console.log(`ok   /proxy/gemini ${model} ${name}`);
    } catch (error) {
      failures += 1;
      console.log(`FAIL /proxy/gemini ${model} ${name}: ${describeError(error)}`);
    }
  }
  console.log(failures === 0 ? 'genai_sdk_check: all checks passed' : `genai_sdk_check: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
