// The Audit tab: the caller's audit events, newest first, filtered by action and dates, a page at
// a time.

import { api } from './api.js';
import { el, replace, loading, empty, problem } from './dom.js';
import { shortWhen, when } from './format.js';

const $ = (id) => document.getElementById(id);
let cursor = null;
let rows = [];

function query() {
  const params = new URLSearchParams({ limit: '50' });
  if ($('audit-action').value) params.set('action', $('audit-action').value);
  if ($('audit-from').value) params.set('from', `${$('audit-from').value}T00:00:00Z`);
  if ($('audit-to').value) params.set('to', `${$('audit-to').value}T23:59:59Z`);
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/audit?${params}`;
}

function row(e) {
  const who = e.actor?.kind === 'system' ? 'keyrelay' : e.actor?.kind === 'cli' ? 'operator (CLI)' : e.on_behalf_of ? 'an app, for you' : 'you';
  return el('tr', {},
    el('td', { class: 'time' }, el('time', { datetime: e.time, title: when(e.time), text: shortWhen(e.time) })),
    el('td', {}, el('code', { text: e.action })),
    el('td', { class: 'hide-narrow', text: e.outcome }),
    el('td', { text: e.provider || '—' }),
    el('td', { class: 'hide-narrow', text: who }),
    el('td', { class: 'hide-narrow', text: e.ip || '—' }));
}

function render() {
  const body = $('audit-body');
  if (rows.length === 0) {
    replace(body, empty('No audit events match.'));
    return;
  }
  replace(body, el('div', { class: 'table-wrap' }, el('table', {},
    el('caption', { class: 'muted', text: 'Audit events, newest first' }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: 'When' }), el('th', { scope: 'col', text: 'Action' }),
      el('th', { scope: 'col', class: 'hide-narrow', text: 'Outcome' }), el('th', { scope: 'col', text: 'Provider' }),
      el('th', { scope: 'col', class: 'hide-narrow', text: 'By' }), el('th', { scope: 'col', class: 'hide-narrow', text: 'From' }))),
    el('tbody', {}, rows.map(row)))));
}

async function fetchPage() {
  const page = await api('GET', query());
  rows.push(...page.data);
  cursor = page.next_cursor;
  $('audit-more').hidden = !cursor;
  render();
}

export async function loadAudit() {
  cursor = null;
  rows = [];
  loading($('audit-body'), 'the audit trail');
  $('audit-more').hidden = true;
  try {
    await fetchPage();
  } catch (error) {
    replace($('audit-body'), problem(error));
  }
}

export function setUpAudit() {
  $('audit-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    loadAudit();
  });
  $('audit-more').addEventListener('click', async () => {
    try {
      await fetchPage();
    } catch (error) {
      replace($('audit-body'), problem(error));
    }
  });
}
