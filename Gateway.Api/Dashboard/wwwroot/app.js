// The dashboard shell: session (cookie; the key never kept here), hash router, navigation built per role.
import { state, api, onUnauthorized, el, field, alertBox, announce, ApiError, closeDialogs } from './lib.js';

const ALL = ['admin', 'finance', 'auditor', 'key-manager'];
const READERS = ['admin', 'finance', 'auditor'];

/** Every page, who may see it, and its module (pages/<module>.js). */
const PAGES = [
  { id: 'overview', label: 'Overview', roles: READERS },
  { id: 'costs', label: 'Costs', roles: READERS },
  { id: 'requests', label: 'Requests', roles: READERS },
  { id: 'catalog', label: 'Catalog', roles: ALL },
  { id: 'keys', label: 'Keys', roles: ALL },
  { id: 'budgets', label: 'Budgets', roles: READERS },
  { id: 'audit', label: 'Audit', roles: ['admin', 'auditor'] },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

let page = null; // { alive, cleanups }

const allowed = (role) => PAGES.filter((p) => p.roles.includes(role));

function capabilities(session) {
  const role = session.role;
  return {
    role,
    /** Catalog, budgets and other configuration changes. */
    admin: role === 'admin',
    /** Issue, rotate and revoke gateway keys. */
    manageKeys: role === 'admin' || role === 'key-manager',
    /** The team a key manager is bound to (null for other roles). */
    teamId: role === 'key-manager' ? session.teamId : null,
  };
}

function teardown() {
  // A reason dialog still open belongs to the page being left: cancelled, its write never sent.
  closeDialogs();
  if (!page) return;
  page.alive = false;
  for (const fn of page.cleanups.splice(0)) {
    try { fn(); } catch (e) { console.error(e); }
  }
  page = null;
}

// ---------- session ----------

async function loadSession() {
  const res = await fetch('/ui/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (res.status === 204 || res.status === 401) return null;
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  return res.json();
}

function showSignIn(message) {
  teardown();
  state.session = null;
  nav.replaceChildren();
  nav.hidden = true;
  who.replaceChildren();
  document.title = 'Sign in — AI Gateway';
  const input = el('input', { type: 'password', id: 'admin-key', name: 'admin-key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = el('div.alert', { role: 'alert', id: 'sign-in-error', testid: 'sign-in-error' });
  const submit = el('button.primary', { type: 'submit', testid: 'sign-in', text: 'Sign in' });
  const form = el('form.sign-in', { testid: 'sign-in-form', novalidate: true },
    el('h1', { text: 'Sign in' }),
    el('p.muted', { text: 'Sign in with an admin key. The key is exchanged for a session cookie and is not kept by this page.' }),
    field('Admin key', input).wrap, error, el('div.actions', null, submit));
  if (message) error.append(el('p', { text: message }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value;
    input.value = '';
    error.replaceChildren();
    if (!key.trim()) { error.append(el('p', { text: 'Enter an admin key.' })); input.focus(); return; }
    submit.disabled = true;
    try {
      const res = await fetch('/ui/session', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ key }),
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        error.append(el('p', { text: (data && (data.detail || data.title)) || `Sign-in failed (${res.status}).` }));
        input.focus();
        return;
      }
      signedIn(data, true);
    } catch (err) {
      error.append(el('p', { text: `Sign-in failed: ${err.message}` }));
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(form);
  input.focus();
}

function signedIn(session, fresh) {
  state.session = session;
  const pages = allowed(session.role);
  nav.replaceChildren(el('ul', null, pages.map((p) =>
    el('li', null, el('a', { href: `#/${p.id}`, testid: `nav-${p.id}`, text: p.label })))));
  nav.hidden = false;
  const out = el('button', { type: 'button', id: 'sign-out', testid: 'sign-out', text: 'Sign out' });
  out.addEventListener('click', signOut);
  who.replaceChildren(
    el('span.who-name', { testid: 'session-name', text: session.name || 'signed in' }),
    el('span.role-badge', { testid: 'session-role', text: session.role }),
    out);
  if (fresh) announce(`Signed in as ${session.name} (${session.role}).`);
  route(fresh);
}

async function signOut() {
  const token = state.session && state.session.csrfToken;
  try {
    await fetch('/ui/session', { method: 'DELETE', credentials: 'same-origin', headers: token ? { 'X-CSRF-TOKEN': token } : {} });
  } catch { /* signed out locally either way */ }
  showSignIn();
  announce('Signed out.');
}

// ---------- router ----------

/** The page id and its parameter from the hash; `bad` when a part is not a valid escape (e.g. "%E0"). */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '').split('/');
  const decode = (part) => {
    try { return { ok: true, value: decodeURIComponent(part) }; } catch { return { ok: false, value: part }; }
  };
  const id = decode(raw[0] || '');
  const param = raw.length > 1 ? decode(raw[1]) : { ok: true, value: '' };
  return { id: id.value || '', param: param.value || null, bad: !id.ok || !param.ok };
}

async function route(focus) {
  const session = state.session;
  if (!session) return;
  const pages = allowed(session.role);
  let { id, param, bad } = parseHash();
  const known = PAGES.find((p) => p.id === id);
  if (bad) {
    teardown();
    const meta = known && known.roles.includes(session.role) ? known : null;
    for (const a of nav.querySelectorAll('a')) {
      if (meta && a.getAttribute('href') === `#/${meta.id}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = 'Not found — AI Gateway';
    const back = meta || pages[0];
    const h1 = el('h1', { text: 'Not found', tabindex: '-1' });
    main.replaceChildren(h1,
      el('p', { testid: 'not-found', text: 'This address does not name anything the dashboard can show (it is not a valid link).' }),
      back ? el('p', null, el('a', { href: `#/${back.id}`, text: `Go to ${back.label}` })) : '');
    if (focus) h1.focus();
    return;
  }
  if (!known) {
    id = pages.some((p) => p.id === 'overview') ? 'overview' : pages.some((p) => p.id === 'keys') ? 'keys' : (pages[0] || PAGES[4]).id;
    param = null;
    history.replaceState(null, '', `#/${id}`);
  }
  teardown();
  const life = { alive: true, cleanups: [] };
  page = life;
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${id}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  const meta = PAGES.find((p) => p.id === id);
  if (!meta.roles.includes(session.role)) {
    document.title = 'Not available — AI Gateway';
    main.append(el('h1', { text: 'Not available', tabindex: '-1' }),
      el('p', { text: `The ${session.role} role cannot open ${meta.label}.` }),
      pages[0] ? el('p', null, el('a', { href: `#/${pages[0].id}`, text: `Go to ${pages[0].label}` })) : '');
    return;
  }
  const moduleName = id === 'requests' && param ? 'request' : id;
  document.title = `${meta.label} — AI Gateway`;
  const ctx = {
    session,
    api,
    can: capabilities(session),
    params: { id: param },
    announce,
    isAlive: () => life.alive,
    every(ms, fn) { const t = setInterval(fn, ms); life.cleanups.push(() => clearInterval(t)); },
    onCleanup(fn) { life.cleanups.push(fn); },
  };
  try {
    const mod = await import(`./pages/${moduleName}.js`);
    if (!life.alive) return;
    const cleanup = await mod.render(main, ctx);
    if (typeof cleanup === 'function') {
      if (life.alive) life.cleanups.push(cleanup);
      else cleanup();
    }
    if (focus && life.alive) {
      const h1 = main.querySelector('h1');
      if (h1) { h1.tabIndex = -1; h1.focus(); }
    }
  } catch (err) {
    if (!life.alive || err.status === 401) return;
    console.error(err);
    const box = alertBox('page-error');
    box.append(el('p', { text: `This page could not be shown: ${err.message}` }));
    main.append(el('h1', { text: meta.label }), box);
  }
}

onUnauthorized(() => {
  if (!document.getElementById('admin-key')) showSignIn('Your session has ended. Sign in again.');
});
window.addEventListener('hashchange', () => { if (state.session) route(true); });

(async () => {
  try {
    const session = await loadSession();
    if (session) signedIn(session, false);
    else showSignIn();
  } catch (err) {
    main.replaceChildren(el('h1', { text: 'AI Gateway' }), el('p.alert', { role: 'alert', text: `The dashboard could not reach the gateway: ${err.message}` }));
  }
})();
