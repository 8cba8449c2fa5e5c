// The API keys tab: the list with status and validation badges, and the add / edit / rotate /
// validate / enable / delete actions. A secret is read from its field and the field emptied before
// the request leaves; it is never written into the page.

import { api, all } from './api.js';
import { el, replace, loading, empty, problem } from './dom.js';
import { ago, count, day, usd } from './format.js';
import { openCapDialog } from './cap_dialog.js';

const $ = (id) => document.getElementById(id);

let providers = new Map();
let keys = [];
let mode = { kind: 'add', key: null };

const STATUS_BADGE = { active: 'ok', disabled: '', expired: 'bad', invalid: 'bad' };
const VALIDATION_TEXT = { valid: 'verified', invalid: 'rejected', error: 'check failed', unknown: 'not checked' };
const VALIDATION_BADGE = { valid: 'ok', invalid: 'bad', error: 'warn', unknown: '' };

function providerName(id) {
  return providers.get(id)?.name || id;
}

function notice(text, bad = false) {
  const box = $('keys-notice');
  box.textContent = text;
  box.classList.toggle('bad', bad);
}

// What a validation answer means, in a sentence.
function verdict(providerId, v) {
  const who = providerName(providerId);
  if (!v) return '';
  if (v.state === 'valid') return v.message ? `${who} accepted the key (${v.message}).` : `${who} accepted the key.`;
  if (v.state === 'invalid') return `${who} rejected the key${v.message ? `: ${v.message}` : '.'}`;
  if (v.state === 'error') return `The check with ${who} did not complete${v.message ? `: ${v.message}` : '.'} The key was kept.`;
  return '';
}

function badges(key) {
  const v = key.validation?.state || 'unknown';
  return el('span', { class: 'badges' },
    el('span', { class: `badge ${STATUS_BADGE[key.status] ?? ''}`, text: key.status }),
    el('span', { class: `badge ${VALIDATION_BADGE[v] ?? ''}`, text: VALIDATION_TEXT[v] || v }),
    key.owner === 'default' ? el('span', { class: 'badge info', text: 'operator key' }) : null);
}

function keyRow(key) {
  const result = el('p', { class: 'key-result', role: 'status', 'aria-live': 'polite' });
  const usage = key.usage || {};
  const label = `${providerName(key.provider)} key “${key.name}”`;
  const action = (text, handler, extra = {}) =>
    el('button', { type: 'button', class: 'button small', 'aria-label': `${text} ${label}`, onclick: handler, ...extra }, text);
  return el('li', { class: 'key', 'data-key-id': key.id },
    el('div', { class: 'avatar', 'aria-hidden': 'true', text: providerName(key.provider).slice(0, 1) }),
    el('div', {},
      el('div', {}, el('span', { class: 'key-title', text: `${providerName(key.provider)} · ${key.name}` }), badges(key)),
      el('div', { class: 'key-meta' },
        el('span', { text: `ends in ${key.hint}` }),
        el('span', { text: `${count(usage.requests)} requests · ${count((usage.input_tokens || 0) + (usage.output_tokens || 0))} tokens` }),
        el('span', { text: `last used ${ago(key.last_used_at)}` }),
        key.expires_at ? el('span', { text: `expires ${day(key.expires_at)}` }) : null,
        el('span', { class: 'hide-narrow', text: `priority ${key.priority}${key.always_use ? ' · always mine' : ''}` }))),
    el('div', { class: 'key-actions' },
      action('Validate', (e) => validateNow(key, e.currentTarget, result)),
      action('Rotate', () => openDialog('rotate', key)),
      action(key.enabled === false ? 'Enable' : 'Disable', (e) => toggle(key, e.currentTarget)),
      action('Edit', () => openDialog('edit', key)),
      key.owner === 'default' ? null : action('Caps', () => editCaps(key)),
      action('Delete', () => confirmDelete(key), { class: 'button small danger' })),
    result);
}

