// Every call goes to the same API any client uses, authenticated by the session cookie; changes
// carry the session's CSRF token. The token lives in memory only, never in browser storage.

const root = new URL('..', document.baseURI).pathname;
let csrf = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, message, fields) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export function setCsrf(token) {
  csrf = token;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-OpenTfa-Csrf'] = csrf;
  const response = await fetch(root + path.replace(/^\//, ''), {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (response.ok) return json;
  const error = describe(response.status, json);
  if (response.status === 401 && !path.startsWith('console/api/session')) onSignedOut();
  throw error;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads either envelope: Infobip's on /2fa/2, ProblemDetails on /opentfa/v1 and the console's own. */
function describe(status, body) {
  const infobip = body?.requestError?.serviceException;
  if (infobip) return new ApiError(status, infobip.text ?? infobip.messageId, infobip.validationErrors);
  if (body && (body.detail || body.title)) return new ApiError(status, body.detail ?? body.title, body.errors);
  return new ApiError(status, `The server answered ${status}.`);
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const put = (path, body) => api('PUT', path, body);
export const del = path => api('DELETE', path);

export const q = params => {
  const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false));
  return s.size ? `?${s}` : '';
};
