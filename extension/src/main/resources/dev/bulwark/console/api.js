// Talks to Bulwark's webadmin routes, same origin. When webadmin's JWT authentication is on, the first
// 401 asks for a token (once per tab, kept in sessionStorage) and the request is repeated with it.

const TOKEN_KEY = 'bulwark.console.token';

/** An answer other than the expected ones; message is webadmin's own message when it sent one. */
export class ApiError extends Error {
  constructor(method, path, status, message) {
    super(message);
    this.method = method;
    this.path = path;
    this.status = status;
  }

  describe() {
    return `${this.method} ${this.path} failed (${this.status}): ${this.message}`;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

let tokenPrompt = null;

/**
 * Shows the token dialog and resolves with the token typed in. Requests failing together (the
 * dashboard sends several) share one dialog.
 */
function askForToken(problem) {
  if (tokenPrompt) {
    return tokenPrompt;
  }
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const problemText = document.getElementById('token-problem');
  problemText.textContent = problem || '';
  problemText.hidden = !problem;
  input.value = '';
  tokenPrompt = new Promise((resolve, reject) => {
    const submitted = event => {
      event.preventDefault();
      const typed = input.value.trim();
      if (!typed) {
        return;
      }
      done();
      sessionStorage.setItem(TOKEN_KEY, typed);
      resolve(typed);
    };
    const cancelled = () => {
      done();
      reject(new ApiError('GET', 'webadmin', 401, 'no token given: webadmin requires one'));
    };
    const done = () => {
      form.removeEventListener('submit', submitted);
      dialog.removeEventListener('cancel', cancelled);
      tokenPrompt = null;
      if (dialog.open) {
        dialog.close();
      }
    };
    form.addEventListener('submit', submitted);
    dialog.addEventListener('cancel', cancelled);
  });
  dialog.showModal();
  input.focus();
  return tokenPrompt;
}

async function errorMessage(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === 'string') {
      return body.message;
    }
  } catch (notJson) {
    // webadmin's authentication answers plain text ("Invalid Bearer header."): shown as it is.
  }
  return text.trim().slice(0, 500) || response.statusText || 'no message';
}

/**
 * Calls a webadmin route. options: method, body (sent as JSON), as ('json' | 'blob'), accept (statuses
 * that are answers, not errors, e.g. 503 for an unhealthy /healthcheck). Resolves with the parsed body
 * (null for 204), rejects with an ApiError.
 */
export async function api(path, options = {}) {
  const method = options.method || 'GET';
  const accepted = options.accept || [];
  for (;;) {
    const headers = {Accept: options.as === 'blob' ? '*/*' : 'application/json'};
    const sentToken = token();
    if (sentToken) {
      headers.Authorization = `Bearer ${sentToken}`;
    }
    let body;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response;
    try {
      response = await fetch(path, {method, headers, body, credentials: 'same-origin', cache: 'no-store'});
    } catch (network) {
      throw new ApiError(method, path, 0, `webadmin did not answer (${network.message})`);
    }
    if (response.status === 401) {
      const refusal = await errorMessage(response);
      if (sentToken && token() === sentToken) {
        forgetToken();
      }
      await askForToken(sentToken
        ? `Webadmin refused the token (401: ${refusal}). Check that it is an admin token signed with webadmin's key and not expired.`
        : null);
      continue;
    }
    if (!response.ok && !accepted.includes(response.status)) {
      throw new ApiError(method, path, response.status, await errorMessage(response));
    }
    if (options.as === 'blob') {
      return response.blob();
    }
    if (response.status === 204) {
      return null;
    }
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }
}

/** Path segment encoding for values that end up in a route (list patterns, group names, ids). */
export function segment(value) {
  return encodeURIComponent(value);
}
