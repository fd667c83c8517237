// The bearer token (this tab only: sessionStorage) and the JSON reads of the query API.

const KEY = 'lumbung.dashboard.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * The token: from `#token=` in the address (the demo prints such a link; it is then removed from the
 * address bar and history), else the one this tab kept.
 */
export function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]);
    saveToken(token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // kept in memory only
  }
}

export async function getJson(path, token) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) {
    let message = `${res.status}`;
    try {
      const body = await res.json();
      message = body.message ?? message;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, message);
  }
  return res.json();
}

/** The live stream's URL: EventSource cannot send headers, so the token goes in `access_token`. */
export function streamUrl(token, incident) {
  const q = new URLSearchParams({ access_token: token });
  if (incident) q.set('incident', incident);
  return `/events/stream?${q}`;
}
