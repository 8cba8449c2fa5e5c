// The keyrelay API as this page uses it. The access token lives in sessionStorage only: never in
// a URL, never in a cookie, gone with the tab. Inside a host app's frame (embed.js) it lives in
// memory only, and a 401 first asks the host for a new token.

const TOKEN = 'keyrelay.token';
const host = { token: null, renew: null };

export const session = {
  token: () => (host.renew ? host.token : sessionStorage.getItem(TOKEN)),
  set: (token) => (host.renew ? (host.token = token) : sessionStorage.setItem(TOKEN, token)),
  clear: () => (host.renew ? (host.token = null) : sessionStorage.removeItem(TOKEN)),
  // From now on the token comes from the host: `renew()` resolves true once it sent a new one.
  useHost: (renew) => { host.renew = renew; },
  framed: () => host.renew !== null,
};

// An API error in words a person understands, with the API's code kept for the code that reacts.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const PLAIN_WORDS = {
  unauthenticated: 'Your session has ended or the token is not valid. Please sign in again.',
  forbidden: 'This token is not allowed to do that. Ask your administrator for a token with the right access.',
  not_found: 'That item no longer exists. It may have been deleted in another window.',
  conflict: null, // the API's own message says what clashes
  rate_limited: null,
  payload_too_large: 'That is too large to send.',
  upstream_error: 'The provider could not be reached. Please try again in a moment.',
  upstream_timeout: 'The provider did not answer in time. Please try again in a moment.',
  unavailable: 'keyrelay is busy or restarting. Please try again in a moment.',
  internal: 'Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.',
};

function explain(status, code, message, retryAfter) {
  if (code === 'rate_limited') {
    const wait = retryAfter ? ` Please wait ${retryAfter} second${retryAfter === '1' ? '' : 's'} and try again.` : '';
    return `Too many attempts in a short time.${wait}`;
  }
  if (code === 'invalid_request' || code === 'conflict') return message ? `${message[0].toUpperCase()}${message.slice(1)}.` : 'Please check what you entered.';
  return PLAIN_WORDS[code] || message || `The request failed (HTTP ${status}).`;
}

export async function api(method, path, body, renewed = false) {
  const headers = { Accept: 'application/json' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'keyrelay could not be reached. Check your connection and try again.');
  }
  // A token that changed meanwhile (another request renewed it) is simply tried; otherwise ask.
  if (response.status === 401 && host.renew && !renewed && (session.token() !== token || await host.renew()))
    return api(method, path, body, true);
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const code = error.code || 'internal';
    throw new ApiError(response.status, code, explain(response.status, code, error.message, response.headers.get('Retry-After')));
  }
  return data;
}

// Every page of a collection ({"data":[…],"next_cursor":…}).
export async function all(path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 50; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const result = await api('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...result.data);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return items;
}
