// The Users tab, for administrators only: the users of this keyrelay and, per user, the allowance
// they have on the operator's default keys (what their calls on those keys may cost per day and
// month). The tab shows itself only when the token may list users.

import { api, all } from './api.js';
import { el, replace, loading, empty, problem } from './dom.js';
import { day, usd } from './format.js';
import { openCapDialog } from './cap_dialog.js';

const $ = (id) => document.getElementById(id);

function notice(text, bad = false) {
  const box = $('users-notice');
  box.textContent = text;
  box.classList.toggle('bad', bad);
}

const describe = (v) => (v === null ? 'no cap' : usd(v));

function editAllowance(user) {
  openCapDialog({
    title: `Default-key allowance of ${user.name}`,
    intro: `What ${user.name}'s calls on the operator's default keys may cost. Their own keys are not counted here.`,
    path: `/api/v1/users/${encodeURIComponent(user.id)}/default-key-allowance`,
    onSaved: (cap) => notice(`Saved the default-key allowance of ${user.name}: daily ${describe(cap.daily_usd)}, monthly ${describe(cap.monthly_usd)}.`),
  });
}

function row(user) {
  return el('tr', { 'data-user-id': user.id },
    el('td', { text: user.name }),
    el('td', { text: user.role }),
    el('td', { class: 'hide-narrow', text: day(user.created_at) }),
    el('td', { class: 'num' },
      el('button', { type: 'button', class: 'button small', 'aria-label': `Default-key allowance of ${user.name}`,
                     onclick: () => editAllowance(user) }, 'Allowance')));
}

export async function loadUsers() {
  const body = $('users-body');
  loading(body, 'users');
  try {
    const users = await all('/api/v1/users?limit=200');
    if (users.length === 0) {
      replace(body, empty('No users yet.'));
      return;
    }
    replace(body, el('div', { class: 'table-wrap' }, el('table', { id: 'users-table' },
      el('caption', { class: 'muted', text: 'Users' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: 'Name' }), el('th', { scope: 'col', text: 'Role' }),
        el('th', { scope: 'col', class: 'hide-narrow', text: 'Created' }),
        el('th', { scope: 'col', class: 'num', text: 'Default keys' }))),
      el('tbody', {}, users.map(row)))));
  } catch (error) {
    replace(body, problem(error));
  }
}

// Shows the Users tab when the token may list users (an administrator's); hides it otherwise.
export async function showUsersTabIfAdmin() {
  let admin = false;
  try {
    await api('GET', '/api/v1/users?limit=1');
    admin = true;
  } catch {
    admin = false;  // 403 for everyone else: the tab stays hidden
  }
  $('tab-users').hidden = !admin;
  return admin;
}

export function forgetUsers() {
  $('tab-users').hidden = true;
  replace($('users-body'));
  notice('');
}
