// What the settings-page checks share: the environment they are given, Debian's Chromium, axe-core,
// screenshots at desktop and 360 px width, step logging, and the page's errors and CSP reports.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// The step being run, for failure messages.
export const progress = { step: 'starting' };
export const log = (text) => {
  progress.step = text;
  console.log(`- ${text}`);
};

export async function accessibility(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `axe on ${what}`);
}

// `${dir}/${name}-desktop.png` and `${dir}/${name}-360px.png`; nothing may overflow sideways at 360 px.
export async function shoot(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}-desktop.png`, fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: `${dir}/${name}-360px.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a 360px screen`);
  await page.setViewportSize(size);
}

// Selects a tab and waits until its content has loaded.
export async function openTab(page, name) {
  await page.getByRole('tab', { name }).click();
  await page.locator('[role="tabpanel"]:not([hidden]) .loading').waitFor({ state: 'detached' });
}

// Headless Chromium with one desktop-sized page; `problems` collects CSP reports and script errors.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { browser, page, problems };
}

export async function signIn(page, token) {
  await page.getByLabel('Access token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
}
