// The settings page's spend caps in Debian's Chromium (headless), against the real keyrelay and the
// mock provider started by tests/integration/settings_caps_browser_test.cpp, which passes:
//   KEYRELAY_URL, KEYRELAY_TOKEN (alice: keys, gateway, audit), ADMIN_TOKEN, BOB_TOKEN and
//   BOB_USER_ID (a user without keys of his own),
//   WORK_KEY_ID (alice's OpenAI key "work"), SPARE_KEY_ID (her Anthropic key "spare"),
//   SECRETS (both keys' secrets, space-separated), SCREENSHOT_DIR.
// Every value set through the page is read back through the API; every refused value is checked
// to have changed nothing. Exits non-zero on the first failure, naming the step.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { env, log, progress, accessibility, shoot, openTab, launch, signIn } from './page_support.mjs';

const BASE = env('KEYRELAY_URL');
const ALICE = env('KEYRELAY_TOKEN');
const ADMIN = env('ADMIN_TOKEN');
const BOB = env('BOB_TOKEN');
const BOB_ID = env('BOB_USER_ID');
const WORK = env('WORK_KEY_ID');
const SPARE = env('SPARE_KEY_ID');
const SHOTS = env('SCREENSHOT_DIR');
// The operator's default key the admin adds later (the mock answers a "-valid" key).
const DEFAULT_SECRET = `sk-proj-${randomBytes(18).toString('base64url')}-valid`;
const SECRETS = [...env('SECRETS').split(' '), DEFAULT_SECRET, ALICE, BOB, ADMIN];

async function call(token, method, path, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function capsOf(token, path) {
  const r = await call(token, 'GET', path);
  assert.equal(r.status, 200, `GET ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// The caps as set, without the spent figures.
const limits = (cap) => ({ daily_usd: cap.daily_usd, monthly_usd: cap.monthly_usd });
const micro = (usd) => Math.round(usd * 1e6);

async function noSecretInPage(page) {
  const html = await page.content();
  const values = await page.$$eval('input', (inputs) => inputs.map((i) => i.value));
  for (const secret of SECRETS) {
    assert.ok(!html.includes(secret), `a secret or token is in the page's HTML (${progress.step})`);
    assert.ok(!values.includes(secret), `a secret or token is in an input (${progress.step})`);
  }
}

// The error a bad amount gets in `scope` (the caps form or a dialog), and the field marked invalid.
async function refused(page, scope, field, text, expectedError) {
  await scope.getByLabel(field, { exact: true }).fill(text);
  await scope.getByRole('button', { name: /^Save/ }).click();
  await scope.getByRole('alert').filter({ hasText: expectedError }).waitFor();
  assert.equal(await scope.getByLabel(field, { exact: true }).getAttribute('aria-invalid'), '', `${field} not marked invalid`);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), field.startsWith('Daily') ? 'daily' : 'monthly',
               'focus is not on the field to fix');
}

// Signs in and waits for the page's answer to whether the token may list users (the admin probe).
async function signInAndProbe(page, token) {
  const probe = page.waitForResponse((r) => r.url().endsWith('/api/v1/users?limit=1'));
  await signIn(page, token);
  await probe;
  await page.waitForTimeout(100);  // the answer's handler shows or hides the tab
}

const { browser, page, problems } = await launch();
const dialog = page.getByRole('dialog');

