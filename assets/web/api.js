// The JSON API: one fetch wrapper that adds the CSRF header and turns the
// server's {"error","message"} answers into ApiError with a readable message.
export class ApiError extends Error {
  constructor(status, code, message, retryAfter = 0) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export const api = {
  csrf: '',

  async call(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    let res;
    try {
      res = await fetch(path, {
        method, headers, credentials: 'same-origin', cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Inhouse could not be reached. Check your connection and try again.');
    }
    let data = {};
    try { data = await res.json(); } catch { /* empty or not JSON */ }
    if (!res.ok) {
      throw new ApiError(res.status, data.error || `http_${res.status}`,
        data.message || `The server answered ${res.status}. Try again.`,
        Number(res.headers.get('Retry-After')) || 0);
    }
    return data;
  },

  // me is null when signed out.
  async me() {
    try { return await this.call('GET', '/api/me'); } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  },
  // The office's name for the sign-in page, when the server offers it.
  async office() {
    try { return (await this.call('GET', '/api/office')).office || ''; } catch { return ''; }
  },
  login: (username, password) => api.call('POST', '/api/login', { username, password }),
  logout: () => api.call('POST', '/api/logout', {}),
  acceptPolicy: (version) => api.call('POST', '/api/policy/accept', { version }),
  password: (old, next) => api.call('POST', '/api/password', { old, new: next }),
  users: async () => (await api.call('GET', '/api/users')).users || [],
  channels: async () => (await api.call('GET', '/api/channels')).channels || [],
  publicChannels: async () => (await api.call('GET', '/api/channels/public')).channels || [],
  join: async (id) => (await api.call('POST', `/api/channels/${encodeURIComponent(id)}/join`, {})).channel,
  createChannel: async (name, priv, members) => (await api.call('POST', '/api/channels', { name, private: priv, members })).channel,
  // search: {q, channel?, from?, has?: [link, file], is?, since?, until?, before?, limit?} -> {results, next}.
  search: (params) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
      else if (v !== undefined && v !== null && v !== '' && v !== 0) q.set(k, String(v));
    }
    return api.call('GET', `/api/search?${q}`);
  },
  dm: async (user) => (await api.call('POST', '/api/dm', { user })).channel,
  // channelFiles: a conversation's files, newest first, 100 a page; before
  // is the seq of the last one shown (0: the newest).
  channelFiles: async (id, before = 0) =>
    (await api.call('GET', `/api/channels/${encodeURIComponent(id)}/files${before ? `?before=${before}` : ''}`)).files || [],
};
