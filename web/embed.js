// The settings page inside a host app's iframe. The host's backend mints a short-lived session
// token (POST /api/v1/sessions) and the host's page hands it to this page by postMessage — never in
// a URL — and hands over a new one whenever asked:
//   host → page: {type: 'keyrelay:token', token: 'kr_…', expires_at: '2026-12-07T20:15:00Z'}
//   page → host: {type: 'keyrelay:token-request'}   at start, about a minute before expiry, after a 401
// Only messages from the parent window, from an origin KEYRELAY_UI_FRAME_ANCESTORS allows (served in
// the page's keyrelay-frame-ancestors meta tag), are taken. The token stays in this frame's memory.

const REQUEST = 'keyrelay:token-request';
const TOKEN = 'keyrelay:token';

export const isFramed = () => window.parent !== window;

// The exact origins the operator lets frame this page: 'self' is this page's origin, 'none' and
// wildcard or scheme-only sources give none (a token is taken only from an origin named exactly).
export function allowedOrigins() {
  const meta = document.querySelector('meta[name="keyrelay-frame-ancestors"]');
  const origins = new Set();
  for (const source of (meta ? meta.content : '').split(/\s+/)) {
    if (source === "'self'") origins.add(window.location.origin);
    else if (/^https?:\/\/[^/]+\/?$/.test(source) && !source.includes('*')) origins.add(new URL(source).origin);
  }
  return [...origins];
}

// Listens for the host's tokens; `onToken(token)` gets each accepted one. Returns `renew(ms)`, which
// asks the host for a new token and resolves true when one arrived within `ms`, and the origins.
export function connectToHost(onToken) {
  const origins = allowedOrigins();
  let waiting = [];
  let timer = null;
  const ask = () => {
    for (const origin of origins) window.parent.postMessage({ type: REQUEST }, origin);
  };
  const renewBeforeExpiry = (expiresAt) => {
    clearTimeout(timer);
    const left = Date.parse(expiresAt) - Date.now();
    if (!Number.isFinite(left)) return;
    timer = setTimeout(ask, Math.max(0, left - Math.min(60000, left / 5)));
  };
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !origins.includes(event.origin)) return;
    const message = event.data;
    if (!message || message.type !== TOKEN || typeof message.token !== 'string' || !message.token) return;
    onToken(message.token);
    renewBeforeExpiry(message.expires_at);
    const done = waiting;
    waiting = [];
    for (const resolve of done) resolve(true);
  });
  // Requests that fail together share one question to the host.
  const renew = (ms = 10000) => new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) ask();
    setTimeout(() => {
      if (!waiting.includes(resolve)) return;
      waiting = waiting.filter((r) => r !== resolve);
      resolve(false);
    }, ms);
  });
  return { renew, origins };
}
