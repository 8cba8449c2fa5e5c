// The Access tokens tab: the user's own tokens (name, scopes, created, expires, last used), creating
// one with the scopes and expiry chosen — its text shown once, then gone from the page — and
// revoking one. Short-lived sessions a host app opened for the page (still valid ones) are counted,
// not listed.

import { api, all } from './api.js';
import { el, replace, loading, empty, problem } from './dom.js';
import { ago, day } from './format.js';

const $ = (id) => document.getElementById(id);
const SCOPE_TEXT = { gateway: 'AI calls', 'keys:read': 'read keys', 'keys:write': 'change keys', 'audit:read': 'audit' };

function notice(text, bad = false) {
  const box = $('tokens-notice');
  box.textContent = text;
  box.classList.toggle('bad', bad);
}

function expiry(token) {
  if (!token.expires_at) return 'never';
  return new Date(token.expires_at) <= new Date() ? `expired ${day(token.expires_at)}` : day(token.expires_at);
}

function row(token) {
  return el('tr', { 'data-token-id': token.id },
    el('td', { text: token.name }),
    el('td', {}, el('span', { class: 'badges' },
      token.scopes.map((s) => el('span', { class: 'badge info', text: SCOPE_TEXT[s] || s })))),
    el('td', { class: 'hide-narrow', text: day(token.created_at) }),
    el('td', { text: expiry(token) }),
    el('td', { class: 'hide-narrow', text: ago(token.last_used_at) }),
    el('td', { class: 'num' },
      el('button', { type: 'button', class: 'button small danger', 'aria-label': `Revoke token “${token.name}”`,
                     onclick: () => confirmRevoke(token) }, 'Revoke')));
}

export async function loadTokens() {
  const body = $('tokens-body');
  loading(body, 'tokens');
  try {
    const tokens = (await all('/api/v1/tokens?limit=200')).filter((t) => !t.revoked_at);
    const own = tokens.filter((t) => !t.session);
    const sessions = tokens.filter((t) => t.session && new Date(t.expires_at) > new Date()).length;
    const note = sessions ? el('p', { class: 'muted', text: `Plus ${sessions} short-lived session${sessions === 1 ? '' : 's'} opened by the app you use.` }) : null;
    if (own.length === 0) {
      replace(body, empty('No access tokens yet.'), note);
      return;
    }
    replace(body, el('div', { class: 'table-wrap' }, el('table', { id: 'tokens-table' },
      el('caption', { class: 'muted', text: 'Your access tokens' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: 'Name' }), el('th', { scope: 'col', text: 'May' }),
        el('th', { scope: 'col', class: 'hide-narrow', text: 'Created' }), el('th', { scope: 'col', text: 'Expires' }),
        el('th', { scope: 'col', class: 'hide-narrow', text: 'Last used' }),
        el('th', { scope: 'col', class: 'num', text: 'Actions' }))),
      el('tbody', {}, own.map(row)))), note);
  } catch (error) {
    replace(body, problem(error));
  }
}

function openDialog() {
  $('token-form').reset();
  $('token-error').textContent = '';
  $('token-dialog').showModal();
  $('token-name').focus();
}

function showOnce(text) {
  $('new-token').value = text;
  $('token-shown').hidden = false;
  $('new-token').focus();
  $('new-token').select();
}

function hideShown() {
  $('new-token').value = '';
  $('token-shown').hidden = true;
}

async function create(event) {
  event.preventDefault();
  const name = $('token-name').value.trim();
  const scopes = [...document.querySelectorAll('#token-scopes input:checked')].map((i) => i.value);
  if (!name) return void ($('token-error').textContent = 'Please give the token a name.');
  if (scopes.length === 0) return void ($('token-error').textContent = 'Please choose at least one thing it may do.');
  const days = $('token-expiry').value;
  const body = { name, scopes };
  if (days) body.expires_at = new Date(Date.now() + Number(days) * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  $('token-save').disabled = true;
  try {
    const created = await api('POST', '/api/v1/tokens', body);
    $('token-dialog').close();
    await loadTokens();
    notice(`Created the token “${created.name}”.`);
    showOnce(created.token);
  } catch (error) {
    $('token-error').textContent = error.message;
  } finally {
    $('token-save').disabled = false;
  }
}

function confirmRevoke(token) {
  $('confirm-title').textContent = `Revoke the token “${token.name}”?`;
  $('confirm-text').textContent = 'Programs that use it will be refused from now on. This cannot be undone.';
  $('confirm-ok').textContent = 'Revoke';
  const dialog = $('confirm-dialog');
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'delete') return;
    try {
      await api('DELETE', `/api/v1/tokens/${encodeURIComponent(token.id)}`);
      await loadTokens();
      notice(`Revoked the token “${token.name}”.`);
    } catch (e) {
      notice(e.message, true);
    }
  };
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
}

export function setUpTokens() {
  $('add-token').addEventListener('click', openDialog);
  $('token-form').addEventListener('submit', create);
  $('token-cancel').addEventListener('click', () => $('token-dialog').close());
  $('token-done').addEventListener('click', hideShown);
  $('copy-token').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('new-token').value);
      notice('Copied the token.');
    } catch {
      $('new-token').select();
      notice('Select the token and copy it with your keyboard.');
    }
  });
}

export function forgetTokens() {
  hideShown();
  replace($('tokens-body'));
  notice('');
}