// A key's own daily and monthly caps (operator keys are capped per user by an administrator).
function editCaps(key) {
  const label = `${providerName(key.provider)} key “${key.name}”`;
  const describe = (v) => (v === null ? 'no cap' : usd(v));
  openCapDialog({
    title: `Spend caps of ${label}`,
    intro: 'What calls with this key may cost, per UTC day and month. Your own caps across all keys apply as well.',
    path: `/api/v1/keys/${encodeURIComponent(key.id)}/caps`,
    onSaved: (cap) => notice(`Saved the caps of ${label}: daily ${describe(cap.daily_usd)}, monthly ${describe(cap.monthly_usd)}.`),
  });
}

function render() {
  const body = $('keys-body');
  if (keys.length === 0) {
    replace(body, empty('No keys yet. Add your first provider key to start using it through keyrelay.'));
    return;
  }
  replace(body, el('ul', { class: 'key-list', 'aria-label': 'Your API keys' }, keys.map(keyRow)));
}

export async function loadKeys() {
  const body = $('keys-body');
  loading(body, 'your keys');
  try {
    if (providers.size === 0) {
      const list = await api('GET', '/api/v1/providers');
      providers = new Map(list.data.map((p) => [p.id, p]));
      fillProviders();
    }
    keys = await all('/api/v1/keys?limit=200');
    render();
  } catch (error) {
    replace(body, problem(error));
  }
}

function fillProviders() {
  const select = $('key-provider');
  const sorted = [...providers.values()].sort((a, b) => a.name.localeCompare(b.name));
  replace(select, sorted.map((p) => el('option', { value: p.id, text: p.name })));
  showProviderHelp();
}

function showProviderHelp() {
  const p = providers.get($('key-provider').value);
  const help = $('provider-help');
  if (!p) return replace(help);
  const parts = [];
  if (p.signup_url) parts.push(el('a', { href: p.signup_url, target: '_blank', rel: 'noopener noreferrer', text: 'Get a key' }));
  if (p.docs_url) parts.push(' · ', el('a', { href: p.docs_url, target: '_blank', rel: 'noopener noreferrer', text: 'Docs' }));
  replace(help, parts);
  $('secret-hint').textContent = p.key_prefix
    ? `${p.name} keys usually start with “${p.key_prefix}”.`
    : `Paste the key exactly as ${p.name} shows it.`;
}

function openDialog(kind, key = null) {
  mode = { kind, key };
  const editing = kind === 'edit';
  const rotating = kind === 'rotate';
  $('key-dialog-title').textContent =
    kind === 'add' ? 'Add a key' : editing ? `Edit ${providerName(key.provider)} key “${key.name}”` : `Rotate ${providerName(key.provider)} key “${key.name}”`;
  $('provider-field').hidden = kind !== 'add';
  $('name-field').hidden = rotating;
  $('secret-field').hidden = editing;
  $('validate-row').hidden = editing;
  $('key-always').closest('label').hidden = rotating;
  for (const id of ['key-expires', 'key-priority']) $(id).closest('.field').hidden = rotating;
  $('key-secret').value = '';
  $('key-secret').type = 'password';
  $('key-error').textContent = '';
  $('key-name').value = key ? key.name : '';
  $('key-expires').value = key?.expires_at ? key.expires_at.slice(0, 10) : '';
  $('key-priority').value = key ? key.priority : 0;
  $('key-always').checked = key ? key.always_use : false;
  $('key-validate').checked = true;
  if (kind === 'add') showProviderHelp();
  else $('secret-hint').textContent = rotating ? 'The old secret is destroyed once the new one is saved.' : '';
  $('key-dialog').showModal();
  (kind === 'add' ? $('key-provider') : rotating ? $('key-secret') : $('key-name')).focus();
}

function expiresAt() {
  const value = $('key-expires').value;
  return value ? `${value}T23:59:59Z` : null;
}

