// The settings page inside a host app, in Debian's Chromium (headless): this script plays the host —
// its backend (a small HTTP server on http://localhost:HOST_PORT, another origin than keyrelay's
// http://127.0.0.1:…) mints session tokens with an act_as token through POST /api/v1/sessions, and
// its page frames keyrelay's page and hands the token over by postMessage. Started by
// tests/integration/embed_page_browser_test.cpp, which passes:
//   KEYRELAY_URL, KEYRELAY_ADMIN_TOKEN, HOST_PORT, HOST_SERVICE_TOKEN (act_as), ALICE_ID, BOB_ID,
//   SCREENSHOT_DIR. Alice has an OpenAI key named "alice-main", Bob one named "bob-private".
// Checks: the page shows alice's keys once the host hands over her token; a token posted by a frame
// of an origin not allowed is ignored; a 401 and an expiry each make the page ask the host for a
// new token, and it goes on working; no token ever appears in a URL; the Access tokens tab creates
// a token, shows it once, and revokes it. Exits non-zero on the first failure, naming the step.

import assert from 'node:assert/strict';
import http from 'node:http';
import { env, log, progress, accessibility, shoot as shootIn, openTab, launch } from './page_support.mjs';

const BASE = env('KEYRELAY_URL');
const ADMIN = env('KEYRELAY_ADMIN_TOKEN');
const HOST_PORT = Number(env('HOST_PORT'));
const SERVICE = env('HOST_SERVICE_TOKEN');
const ALICE = env('ALICE_ID');
const BOB = env('BOB_ID');
const SHOTS = env('SCREENSHOT_DIR');
const shoot = (page, name) => shootIn(page, SHOTS, name);
const HOST = `http://localhost:${HOST_PORT}`;
const STRANGER = `http://127.0.0.1:${HOST_PORT}`;  // same server, another origin: not allowed to frame
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the host's backend ----------------------------------------------------------------------
const minted = [];  // {id, token, at, ttl, user}
let ttl = 900;

