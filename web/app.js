// The settings page: sign-in, tabs, sign-out. Each tab lives in its own module. Inside a host app's
// frame there is no sign-in: the host hands the page its session token (embed.js).

import { api, session } from './api.js';
import { setUpKeys, loadKeys, forgetKeys } from './keys.js';
import { setUpUsage, loadUsage } from './usage.js';
import { setUpAudit, loadAudit } from './audit.js';
import { setUpAlerts, loadAlerts, refreshAlertCount } from './alerts.js';
import { loadCaps } from './caps.js';
import { setUpCapDialog } from './cap_dialog.js';
import { loadUsers, showUsersTabIfAdmin, forgetUsers } from './users.js';
import { setUpTokens, loadTokens, forgetTokens } from './tokens.js';
import { isFramed, connectToHost } from './embed.js';

const $ = (id) => document.getElementById(id);
const TABS = { keys: loadKeys, usage: loadUsage, caps: loadCaps, audit: loadAudit, alerts: loadAlerts, tokens: loadTokens, users: loadUsers };

function selectTab(name, focus = false) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  TABS[name]();
}

function setUpTabs() {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => selectTab(tab.id.slice(4)));
    // Arrow keys move between the tabs shown (WAI-ARIA tabs pattern); Users is hidden but for admins.
    tab.addEventListener('keydown', (e) => {
      const tabs = [...document.querySelectorAll('[role="tab"]:not([hidden])')];
      const i = tabs.indexOf(tab);
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        selectTab(tabs[e.key === 'Home' ? 0 : tabs.length - 1].id.slice(4), true);
      } else if (step) {
        e.preventDefault();
        selectTab(tabs[(i + step + tabs.length) % tabs.length].id.slice(4), true);
      }
    });
  }
}

function showSignIn(message = '') {
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

async function showApp() {
  // The token must work before the page shows anything.
  await api('GET', '/api/v1/keys?limit=1');
  $('sign-in').hidden = true;
  $('framed-wait').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = session.framed();  // the host app signs its users out
  $('who').hidden = false;
  $('who').textContent = 'Signed in';
  selectTab('keys');
  refreshAlertCount();
  showUsersTabIfAdmin();
  $('main').focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  if (!token) {
    $('sign-in-error').textContent = 'Please paste your access token.';
    return;
  }
  session.set(token);
  try {
    await showApp();
  } catch (error) {
    session.clear();
    showSignIn(error.status === 401 ? 'That token was not accepted. Check that you copied all of it.' : error.message);
  }
}

function signOut() {
  session.clear();
  forgetKeys();
  forgetUsers();
  forgetTokens();
  if (session.framed()) showFramedWait('Your session has ended. Reload the app to continue.');
  else showSignIn('You are signed out.');
}

function showFramedWait(message) {
  $('app').hidden = true;
  $('sign-in').hidden = true;
  $('framed-wait').hidden = false;
  $('framed-status').textContent = message;
}

// In a host app's frame: wait for the host's token, then show the page.
async function startFramed() {
  const host = connectToHost((token) => session.set(token));
  session.useHost(host.renew);
  showFramedWait('Waiting for the app to sign you in…');
  if (host.origins.length === 0) {
    showFramedWait('This page may not be shown inside another site here. Open keyrelay directly instead.');
    return;
  }
  if (!(await host.renew(15000))) {
    showFramedWait('The app did not sign you in. Reload the page to try again.');
    return;
  }
  try {
    await showApp();
  } catch (error) {
    showFramedWait(error.status === 401 ? 'The app could not sign you in. Reload the page to try again.' : error.message);
  }
}

function setUpSecretToggles() {
  for (const button of document.querySelectorAll('[data-toggle]')) {
    button.addEventListener('click', () => {
      const input = $(button.dataset.toggle);
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = show ? 'Hide' : 'Show';
      button.setAttribute('aria-pressed', String(show));
      input.focus();
    });
  }
}

async function start() {
  setUpTabs();
  setUpSecretToggles();
  setUpKeys();
  setUpUsage();
  setUpAudit();
  setUpAlerts();
  setUpCapDialog();
  setUpTokens();
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  // Any API answer of 401 later (token revoked or expired) sends the user back to sign-in.
  window.addEventListener('unhandledrejection', (e) => {
    if (e.reason && e.reason.status === 401) signOut();
  });
  if (isFramed()) return startFramed();
  if (!session.token()) return showSignIn();
  try {
    await showApp();
  } catch (error) {
    session.clear();
    showSignIn(error.status === 401 ? 'Your session has ended. Please sign in again.' : error.message);
  }
}

start();
