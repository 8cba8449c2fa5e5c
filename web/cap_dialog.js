// The dialog that shows and sets one subject's caps: a key's (/api/v1/keys/{id}/caps) or, for an
// administrator, a user's allowance on the operator's default keys
// (/api/v1/users/{id}/default-key-allowance). Same shape as the user's own caps.

import { api } from './api.js';
import { el, replace, loading, problem } from './dom.js';
import { capFields, capMeters, readCapFields } from './cap_form.js';

const $ = (id) => document.getElementById(id);
const PREFIX = 'cap-dialog';

let current = null;  // { path, onSaved }

// Opens the dialog for the caps at `path` with `title` and an `intro` sentence; `onSaved(cap)`
// runs after a successful save, once the dialog is closed.
export async function openCapDialog({ title, intro, path, onSaved }) {
  current = { path, onSaved };
  $('cap-dialog-title').textContent = title;
  $('cap-dialog-intro').textContent = intro;
  $('cap-dialog-error').textContent = '';
  $('cap-dialog-save').disabled = true;
  loading($('cap-dialog-body'), 'the caps');
  $('cap-dialog').showModal();
  $('cap-dialog-cancel').focus();
  try {
    const cap = await api('GET', path);
    if (current?.path !== path) return;  // closed or reopened for another subject meanwhile
    replace($('cap-dialog-body'), capMeters(cap), capFields(PREFIX, cap, 'cap-dialog-error'));
    $('cap-dialog-save').disabled = false;
    $(`${PREFIX}-daily`).focus();
  } catch (error) {
    if (current?.path === path) replace($('cap-dialog-body'), problem(error));
  }
}

async function save(event) {
  event.preventDefault();
  if (!current) return;
  const error = $('cap-dialog-error');
  error.textContent = '';
  const read = readCapFields(PREFIX);
  if (read.error) {
    error.textContent = read.error;
    read.input.focus();
    return;
  }
  const { path, onSaved } = current;
  const button = $('cap-dialog-save');
  button.disabled = true;
  button.textContent = 'Saving…';
  try {
    await api('PUT', path, read.body);
    const saved = await api('GET', path);
    $('cap-dialog').close();
    onSaved?.(saved);
  } catch (e) {
    error.textContent = e.message;
  } finally {
    button.disabled = false;
    button.textContent = 'Save';
  }
}

export function setUpCapDialog() {
  $('cap-dialog-form').addEventListener('submit', save);
  $('cap-dialog-cancel').addEventListener('click', () => $('cap-dialog').close());
  $('cap-dialog').addEventListener('close', () => {
    current = null;
    replace($('cap-dialog-body'));
  });
}