async function mintSession(user) {
  const r = await fetch(`${BASE}/api/v1/sessions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SERVICE}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: user, ttl }),
  });
  const body = await r.json();
  assert.equal(r.status, 201, `minting a session: ${JSON.stringify(body)}`);
  minted.push({ id: body.id, token: body.token, at: Date.now(), ttl, user });
  return body;
}

const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app</title></head><body>
<main><h1>Host app</h1>
<iframe id="keyrelay" title="Your API keys" src="${BASE}/" style="width:100%;height:720px;border:0"></iframe>
<iframe id="stranger" title="Another site" src="${STRANGER}/stranger" width="40" height="40"></iframe></main>
<script>
  const KEYRELAY = ${JSON.stringify(new URL(BASE).origin)};
  let answering = false, pending = false;
  window.tokenRequests = 0;
  async function hand() {
    const s = await (await fetch('/session', { method: 'POST' })).json();
    document.getElementById('keyrelay').contentWindow.postMessage(
      { type: 'keyrelay:token', token: s.token, expires_at: s.expires_at }, KEYRELAY);
  }
  window.addEventListener('message', (e) => {
    if (e.origin !== KEYRELAY || !e.data || e.data.type !== 'keyrelay:token-request') return;
    window.tokenRequests++;
    if (answering) hand(); else pending = true;
  });
  window.startAnswering = () => { answering = true; if (pending) hand(); };
</script></body></html>`;

// A frame of an origin not allowed, holding a valid token of bob's and posting it to keyrelay's frame.
const STRANGER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>stranger</title></head><body><script>
  (async () => {
    const s = await (await fetch('/bob-session', { method: 'POST' })).json();
    for (let i = 0; i < 10; i++) {
      window.parent.frames[0].postMessage({ type: 'keyrelay:token', token: s.token, expires_at: s.expires_at }, '*');
      await new Promise((r) => setTimeout(r, 100));
    }
    document.title = 'sent';
  })();
</script></body></html>`;

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/host') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(HOST_PAGE);
    if (req.method === 'GET' && req.url === '/stranger') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(STRANGER_PAGE);
    if (req.method === 'POST' && (req.url === '/session' || req.url === '/bob-session')) {
      const s = await mintSession(req.url === '/session' ? ALICE : BOB);
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(s));
    }
    res.writeHead(404).end();
  } catch (error) {
    console.error(`host backend: ${error.message}`);
    res.writeHead(500).end();
  }
});
await new Promise((resolve) => server.listen(HOST_PORT, '127.0.0.1', resolve));

// ---- the checks ------------------------------------------------------------------------------
const { browser, page, problems } = await launch();
const urls = [];
page.context().on('request', (r) => urls.push(r.url()));
const consoleLines = [];  // printed on failure
page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
const frame = page.frameLocator('#keyrelay');
const aliceTokens = () => minted.filter((m) => m.user === ALICE);
async function tabLoadedWithoutError() {
  await frame.locator('[role="tabpanel"]:not([hidden]) .loading').waitFor({ state: 'detached' });
  assert.equal(await frame.locator('[role="tabpanel"]:not([hidden]) .notice.bad').count(), 0, 'the tab shows an error');
}

try {
  log('the host page frames keyrelay, which waits for the host');
  await page.goto(`${HOST}/host`);
  await frame.getByText('Waiting for the app to sign you in').waitFor();
  await page.waitForFunction(() => window.tokenRequests > 0);

  log('a token posted by a frame of an origin not allowed is ignored');
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].length === 2);
  const stranger = page.frames().find((f) => f.url() === `${STRANGER}/stranger`);
  assert.ok(stranger, 'the stranger frame loaded');
  await stranger.waitForFunction(() => document.title === 'sent', null, { polling: 100, timeout: 10000 });
  await sleep(300);
  await frame.getByText('Waiting for the app to sign you in').waitFor();
  assert.equal(await frame.getByText('bob-private').count(), 0, "bob's token was taken");

  log('the host hands over alice\'s token and the page shows her keys');
  await page.evaluate(() => window.startAnswering());
  await frame.getByRole('heading', { name: 'API keys' }).waitFor();
  await frame.getByText('OpenAI · alice-main').waitFor();
  assert.equal(await frame.getByText('bob-private').count(), 0);
  assert.equal(await frame.getByRole('button', { name: 'Sign out' }).isVisible(), false, 'the host signs its users out');
  const kr = page.frames().find((f) => f.url().startsWith(`${BASE}/`));
  assert.equal(kr.url(), `${BASE}/`, 'the frame URL is the bare page');
  await accessibility(kr, 'the framed page');
  await shoot(page, '7-embedded');

  log('a 401 makes the page ask the host for a new token, and the request goes through');
  const before = aliceTokens().length;
  const revoked = await fetch(`${BASE}/api/v1/tokens/${aliceTokens().at(-1).id}`, {
    method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN}` } });
  assert.equal(revoked.status, 204);
  await openTab(frame, 'Usage');
  await tabLoadedWithoutError();
  assert.equal(aliceTokens().length, before + 1, 'no new token was asked for');
  assert.equal(await frame.locator('#framed-wait').isVisible(), false, 'the page went back to waiting');

  log('before its token expires, the page asks the host for the next one');
  ttl = 6;
  await fetch(`${BASE}/api/v1/tokens/${aliceTokens().at(-1).id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN}` } });
  await openTab(frame, 'Audit');  // the 401 renews: now a 6 s token
  await tabLoadedWithoutError();
  const short = aliceTokens().at(-1);
  assert.equal(short.ttl, 6);
  ttl = 900;
  await page.waitForFunction((n) => window.tokenRequests >= n, aliceTokens().length + 1, { timeout: 8000 });
  await sleep(200);
  const next = aliceTokens().at(-1);
  assert.notEqual(next.id, short.id, 'no renewal');
  assert.ok(next.at < short.at + 6000, `renewed ${next.at - short.at} ms after issue, not before the 6 s expiry`);
  await sleep(Math.max(0, short.at + 6500 - Date.now()));
  const renewalsBefore = aliceTokens().length;
  await frame.getByRole('tab', { name: 'API keys' }).click();
  await frame.getByText('OpenAI · alice-main').waitFor();
  assert.equal(aliceTokens().length, renewalsBefore, 'the renewed token was not used (a 401 asked again)');

  log('Access tokens: create one, see it once, revoke it');
  await openTab(frame, 'Access tokens');
  await frame.locator('#tokens-table').waitFor();
  await frame.getByRole('button', { name: 'Create a token' }).click();
  await frame.getByLabel('Token name').fill('ci-runner');
  await frame.getByLabel('Read your audit trail').check();
  await frame.locator('#token-expiry').selectOption('90');
  await accessibility(kr, 'the create-token dialog');
  await frame.getByRole('button', { name: 'Create', exact: true }).click();
  await frame.getByText('Created the token “ci-runner”').waitFor();
  const shown = await frame.locator('#new-token').inputValue();
  assert.match(shown, /^kr_[A-Za-z0-9_-]{43}$/);
  const row = frame.locator('[data-token-id]').filter({ hasText: 'ci-runner' });
  await row.getByText('AI calls').waitFor();
  await row.getByText('audit').waitFor();
  await shoot(page, '8-embedded-token-created');
  const works = await fetch(`${BASE}/api/v1/audit?limit=1`, { headers: { Authorization: `Bearer ${shown}` } });
  assert.equal(works.status, 200, 'the new token works');
  await frame.getByRole('button', { name: 'Done' }).click();
  assert.equal(await frame.locator('#new-token').inputValue(), '', 'the token stays in the page');
  assert.equal(await frame.locator('#token-shown').isVisible(), false);
  assert.equal(await frame.getByText(shown).count(), 0);
  await frame.getByText(/short-lived session/).waitFor();
  await row.getByRole('button', { name: /^Revoke/ }).click();
  await frame.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await frame.getByText('Revoked the token “ci-runner”').waitFor();
  await row.waitFor({ state: 'detached' });
  const gone = await fetch(`${BASE}/api/v1/audit?limit=1`, { headers: { Authorization: `Bearer ${shown}` } });
  assert.equal(gone.status, 401, 'the revoked token still works');

  log('no token was ever in a URL');
  for (const url of urls) assert.ok(!url.includes('kr_'), `a token in ${url}`);
  for (const f of page.frames()) assert.ok(!f.url().includes('kr_') && !f.url().includes('#'), `frame at ${f.url()}`);

  log('no Content Security Policy violation and no script error');
  assert.deepEqual(problems, []);
  console.log('embedded settings page: all steps passed');
} catch (error) {
  console.error(`FAILED at "${progress.step}": ${error.message}`);
  console.error(`browser console:\n${consoleLines.join('\n')}\nproblems: ${problems.join('\n')}`);
  console.error(`sessions minted: ${minted.map((m) => `${m.user === ALICE ? 'alice' : 'bob'} ttl ${m.ttl}`).join(', ')}`);
  for (const f of page.frames()) console.error(`frame ${f.url()}: ${await f.title().catch((e) => e.message)}`);
  await page.screenshot({ path: `${SHOTS}/embed-failure.png`, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
