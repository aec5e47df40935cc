import { api, setCsrf, whenSignedOut } from './api.js';
import { h, clear, notice } from './ui.js';
import { overview } from './pages/overview.js';
import { applications, application } from './pages/applications.js';
import { explorer } from './pages/explorer.js';
import { channels } from './pages/channels.js';
import { protection } from './pages/protection.js';
import { webhooks } from './pages/webhooks.js';
import { audit } from './pages/audit.js';
import { keys } from './pages/keys.js';

const pages = [
  { path: '', title: 'Overview', render: overview },
  { path: 'applications', title: 'Applications', render: applications },
  { path: 'pins', title: 'PIN explorer', render: main => explorer(main) },
  { path: 'channels', title: 'Channels', render: channels },
  { path: 'protection', title: 'Protection', render: protection },
  { path: 'webhooks', title: 'Webhooks', render: webhooks },
  { path: 'audit', title: 'Audit trail', render: audit },
  { path: 'keys', title: 'Keys and tenants', render: keys },
];

const base = new URL(document.baseURI).pathname;
const app = document.getElementById('app');
let session = null;
let leave = () => {};

whenSignedOut(() => signIn('Your session has ended. Sign in again.'));

function route() {
  const rest = decodeURIComponent(location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '').replace(/\/+$/, '');
  const [first, ...more] = rest.split('/');
  if (first === 'applications' && more[0]) return { page: pages[1], title: 'Application', render: c => application(c, more[0]) };
  if (first === 'pins' && more[0]) return { page: pages[2], title: 'PIN', render: c => explorer(c, more[0]) };
  const page = pages.find(p => p.path === first);
  return page ? { page, title: page.title, render: page.render } : null;
}

async function start() {
  try {
    const current = await api('GET', 'console/api/session');
    if (current) signedIn(current);
    else signIn();
  } catch (error) {
    signIn(error.message);
  }
}

function signedIn(current) {
  session = current;
  setCsrf(current.csrfToken);
  render();
}

function signIn(message) {
  leave();
  session = null;
  setCsrf(null);
  document.title = 'Sign in · OpenTfa console';
  const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'sign-in-error' });
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' });
  const form = h('form', { class: 'sign-in', 'aria-label': 'Sign in' },
    h('h1', {}, 'OpenTfa console'),
    message ? notice(message) : null,
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('small', { class: 'muted' }, 'The key is exchanged for a session cookie and never kept in the browser.'),
    error,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    try {
      const current = await api('POST', 'console/api/session', { apiKey: input.value.trim() });
      input.value = '';
      signedIn(current);
    } catch (e) {
      error.textContent = e.message;
      input.focus();
    }
  });
  clear(app, h('main', { id: 'main', tabindex: -1 }, form));
  input.focus();
}

async function signOut() {
  try {
    await api('DELETE', 'console/api/session');
  } finally {
    signIn('You have signed out.');
  }
}

function render() {
  leave();
  leave = () => {};
  const current = route();
  const main = h('main', { id: 'main', tabindex: -1 });
  const nav = h('nav', { 'aria-label': 'Console' },
    h('ul', {}, pages.map(p => h('li', {}, h('a', { href: p.path || '.', 'aria-current': current?.page === p ? 'page' : null }, p.title)))));
  const header = h('header', {},
    h('a', { class: 'brand', href: '.' }, 'OpenTfa'),
    h('span', { class: 'who' }, `${session.keyName || session.keyId} · tenant ${session.tenantId}`),
    h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'));
  clear(app, header, nav, main);
  if (!current) {
    document.title = 'Not found · OpenTfa console';
    main.append(h('h1', {}, 'Not found'), notice('There is no such page in the console.', 'error'));
    return;
  }
  document.title = `${current.title} · OpenTfa console`;
  const result = current.render(main, session);
  if (typeof result === 'function') leave = result;
  else if (result?.then) result.then(stop => { if (typeof stop === 'function') leave = stop; }, e => main.append(notice(e.message, 'error')));
  main.focus({ preventScroll: true });
}

document.addEventListener('click', event => {
  const link = event.target.closest?.('a[href]');
  if (!link || link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(base) || !session) return;
  event.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  render();
});
window.addEventListener('popstate', () => session && render());

start();
