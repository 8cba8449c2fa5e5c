// The Alerts tab: open or resolved alerts, each with a resolve button while open.

import { api, all } from './api.js';
import { el, replace, loading, empty, problem } from './dom.js';
import { when } from './format.js';

const $ = (id) => document.getElementById(id);

const RULE_TITLE = {
  'key.invalid': 'A provider rejected one of your keys',
  'key.decrypt_failed': 'A stored key failed its integrity check',
  'key.expired': 'A key expired',
  'key.new_client': 'A key was used from a new place',
  'validation.failures': 'Several keys failed validation',
  'management.burst': 'Many changes in a short time',
  'gateway.no_usable_key': 'A request found no usable key',
  'auth.failure_burst': 'Repeated failed sign-ins',
  'provider.error_rate': 'A provider is failing often',
  'spend_cap.warning': 'Spending reached 80 % of a cap',
  'spend_cap.reached': 'A spend cap was reached',
};

function title(rule) {
  if (rule.startsWith('key.expiring.')) return 'A key expires soon';
  return RULE_TITLE[rule] || rule;
}

function item(alert, onResolve) {
  const label = title(alert.rule);
  return el('li', { class: `alert ${alert.severity}` },
    el('div', {},
      el('strong', { text: label }),
      el('span', { class: 'badges' },
        el('span', { class: `badge ${alert.severity === 'critical' ? 'bad' : alert.severity === 'warning' ? 'warn' : 'info'}`, text: alert.severity }),
        alert.count > 1 ? el('span', { class: 'badge', text: `${alert.count}×` }) : null),
      el('p', { text: alert.message }),
      el('p', { class: 'muted', text: alert.status === 'open'
        ? `First seen ${when(alert.first_seen)} · last seen ${when(alert.last_seen)}`
        : `Resolved ${when(alert.resolved_at)}` })),
    alert.status === 'open'
      ? el('div', {}, el('button', { type: 'button', class: 'button small', 'aria-label': `Resolve: ${label}`,
                                     onclick: (e) => onResolve(alert, e.currentTarget) }, 'Resolve'))
      : null);
}

export async function loadAlerts() {
  const body = $('alerts-body');
  const status = $('alerts-status').value;
  loading(body, 'alerts');
  try {
    const alerts = await all(`/api/v1/alerts?status=${status}&limit=200`);
    if (status === 'open') showCount(alerts.length);
    if (alerts.length === 0) {
      replace(body, empty(status === 'open' ? 'No open alerts. keyrelay will tell you here when something needs your attention.' : 'No resolved alerts yet.'));
      return;
    }
    replace(body, el('ul', { class: 'alert-list', 'aria-label': `${status} alerts` }, alerts.map((a) => item(a, resolve))));
  } catch (error) {
    replace(body, problem(error));
  }
}

async function resolve(alert, button) {
  button.disabled = true;
  try {
    await api('POST', `/api/v1/alerts/${encodeURIComponent(alert.id)}/resolve`);
    await loadAlerts();
  } catch (error) {
    button.disabled = false;
    replace($('alerts-body'), problem(error));
  }
}

function showCount(n) {
  const badge = $('alert-count');
  badge.hidden = n === 0;
  badge.textContent = String(n);
  badge.setAttribute('aria-label', `${n} open`);
}

export async function refreshAlertCount() {
  try {
    const page = await api('GET', '/api/v1/alerts?status=open&limit=200');
    showCount(page.data.length);
  } catch {
    // the count is a hint; the tab shows the error when opened
  }
}

export function setUpAlerts() {
  $('alerts-status').addEventListener('change', loadAlerts);
}
