import { get } from '../api.js';
import { append, clear, h, notice } from '../ui.js';

/** Runs a page's loading; a refusal (say, a scope the key lacks) is shown as the API worded it. */
export async function guarded(main, title, load) {
  main.append(h('h1', {}, title));
  const body = h('div', { 'aria-live': 'polite' });
  main.append(body);
  try {
    return await load(body);
  } catch (error) {
    body.replaceChildren(notice(error.status === 403 ? `Refused: ${error.message}` : error.message, 'error'));
    return undefined;
  }
}

/** A labelled application picker; calls `onPick(applicationId)` now and on every change. */
export async function applicationPicker(onPick, selected) {
  const apps = await get('2fa/2/applications');
  const select = h('select', { id: 'application-picker', name: 'application' },
    apps.map(a => h('option', { value: a.applicationId, selected: a.applicationId === selected }, `${a.name} (${a.applicationId.slice(0, 8)}…)`)));
  select.addEventListener('change', () => onPick(select.value));
  const node = h('div', { class: 'field inline' }, h('label', { for: 'application-picker' }, 'Application'), select);
  if (apps.length === 0) return { node: notice('No applications yet: create one under Applications.'), apps };
  queueMicrotask(() => onPick(select.value));
  return { node, apps };
}

/** A page about one application at a time: a picker, and `show(content, applicationId)` below it on every pick. */
export function perApplication(main, title, contentId, show) {
  guarded(main, title, async body => {
    const content = h('div', { id: contentId });
    const picker = await applicationPicker(id => show(content, id).catch(e => clear(content, notice(e.message, 'error'))));
    append(body, picker.node, content);
  });
}
