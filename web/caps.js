// The Spend caps tab: the caller's own daily and monthly caps across all their keys, what they
// spent today and this month against them, and the form that sets them (GET/PUT /api/v1/caps).

import { api } from './api.js';
import { el, replace, loading, problem } from './dom.js';
import { capFields, capMeters, readCapFields } from './cap_form.js';
import { usd } from './format.js';

const $ = (id) => document.getElementById(id);

function notice(text, bad = false) {
  const box = $('caps-notice');
  box.textContent = text;
  box.classList.toggle('bad', bad);
}

const describe = (v) => (v === null ? 'no cap' : usd(v));

function render(cap) {
  const form = el('form', { id: 'caps-form', novalidate: true, 'aria-labelledby': 'caps-form-title' },
    el('h3', { id: 'caps-form-title', text: 'Your caps' }),
    capFields('caps', cap, 'caps-error'),
    el('p', { class: 'error', id: 'caps-error', role: 'alert' }),
    el('div', { class: 'actions start' }, el('button', { type: 'submit', class: 'button primary', id: 'caps-save', text: 'Save caps' })));
  form.addEventListener('submit', save);
  replace($('caps-body'), capMeters(cap), form);
}

export async function loadCaps() {
  notice('');
  loading($('caps-body'), 'your caps');
  try {
    render(await api('GET', '/api/v1/caps'));
  } catch (error) {
    replace($('caps-body'), problem(error));
  }
}

async function save(event) {
  event.preventDefault();
  const error = $('caps-error');
  error.textContent = '';
  notice('');
  const read = readCapFields('caps');
  if (read.error) {
    error.textContent = read.error;
    read.input.focus();
    return;
  }
  const button = $('caps-save');
  button.disabled = true;
  button.textContent = 'Saving…';
  try {
    await api('PUT', '/api/v1/caps', read.body);
    const saved = await api('GET', '/api/v1/caps');
    render(saved);
    $('caps-save').focus();  // the form was rebuilt: keep the keyboard where it was
    notice(`Saved: daily ${describe(saved.daily_usd)}, monthly ${describe(saved.monthly_usd)}.`);
  } catch (e) {
    error.textContent = e.message;
    button.disabled = false;
    button.textContent = 'Save caps';
  }
}
