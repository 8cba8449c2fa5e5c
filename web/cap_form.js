// What every spend-cap view shares: the two amount fields (daily, monthly), checked as the API
// checks them, and the meters of what was spent against each cap. A cap reads back as
// {daily_usd, monthly_usd, spent_today_usd, spent_month_usd, resets_at}; null means no cap.

import { el } from './dom.js';
import { usd, when } from './format.js';

// At most 6 decimals: caps are held in micro-USD. No sign, no exponent, no thousands separator,
// so what the field shows is exactly the amount sent.
const AMOUNT = /^(\d+(\.\d*)?|\.\d+)$/;
// The largest cap the API accepts (a billion dollars; below it a JavaScript number still holds
// six decimals exactly).
const MAX_USD = 1e9;

// The amount typed in a cap field: {value} (a number, or null for an empty field: no cap) or
// {error} in words, for the field named `label`.
export function parseAmount(text, label) {
  const typed = text.trim();
  if (typed === '') return { value: null };
  if (typed.startsWith('-')) return { error: `${label} cannot be negative.` };
  if (!AMOUNT.test(typed)) return { error: `${label} must be an amount in US dollars such as 5 or 12.50 (or empty for no cap).` };
  const fraction = typed.includes('.') ? typed.slice(typed.indexOf('.') + 1).replace(/0+$/, '') : '';
  const decimals = fraction.length;
  if (decimals > 6) return { error: `${label} can have at most 6 decimals (a millionth of a dollar).` };
  const value = Number(typed);
  if (!Number.isFinite(value) || value > MAX_USD) return { error: `${label} can be at most $1,000,000,000.` };
  return { value };
}

// The labelled daily and monthly fields, ids `${prefix}-daily` and `${prefix}-monthly`, filled
// with `cap`'s amounts (empty for no cap). The fields are text, not type=number: a browser turns
// a number field it cannot parse into "", which would read as "no cap".
export function capFields(prefix, cap, errorId) {
  const field = (period, label, value) => {
    const id = `${prefix}-${period}`;
    return el('div', { class: 'field' },
      el('label', { for: id, text: label }),
      el('div', { class: 'amount' },
        el('span', { class: 'currency', 'aria-hidden': 'true', text: '$' }),
        el('input', { id, name: period, inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
                      placeholder: 'no cap', 'aria-describedby': `${id}-hint ${errorId}`,
                      value: value === null || value === undefined ? '' : String(value) })),
      el('p', { class: 'hint', id: `${id}-hint`, text: 'In US dollars; leave empty for no cap.' }));
  };
  return el('div', { class: 'row' },
    field('daily', 'Daily cap (USD)', cap?.daily_usd),
    field('monthly', 'Monthly cap (USD)', cap?.monthly_usd));
}

// The body of a PUT from the fields of `prefix`: {body} or {error, input} (the field to fix,
// marked aria-invalid). Nothing is sent unless both fields are right.
export function readCapFields(prefix) {
  const body = {};
  for (const [period, label] of [['daily', 'The daily cap'], ['monthly', 'The monthly cap']]) {
    const input = document.getElementById(`${prefix}-${period}`);
    const parsed = parseAmount(input.value, label);
    input.toggleAttribute('aria-invalid', Boolean(parsed.error));
    if (parsed.error) return { error: parsed.error, input };
    body[`${period}_usd`] = parsed.value;
  }
  return { body };
}

// The next start of a UTC day and of a UTC month after `now`: when each period's spend resets.
export function nextResets(now = new Date()) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { day: day.toISOString(), month: month.toISOString() };
}

// How full a cap is: 'ok' below 80 %, 'warn' from 80 % (the first alert), 'bad' at 100 %.
function level(spent, cap) {
  if (cap === 0) return 'bad';
  const share = spent / cap;
  return share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok';
}

// One period's meter: the amount spent, the cap, a bar (for the eye; the sentence says the same
// for a screen reader) and when it resets.
function meter(title, spent, cap, resetsAt, resetWords) {
  const spentText = usd(spent ?? 0);
  const noCap = cap === null || cap === undefined;
  const share = noCap || cap === 0 ? (noCap ? 0 : 1) : Math.min(1, (spent ?? 0) / cap);
  const percent = noCap ? '' : ` (${Math.round(share * 100)}\u00a0%)`;  // no break before the sign
  const bar = el('div', { class: `bar ${noCap ? 'none' : level(spent ?? 0, cap)}`, 'aria-hidden': 'true' }, el('span'));
  bar.firstChild.style.width = `${(share * 100).toFixed(1)}%`;  // CSSOM: allowed by the page's CSP
  return el('div', { class: 'meter' },
    el('h3', { text: title }),
    el('p', { class: 'spent' }, el('strong', { text: spentText }),
      noCap ? ' spent · no cap' : ` of ${usd(cap)} spent${percent}`),
    bar,
    el('p', { class: 'hint', text: `Resets ${when(resetsAt)} (${resetWords}).` }));
}

// The two meters of a cap as read back from the API.
export function capMeters(cap, now = new Date()) {
  const resets = nextResets(now);
  return el('div', { class: 'meters' },
    meter('Today', cap.spent_today_usd, cap.daily_usd, resets.day, 'midnight UTC'),
    meter('This month', cap.spent_month_usd, cap.monthly_usd, resets.month, 'the first of the month, UTC'));
}
