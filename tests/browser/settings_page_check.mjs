// The settings page in Debian's Chromium (headless), against the real keyrelay and the mock
// provider started by tests/integration/settings_page_browser_test.cpp, which passes:
//   KEYRELAY_URL, KEYRELAY_TOKEN (alice: keys, gateway, audit), SCREENSHOT_DIR, SECRET_VALID_OPENAI,
//   SECRET_INVALID_ANTHROPIC, SECRET_ROTATED_OPENAI.
// Walks what a user does — sign in, add two keys with validation, rotate, disable, make gateway
// calls, see usage and the audit trail, see an alert and resolve it, delete with confirmation, sign
// out — checks no secret ever reaches the DOM, runs axe-core on every tab, and screenshots each tab
// at desktop and 360 px width. Exits non-zero on the first failure, naming the step.

import assert from 'node:assert/strict';
import { env, log, progress, accessibility, shoot as shootIn, openTab, launch } from './page_support.mjs';

const BASE = env('KEYRELAY_URL');
const TOKEN = env('KEYRELAY_TOKEN');
const SHOTS = env('SCREENSHOT_DIR');
const SECRETS = [env('SECRET_VALID_OPENAI'), env('SECRET_INVALID_ANTHROPIC'), env('SECRET_ROTATED_OPENAI')];
const shoot = (page, name) => shootIn(page, SHOTS, name);

async function gateway(model, text) {
  const r = await fetch(`${BASE}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }),
  });
  await r.text();
  return r.status;
}

async function noSecretInPage(page) {
  const html = await page.content();
  const values = await page.$$eval('input', (inputs) => inputs.map((i) => i.value));
  for (const secret of SECRETS) {
    assert.ok(!html.includes(secret), `a secret is in the page's HTML (${progress.step})`);
    assert.ok(!values.includes(secret), `a secret is still in an input (${progress.step})`);
  }
}

const { browser, page, problems: cspViolations } = await launch();

