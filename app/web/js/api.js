// The JSON API from the page: the bearer token (kept for this tab only, in
// sessionStorage) and the API's error bodies as exceptions.

const TOKEN_KEY = 'outrigger.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  document.dispatchEvent(new CustomEvent('tokenchange'));
}

/** An answer of the API that is not 2xx: its status and error body. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
  }
}

let askToken = async () => false;

/** Sets what asks the user for a token after a 401 (true: ask again). */
export function onUnauthenticated(fn) {
  askToken = fn;
}

/** A raw request with the token; retried once after a 401 if the user gave one. */
export async function request(method, path, { body, signal, headers = {} } = {}) {
  for (let tries = 0; ; ++tries) {
    const h = { ...headers };
    const t = token();
    if (t) h.Authorization = `Bearer ${t}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method, headers: h, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && tries === 0 && (await askToken())) continue;
    return res;
  }
}

/** A JSON request: the parsed body, or an ApiError. */
export async function call(method, path, options = {}) {
  const res = await request(method, path, options);
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const get = (path, options) => call('GET', path, options);

/** "a=1&b=x" from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