try {
  log('alice signs in; the Users tab is for administrators only');
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signInAndProbe(page, ALICE);
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Users' }).count(), 0, 'alice sees a Users tab');

  log('the Spend caps tab: no caps yet, nothing spent');
  await openTab(page, 'Spend caps');
  const meters = page.locator('#caps-body .meter');
  await meters.filter({ hasText: 'Today' }).getByText('$0.00 spent · no cap').waitFor();
  await meters.filter({ hasText: 'This month' }).getByText('$0.00 spent · no cap').waitFor();
  await meters.filter({ hasText: 'Today' }).getByText(/Resets .*\(midnight UTC\)/).waitFor();
  assert.equal(await page.getByLabel('Daily cap (USD)', { exact: true }).inputValue(), '');
  await accessibility(page, 'Spend caps');

  log('bad amounts show the error and change nothing');
  const form = page.locator('#caps-form');
  await refused(page, form, 'Daily cap (USD)', '-1', 'The daily cap cannot be negative.');
  await refused(page, form, 'Daily cap (USD)', '2.1234567', 'The daily cap can have at most 6 decimals');
  await form.getByLabel('Daily cap (USD)', { exact: true }).fill('2');
  await refused(page, form, 'Monthly cap (USD)', '1e3', 'The monthly cap must be an amount in US dollars');
  assert.deepEqual(limits(await capsOf(ALICE, '/api/v1/caps')), { daily_usd: null, monthly_usd: null }, 'a refused value was saved');

  log('setting the caps with the keyboard alone: arrow to the tab, Tab to the fields, Enter to save');
  await openTab(page, 'API keys');
  await page.getByRole('tab', { name: 'API keys' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-caps');
  await page.locator('#caps-body .loading').waitFor({ state: 'detached' });
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'caps-daily', 'Tab does not reach the daily cap');
  await page.keyboard.type('5');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'caps-monthly', 'Tab does not reach the monthly cap');
  await page.keyboard.type('100.5');
  await page.keyboard.press('Enter');
  await page.getByText('Saved: daily $5.00, monthly $100.50.').waitFor();
  assert.deepEqual(limits(await capsOf(ALICE, '/api/v1/caps')), { daily_usd: 5, monthly_usd: 100.5 });

  log('two gateway calls through the mock provider; the API counts their cost');
  for (const text of ['hello', 'again']) {
    const r = await call(ALICE, 'POST', '/v1/chat/completions',
                         { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  // gpt-4o-mini at the test's $2 in / $8 out per 1M: 2 × (1 × 2 + 5 × 8) µUSD (the mock's word counts).
  let mine;
  for (let i = 0; i < 100; i++) {
    mine = await capsOf(ALICE, '/api/v1/caps');
    if (micro(mine.spent_today_usd) >= 84) break;
    await page.waitForTimeout(100);
  }
  assert.equal(micro(mine.spent_today_usd), 84, `spent today: ${JSON.stringify(mine)}`);
  assert.equal(micro(mine.spent_month_usd), 84, `spent this month: ${JSON.stringify(mine)}`);

  log('the page shows what was spent against each cap');
  await openTab(page, 'Spend caps');
  await meters.filter({ hasText: 'Today' }).getByText('$0.000084 of $5.00 spent (0 %)').waitFor();
  await meters.filter({ hasText: 'This month' }).getByText('$0.000084 of $100.50 spent (0 %)').waitFor();
  assert.equal(await page.getByLabel('Daily cap (USD)', { exact: true }).inputValue(), '5');
  await accessibility(page, 'Spend caps with caps set');
  await noSecretInPage(page);
  await shoot(page, SHOTS, '5-caps');

  log("a key's caps, from its row: a bad amount first, then daily $1.25 and no monthly cap");
  await openTab(page, 'API keys');
  const work = page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' });
  await work.getByRole('button', { name: 'Caps OpenAI key “work”' }).click();
  await dialog.getByRole('heading', { name: 'Spend caps of OpenAI key “work”' }).waitFor();
  await dialog.locator('.meter').filter({ hasText: 'Today' }).getByText('$0.000084 spent · no cap').waitFor();
  await refused(page, dialog, 'Daily cap (USD)', '1.1234567', 'The daily cap can have at most 6 decimals');
  assert.deepEqual(limits(await capsOf(ALICE, `/api/v1/keys/${WORK}/caps`)), { daily_usd: null, monthly_usd: null });
  await dialog.getByLabel('Daily cap (USD)', { exact: true }).fill('1.25');
  await dialog.getByLabel('Monthly cap (USD)', { exact: true }).fill('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved the caps of OpenAI key “work”: daily $1.25, monthly no cap.').waitFor();
  assert.equal(await dialog.count(), 0, 'the dialog stayed open');
  assert.deepEqual(limits(await capsOf(ALICE, `/api/v1/keys/${WORK}/caps`)), { daily_usd: 1.25, monthly_usd: null });

  log('a daily cap the key has nearly spent: 84 % shows amber in the dialog');
  await work.getByRole('button', { name: 'Caps OpenAI key “work”' }).click();
  assert.equal(await dialog.getByLabel('Daily cap (USD)', { exact: true }).inputValue(), '1.25');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cap-dialog-daily', 'focus is not in the dialog');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0.0001');
  await page.keyboard.press('Enter');
  await page.getByText('Saved the caps of OpenAI key “work”: daily $0.0001, monthly no cap.').waitFor();
  assert.deepEqual(limits(await capsOf(ALICE, `/api/v1/keys/${WORK}/caps`)), { daily_usd: 0.0001, monthly_usd: null });
  await work.getByRole('button', { name: 'Caps OpenAI key “work”' }).click();
  await dialog.locator('.meter').filter({ hasText: 'Today' }).getByText('$0.000084 of $0.0001 spent (84 %)').waitFor();
  assert.equal(await dialog.locator('.meter .bar.warn').count(), 1, 'the 84 % bar is not amber');
  await accessibility(page, "a key's caps");
  await noSecretInPage(page);
  await shoot(page, SHOTS, '6-key-caps');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  log('the next call is refused by that cap, and the Alerts tab says so');
  const refusedCall = await call(ALICE, 'POST', '/v1/chat/completions',
                                 { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'more' }] });
  assert.equal(refusedCall.status, 402, JSON.stringify(refusedCall.body));
  assert.equal(refusedCall.body.error.code, 'spend_cap_exceeded');
  for (let i = 0; i < 40; i++) {
    await openTab(page, 'Alerts');
    if (await page.getByText('A spend cap was reached').count()) break;
    await page.waitForTimeout(250);
  }
  await page.getByText('A spend cap was reached').first().waitFor();

  log('the audit trail lists each change of a cap: the own caps once, the key caps twice');
  await openTab(page, 'Audit');
  await page.getByLabel('Action', { exact: true }).selectOption('cap.updated');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('#audit-body .loading').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#audit-body tbody tr').count(), 3, 'cap.updated events');
  await openTab(page, 'API keys');

  log('an API error shows in the dialog: the key was deleted in another window');
  await page.locator('[data-key-id]').filter({ hasText: 'Anthropic · spare' })
    .getByRole('button', { name: 'Caps Anthropic key “spare”' }).click();
  await dialog.getByLabel('Daily cap (USD)', { exact: true }).waitFor();
  assert.equal((await call(ALICE, 'DELETE', `/api/v1/keys/${SPARE}`)).status, 204);
  await dialog.getByLabel('Daily cap (USD)', { exact: true }).fill('3');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'That item no longer exists' }).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  log('signing out; the admin signs in and sees the Users tab');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, ADMIN);
  await page.getByRole('tab', { name: 'Users' }).waitFor();
  await openTab(page, 'Users');
  await page.locator('#users-table tr').filter({ hasText: 'alice' }).waitFor();
  await accessibility(page, 'Users');

  log("bob, who has no key, is served by an operator default key the admin adds");
  const added = await call(ADMIN, 'POST', '/api/v1/default-keys', { provider: 'openai', name: 'shared', secret: DEFAULT_SECRET });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const served = await call(BOB, 'POST', '/v1/chat/completions',
                            { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  assert.equal(served.status, 200, JSON.stringify(served.body));
  // One call: 1 × 2 + 5 × 8 µUSD at the test's prices, booked against bob's default-key allowance.
  const allowancePath = `/api/v1/users/${BOB_ID}/default-key-allowance`;
  let allowance;
  for (let i = 0; i < 100; i++) {
    allowance = await capsOf(ADMIN, allowancePath);
    if (micro(allowance.spent_today_usd) >= 42) break;
    await page.waitForTimeout(100);
  }
  assert.equal(micro(allowance.spent_today_usd), 42, `bob's default-key spend: ${JSON.stringify(allowance)}`);

  log("the admin sees bob's default-key spend and sets his allowance, read back through the API");
  const bob = page.locator('#users-table tr').filter({ hasText: 'bob' });
  await bob.getByRole('button', { name: 'Default-key allowance of bob' }).click();
  await dialog.getByRole('heading', { name: 'Default-key allowance of bob' }).waitFor();
  await dialog.locator('.meter').filter({ hasText: 'Today' }).getByText('$0.000042 spent · no cap').waitFor();
  await refused(page, dialog, 'Monthly cap (USD)', '-40', 'The monthly cap cannot be negative.');
  assert.deepEqual(limits(await capsOf(ADMIN, allowancePath)), { daily_usd: null, monthly_usd: null });
  await dialog.getByLabel('Daily cap (USD)', { exact: true }).fill('2.5');
  await dialog.getByLabel('Monthly cap (USD)', { exact: true }).fill('40');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved the default-key allowance of bob: daily $2.50, monthly $40.00.').waitFor();
  assert.deepEqual(limits(await capsOf(ADMIN, allowancePath)), { daily_usd: 2.5, monthly_usd: 40 });
  assert.deepEqual(limits(await capsOf(ALICE, '/api/v1/caps')), { daily_usd: 5, monthly_usd: 100.5 }, "alice's own caps changed");
  await shoot(page, SHOTS, '7-users');
  await bob.getByRole('button', { name: 'Default-key allowance of bob' }).click();
  await dialog.locator('.meter').filter({ hasText: 'Today' }).getByText('$0.000042 of $2.50 spent (0 %)').waitFor();
  await dialog.locator('.meter').filter({ hasText: 'This month' }).getByText('$0.000042 of $40.00 spent (0 %)').waitFor();
  await accessibility(page, 'the allowance dialog');
  await noSecretInPage(page);
  await shoot(page, SHOTS, '7-allowance');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  log('keyboard: End reaches the Users tab');
  await page.getByRole('tab', { name: 'API keys' }).focus();
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-users');

  log('signing out hides the Users tab again');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signInAndProbe(page, ALICE);
  assert.equal(await page.getByRole('tab', { name: 'Users' }).count(), 0, 'the Users tab outlived the admin');
  await noSecretInPage(page);

  log('no Content Security Policy violation and no script error');
  assert.deepEqual(problems, []);
  console.log('spend caps in the settings page: all steps passed');
} catch (error) {
  console.error(`FAILED at "${progress.step}": ${error.message}`);
  await page.screenshot({ path: `${SHOTS}/failure-caps.png`, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