try {
  log('the page loads and asks for a token');
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await accessibility(page, 'sign-in');
  await shoot(page, '0-sign-in');

  log('a wrong token is refused in words');
  await page.getByLabel('Access token', { exact: true }).fill('kr_not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That token was not accepted').waitFor();

  log('signing in');
  await page.getByLabel('Access token', { exact: true }).fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  assert.ok(!page.url().includes(TOKEN), 'the token is in the URL');
  assert.equal(await page.evaluate(() => document.cookie), '', 'a cookie was set');
  await page.getByText('No keys yet').waitFor();

  log('adding an OpenAI key, validated on save');
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('openai');
  await page.getByText('keys usually start with').waitFor();
  await page.getByRole('link', { name: 'Get a key' }).waitFor();
  await accessibility(page, 'the add-key dialog');
  await shoot(page, '1-add-key-dialog');
  await page.getByLabel('Name', { exact: true }).fill('work');
  await page.getByLabel('Secret key', { exact: true }).fill(SECRETS[0]);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('OpenAI accepted the key').waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText('verified').waitFor();
  await noSecretInPage(page);

  log('adding an Anthropic key the provider rejects');
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('anthropic');
  await page.getByLabel('Name', { exact: true }).fill('old');
  await page.getByLabel('Secret key', { exact: true }).fill(SECRETS[1]);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Anthropic rejected the key').waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'Anthropic · old' }).getByText('rejected').waitFor();
  await noSecretInPage(page);

  log('validating now, in place');
  const work = page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' });
  await work.getByRole('button', { name: /^Validate/ }).click();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText('OpenAI accepted the key').waitFor();

  log('rotating the OpenAI key');
  await work.getByRole('button', { name: /^Rotate/ }).click();
  await page.getByLabel('Secret key', { exact: true }).fill(SECRETS[2]);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Rotated OpenAI key “work”').waitFor();
  await noSecretInPage(page);

  log('disabling and enabling it');
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByRole('button', { name: /^Disable/ }).click();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText('disabled', { exact: true }).waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByRole('button', { name: /^Enable/ }).click();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText('active', { exact: true }).waitFor();
  await accessibility(page, 'API keys');
  await shoot(page, '1-keys');

  log('gateway calls: two priced and one unpriced with the OpenAI key, one the rejected Anthropic key cannot serve');
  assert.equal(await gateway('openai/gpt-4o-mini', 'hello'), 200);
  assert.equal(await gateway('openai/gpt-4o-mini', 'again'), 200);
  assert.equal(await gateway('openai/gpt-4.1', 'unpriced'), 200);
  await gateway('anthropic/claude-3-5-haiku-latest', 'hi');

  log('usage shows the calls');
  for (let i = 0; i < 40; i++) {
    await openTab(page, 'Usage');
    if (await page.locator('table td', { hasText: 'openai' }).count()) break;
    await page.waitForTimeout(250);
  }
  await page.locator('table td', { hasText: 'openai' }).first().waitFor();
  assert.ok(await page.locator('svg.chart rect').count() >= 1, 'no bar in the chart');

  log('the cost per provider and model: USD where priced, "—" and the unpriced count where not');
  // gpt-4o-mini at the test's $2 in / $8 out per 1M: 2 × (1 × 2 + 5 × 8) µUSD (the mock's word counts).
  for (let i = 0; i < 40; i++) {
    if (await page.locator('#usage-models tr', { hasText: 'gpt-4.1' }).count()) break;
    await openTab(page, 'Usage');
    await page.waitForTimeout(250);
  }
  const priced = page.locator('#usage-models tr', { hasText: 'gpt-4o-mini' });
  await priced.getByText('$0.000084', { exact: true }).waitFor();
  const unpriced = page.locator('#usage-models tr', { hasText: 'gpt-4.1' });
  await unpriced.getByText('— (1 unpriced)', { exact: true }).waitFor();
  await accessibility(page, 'Usage');
  await shoot(page, '2-usage');

  log('the audit trail lists the changes and can be filtered');
  await openTab(page, 'Audit');
  await page.locator('#audit-body code', { hasText: 'key.created' }).first().waitFor();
  await page.getByLabel('Action', { exact: true }).selectOption('key.rotated');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('#audit-body .loading').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#audit-body tbody tr').count(), 1, 'one rotation');
  await page.getByLabel('Action', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('#audit-body .loading').waitFor({ state: 'detached' });
  await accessibility(page, 'Audit');
  await shoot(page, '3-audit');

  log('an alert is shown and resolved');
  await openTab(page, 'Alerts');
  await page.getByText('A request found no usable key').first().waitFor();
  await accessibility(page, 'Alerts');
  await shoot(page, '4-alerts');
  const openBefore = await page.locator('.alert').count();
  await page.getByRole('button', { name: /^Resolve/ }).first().click();
  for (let i = 0; i < 100 && (await page.locator('.alert').count()) === openBefore; i++) await page.waitForTimeout(50);
  assert.equal(await page.locator('.alert').count(), openBefore - 1, 'the resolved alert is still listed as open');
  await page.getByLabel('Show', { exact: true }).selectOption('resolved');
  await page.locator('.alert').first().waitFor();

  log('editing a key: priority and expiry');
  await openTab(page, 'API keys');
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByRole('button', { name: /^Edit/ }).click();
  await page.getByLabel('Priority', { exact: true }).fill('5');
  await page.getByLabel('Expires on (optional)', { exact: true }).fill('2031-01-31');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Updated OpenAI key “work”').waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText('priority 5').waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'OpenAI · work' }).getByText(/expires .*2031/).waitFor();

  log('deleting a key asks first, naming it');
  await openTab(page, 'API keys');
  await page.locator('[data-key-id]').filter({ hasText: 'Anthropic · old' }).getByRole('button', { name: /^Delete/ }).click();
  await page.getByRole('heading', { name: 'Delete Anthropic key “old”?' }).waitFor();
  await page.locator('#confirm-text', { hasText: 'Anthropic key “old”' }).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.locator('[data-key-id]').count(), 2, 'cancel deleted something');
  await page.locator('[data-key-id]').filter({ hasText: 'Anthropic · old' }).getByRole('button', { name: /^Delete/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Deleted Anthropic key “old”').waitFor();
  await page.locator('[data-key-id]').filter({ hasText: 'Anthropic · old' }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-key-id]').count(), 1);

  log('keyboard: the tabs follow the arrow keys and focus is visible');
  await page.getByRole('tab', { name: 'API keys' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-usage');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'no visible focus');

  log('signing out forgets the token');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await noSecretInPage(page);

  log('no Content Security Policy violation and no script error');
  assert.deepEqual(cspViolations, []);
  console.log('settings page: all steps passed');
} catch (error) {
  console.error(`FAILED at "${progress.step}": ${error.message}`);
  await page.screenshot({ path: `${SHOTS}/failure.png`, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
