// Small DOM helpers. Text always goes in as text nodes, never as HTML, so nothing an API answer
// contains can become markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, ...children);
  return el;
}

export const time = ms => (ms === undefined || ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
export const percent = v => (v === undefined || v === null ? '—' : `${(v * 100).toFixed(1)} %`);

/** A table with a caption, headers and rows of cells (strings, numbers or nodes). */
export function table(caption, headers, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, `${caption}: ${empty}`);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map(r => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))));
}

let fieldCounter = 0;

/** A labelled input; `name` is the API's field path, so that its validation messages land beside it. */
export function field(label, name, { type = 'text', value = '', hint, options, required, ...rest } = {}) {
  const id = `f${++fieldCounter}`;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  let input;
  if (options) {
    input = h('select', { id, name, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') },
      options.map(o => h('option', { value: o, selected: String(value) === String(o) }, o)));
  } else if (type === 'checkbox') {
    input = h('input', { id, name, type, checked: !!value, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...rest });
  } else if (type === 'textarea') {
    input = h('textarea', { id, name, rows: 3, required, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...rest }, value ?? '');
  } else {
    input = h('input', { id, name, type, value: value ?? '', required, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...rest });
  }
  return h('div', { class: `field${type === 'checkbox' ? ' check' : ''}` },
    h('label', { for: id }, label),
    input,
    hint ? h('small', { id: hintId, class: 'muted' }, hint) : null,
    h('span', { id: errorId, class: 'error', 'data-error-for': name, role: 'alert' }));
}

/** Reads a form's named fields: empty text is left out; numbers and checkboxes are typed; `steps[0].channel` fills an array. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    let v;
    if (el.type === 'checkbox') v = el.checked;
    else if (el.value === '') continue;
    else if (el.type === 'number') v = Number(el.value);
    else v = el.value;
    const path = el.name.replace(/\[(\d+)\]/g, '.$1').split('.');
    let target = out;
    path.slice(0, -1).forEach((part, i) => { target = target[part] ??= /^\d+$/.test(path[i + 1]) ? [] : {}; });
    target[path.at(-1)] = v;
  }
  return out;
}

/** Shows an API error: each field message beside its field, the rest at the top of the form. */
export function showErrors(form, error) {
  for (const span of form.querySelectorAll('[data-error-for]')) span.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.form-error');
  const unplaced = [];
  for (const [path, messages] of Object.entries(error?.fields ?? {})) {
    const span = form.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
    if (span) {
      span.textContent = messages.join('; ');
      form.querySelector(`[name="${CSS.escape(path)}"]`)?.setAttribute('aria-invalid', 'true');
    } else unplaced.push(`${path}: ${messages.join('; ')}`);
  }
  if (summary) summary.textContent = error ? [error.message, ...unplaced].join(' ') : '';
}

/** A form that submits through `action` and shows the API's messages when it refuses. */
export function form(label, fields, submitText, action) {
  const f = h('form', { 'aria-label': label, novalidate: true },
    h('p', { class: 'form-error', role: 'alert' }),
    fields,
    h('button', { type: 'submit' }, submitText));
  f.addEventListener('submit', async event => {
    event.preventDefault();
    const button = f.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      showErrors(f, null);
      await action(values(f), f);
    } catch (error) {
      showErrors(f, error);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function section(title, ...children) {
  return h('section', { 'aria-label': title }, h('h2', {}, title), children);
}

/** Moves to a console page (a path relative to the console's base). */
export function go(path) {
  history.pushState(null, '', new URL(path, document.baseURI).pathname);
  dispatchEvent(new PopStateEvent('popstate'));
}