async function save(event) {
  event.preventDefault();
  const button = $('key-save');
  const error = $('key-error');
  error.textContent = '';
  const { kind, key } = mode;
  let request;
  if (kind === 'edit') {
    const body = { priority: Number($('key-priority').value || 0), always_use: $('key-always').checked, expires_at: expiresAt() };
    const name = $('key-name').value.trim();
    if (name && name !== key.name) body.name = name;
    request = () => api('PATCH', `/api/v1/keys/${encodeURIComponent(key.id)}`, body);
  } else {
    // Read the secret, then empty the field before anything is sent.
    const secret = $('key-secret').value;
    $('key-secret').value = '';
    $('key-secret').type = 'password';
    if (!secret.trim()) {
      error.textContent = 'Please paste the secret key.';
      $('key-secret').focus();
      return;
    }
    const validate = $('key-validate').checked;
    if (kind === 'rotate') {
      request = () => api('POST', `/api/v1/keys/${encodeURIComponent(key.id)}/rotate`, { secret, validate });
    } else {
      const body = { provider: $('key-provider').value, secret, validate, priority: Number($('key-priority').value || 0),
                     always_use: $('key-always').checked };
      const name = $('key-name').value.trim();
      if (name) body.name = name;
      if (expiresAt()) body.expires_at = expiresAt();
      request = () => api('POST', '/api/v1/keys', body);
    }
  }
  button.disabled = true;
  button.textContent = kind === 'edit' ? 'Saving…' : $('key-validate').checked ? 'Saving and checking…' : 'Saving…';
  try {
    const saved = await request();
    $('key-dialog').close();
    const what = kind === 'add' ? 'Saved' : kind === 'rotate' ? 'Rotated' : 'Updated';
    const check = kind !== 'edit' && saved.validation && saved.validation.state !== 'unknown'
      ? ` ${verdict(saved.provider, saved.validation)}` : '';
    notice(`${what} ${providerName(saved.provider)} key “${saved.name}”.${check}`, saved.validation?.state === 'invalid');
    await loadKeys();
  } catch (e) {
    error.textContent = e.message;
  } finally {
    button.disabled = false;
    button.textContent = 'Save';
  }
}

async function validateNow(key, button, result) {
  button.disabled = true;
  result.textContent = `Checking with ${providerName(key.provider)}…`;
  try {
    const v = await api('POST', `/api/v1/keys/${encodeURIComponent(key.id)}/validate`);
    await loadKeys();
    const row = document.querySelector(`[data-key-id="${CSS.escape(key.id)}"] .key-result`);
    if (row) row.textContent = verdict(key.provider, v);
  } catch (e) {
    result.textContent = e.message;
    button.disabled = false;
  }
}

async function toggle(key, button) {
  button.disabled = true;
  try {
    await api('PATCH', `/api/v1/keys/${encodeURIComponent(key.id)}`, { enabled: key.enabled === false });
    notice(`${key.enabled === false ? 'Enabled' : 'Disabled'} ${providerName(key.provider)} key “${key.name}”.`);
    await loadKeys();
  } catch (e) {
    notice(e.message, true);
    button.disabled = false;
  }
}

function confirmDelete(key) {
  const label = `${providerName(key.provider)} key “${key.name}” (ends in ${key.hint})`;
  $('confirm-title').textContent = `Delete ${providerName(key.provider)} key “${key.name}”?`;
  $('confirm-text').textContent = `The ${label} will be destroyed and requests can no longer use it. This cannot be undone.`;
  $('confirm-ok').textContent = 'Delete';
  const dialog = $('confirm-dialog');
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'delete') return;
    try {
      await api('DELETE', `/api/v1/keys/${encodeURIComponent(key.id)}`);
      await loadKeys();  // the list first, so the notice never describes a list still showing the key
      notice(`Deleted ${label}.`);
    } catch (e) {
      notice(e.message, true);
    }
  };
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
}

export function setUpKeys() {
  $('add-key').addEventListener('click', () => openDialog('add'));
  $('key-provider').addEventListener('change', showProviderHelp);
  $('key-form').addEventListener('submit', save);
  $('key-cancel').addEventListener('click', () => {
    $('key-secret').value = '';
    $('key-dialog').close();
  });
  $('key-dialog').addEventListener('close', () => { $('key-secret').value = ''; });
  $('confirm-cancel').addEventListener('click', () => $('confirm-dialog').close(''));
  $('confirm-ok').addEventListener('click', (e) => {
    e.preventDefault();
    $('confirm-dialog').close('delete');
  });
}

export function forgetKeys() {
  keys = [];
  replace($('keys-body'));
  notice('');
}
