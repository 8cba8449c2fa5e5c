// Small formatting helpers shared by the tabs.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const compact = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const number = new Intl.NumberFormat();

export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');
export const shortWhen = (iso) => (iso ? compact.format(new Date(iso)) : '—');
export const day = (iso) => (iso ? dateOnly.format(new Date(iso)) : '—');
export const count = (n) => number.format(n || 0);
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2,
                                                 maximumFractionDigits: 6 });
// A cost in USD; null (no price known for any of the requests) is "—", never $0.00.
export const usd = (v) => (v === null || v === undefined ? '—' : dollars.format(v));

export function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

// "2026-11-24" of a Date, in UTC (the API's days are UTC days).
export const isoDay = (date) => date.toISOString().slice(0, 10);
