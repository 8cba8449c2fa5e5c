// The Usage tab: requests, tokens and cost (USD) per provider and day, as a stacked SVG bar chart
// (requests per day, one colour per provider) and a table with totals, then the cost per provider
// and model. A cost keyrelay has no price for shows as "—" with the number of unpriced requests.

import { api } from './api.js';
import { el, svg, replace, loading, empty, problem } from './dom.js';
import { count, isoDay, usd } from './format.js';

const $ = (id) => document.getElementById(id);

function chart(rows, days, providerOrder) {
  const width = 720;
  const height = 200;
  const pad = { left: 36, bottom: 22, top: 8 };
  const perDay = new Map(days.map((d) => [d, new Map()]));
  for (const r of rows) perDay.get(r.day)?.set(r.provider, r.requests);
  const max = Math.max(1, ...[...perDay.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const slot = (width - pad.left) / days.length;
  const barWidth = Math.max(2, slot * 0.7);
  const scale = (v) => (v / max) * (height - pad.top - pad.bottom);
  const bars = [];
  days.forEach((d, i) => {
    let y = height - pad.bottom;
    for (const [index, provider] of providerOrder.entries()) {
      const v = perDay.get(d).get(provider) || 0;
      if (!v) continue;
      const h = scale(v);
      y -= h;
      bars.push(svg('rect', { class: `s${index % 6}`, x: (pad.left + i * slot).toFixed(1), y: y.toFixed(1),
                              width: barWidth.toFixed(1), height: h.toFixed(1) },
        svg('title', { text: `${d} · ${provider}: ${v} requests` })));
    }
  });
  const labels = days.filter((_, i) => i === 0 || i === days.length - 1 || i % Math.ceil(days.length / 6) === 0)
    .map((d) => {
      const last = d === days[days.length - 1];
      return svg('text', { x: (pad.left + days.indexOf(d) * slot + (last ? barWidth : 0)).toFixed(1), y: height - 6,
                           'text-anchor': last ? 'end' : 'start', text: d.slice(5) });
    });
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
                      'aria-label': `Requests per day over the last ${days.length} days; the highest day had ${max}` },
    svg('line', { class: 'axis', x1: pad.left, y1: height - pad.bottom, x2: width, y2: height - pad.bottom }),
    svg('text', { x: 0, y: pad.top + 10, text: String(max) }),
    svg('text', { x: 0, y: height - pad.bottom, text: '0' }),
    bars, labels);
}

// The cost cell: USD of the priced requests, and how many requests had no price.
function costCell(r) {
  const unpriced = r.unpriced_requests || 0;
  const note = unpriced > 0 ? ` (${count(unpriced)} unpriced)` : '';
  return el('td', { class: 'num', text: usd(r.cost_usd) + note,
                    title: unpriced > 0 ? 'No price is known for some requests: their cost is not included' : '' });
}

function modelTable(rows) {
  const sorted = [...rows].sort((a, b) => a.provider.localeCompare(b.provider) || (a.model || '').localeCompare(b.model || ''));
  return el('div', { class: 'table-wrap' }, el('table', { id: 'usage-models' },
    el('caption', { class: 'muted', text: 'Cost per provider and model' }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: 'Provider' }), el('th', { scope: 'col', text: 'Model' }),
      el('th', { scope: 'col', class: 'num', text: 'Requests' }), el('th', { scope: 'col', class: 'num', text: 'Input tokens' }),
      el('th', { scope: 'col', class: 'num', text: 'Output tokens' }), el('th', { scope: 'col', class: 'num', text: 'Cost (USD)' }))),
    el('tbody', {}, sorted.map((r) => el('tr', {},
      el('td', { text: r.provider }), el('td', { text: r.model || '(none named)' }),
      el('td', { class: 'num', text: count(r.requests) }), el('td', { class: 'num', text: count(r.input_tokens) }),
      el('td', { class: 'num', text: count(r.output_tokens) }), costCell(r))))));
}

export async function loadUsage() {
  const body = $('usage-body');
  loading(body, 'usage');
  const span = Number($('usage-days').value);
  const to = new Date();
  const from = new Date(to.getTime() - (span - 1) * 86400000);
  try {
    const range = `from=${isoDay(from)}&to=${isoDay(to)}`;
    const [result, byModel] = await Promise.all([api('GET', `/api/v1/usage?group_by=day,provider&${range}`),
                                                 api('GET', `/api/v1/usage?group_by=provider,model&${range}`)]);
    const rows = result.data;
    if (rows.length === 0) {
      replace(body, empty('No usage in this period yet. Requests through keyrelay show up here within a few seconds.'));
      return;
    }
    const days = [];
    for (let t = from.getTime(); t <= to.getTime() + 1; t += 86400000) days.push(isoDay(new Date(t)));
    const providerOrder = [...new Set(rows.map((r) => r.provider))].sort();
    const legend = el('div', { class: 'legend', 'aria-hidden': 'true' },
      providerOrder.map((p, i) => el('span', {}, el('span', { class: `swatch s${i % 6}` }), p)));
    const sorted = [...rows].sort((a, b) => (a.day === b.day ? a.provider.localeCompare(b.provider) : b.day.localeCompare(a.day)));
    const totals = result.totals || {};
    const table = el('div', { class: 'table-wrap' }, el('table', {},
      el('caption', { class: 'muted', text: 'Usage per provider and day' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: 'Day' }), el('th', { scope: 'col', text: 'Provider' }),
        el('th', { scope: 'col', class: 'num', text: 'Requests' }), el('th', { scope: 'col', class: 'num', text: 'Input tokens' }),
        el('th', { scope: 'col', class: 'num', text: 'Output tokens' }), el('th', { scope: 'col', class: 'num', text: 'Errors' }),
        el('th', { scope: 'col', class: 'num', text: 'Cost (USD)' }))),
      el('tbody', {}, sorted.map((r) => el('tr', {},
        el('td', { text: r.day }), el('td', { text: r.provider }),
        el('td', { class: 'num', text: count(r.requests) }), el('td', { class: 'num', text: count(r.input_tokens) }),
        el('td', { class: 'num', text: count(r.output_tokens) }), el('td', { class: 'num', text: count(r.errors) }),
        costCell(r)))),
      el('tfoot', {}, el('tr', {},
        el('td', { text: 'Total' }), el('td', {}),
        el('td', { class: 'num', text: count(totals.requests) }), el('td', { class: 'num', text: count(totals.input_tokens) }),
        el('td', { class: 'num', text: count(totals.output_tokens) }), el('td', { class: 'num', text: count(totals.errors) }),
        costCell(totals)))));
    replace(body, legend, chart(rows, days, providerOrder), table, modelTable(byModel.data));
  } catch (error) {
    replace(body, problem(error));
  }
}

export function setUpUsage() {
  $('usage-days').addEventListener('change', loadUsage);
}
