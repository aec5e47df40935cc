import { del, get, put, q } from '../api.js';
import { h, clear, notice, section, showErrors, table, time } from '../ui.js';
import { perApplication } from './common.js';

const rules = [
  { key: 'countries', name: 'Countries', describe: r => describeList(r) },
  { key: 'prefixes', name: 'Prefixes', describe: r => describeList(r) },
  { key: 'numberTypes', name: 'Number types', describe: r => `refuse ${(r.refuse ?? []).join(', ') || 'none'}` },
  { key: 'caps', name: 'Caps per country and prefix', describe: r => [r.perCountry && `${r.perCountry} per country`, r.perPrefix && `${r.perPrefix} per ${r.prefixDigits ?? ''}-digit prefix`].filter(Boolean).join(', ') },
  { key: 'guard', name: 'Pumping guard', describe: r => (r.enabled === false ? 'off' : `jump ×${r.jumpRatio ?? '?'} over ${r.window ?? '?'}, conversion floor ${r.conversionFloor ?? '?'}`) },
];

function describeList(rule) {
  return [rule.allow?.length && `allow ${rule.allow.join(', ')}`, rule.deny?.length && `deny ${rule.deny.join(', ')}`].filter(Boolean).join('; ') || 'no entries';
}

/** An application's rules with their monitor/enforce switch, events, blocks, lockouts and test numbers. */
export function protection(main, session) {
  perApplication(main, 'Protection', 'protection-content', (content, id) => show(content, id, session));
}

async function show(content, appId, session, message = '') {
  const base = `opentfa/v1/applications/${encodeURIComponent(appId)}/protection`;
  const unmasked = session.scopes.includes('opentfa:pii');
  const policy = await get(`${base}${q({ unmasked })}`);
  const [events, blocks, lockouts] = await Promise.all([get(`${base}/events`), get(`${base}/blocks`), get(`${base}/lockouts${q({ minimumFailures: 1 })}`)]);
  const status = h('p', { role: 'status', id: 'protection-status' }, message);
  const save = async (next, form) => {
    try {
      await put(base, next);
      await show(content, appId, session, 'Saved.');
    } catch (e) {
      if (form) showErrors(form, e);
      status.textContent = `Not saved: ${e.message}`;
    }
  };
  const ruleRows = rules.filter(r => policy[r.key]).map(r => {
    const select = h('select', { 'aria-label': `Mode of ${r.name}`, name: `${r.key}.mode`, 'data-rule': r.key },
      ['enforce', 'monitor'].map(m => h('option', { value: m, selected: (policy[r.key].mode ?? 'enforce') === m }, m)));
    select.addEventListener('change', () => save({ ...policy, [r.key]: { ...policy[r.key], mode: select.value } }));
    return [r.name, r.describe(policy[r.key]) || 'none set', select];
  });
  const editor = h('textarea', { id: 'policy-json', name: 'policy', rows: 12, spellcheck: 'false', 'aria-describedby': 'policy-json-error' }, JSON.stringify(policy, null, 2));
  const editorForm = h('form', { 'aria-label': 'Policy as JSON' },
    h('p', { class: 'form-error', role: 'alert', id: 'policy-json-error' }),
    h('label', { for: 'policy-json' }, 'The whole policy (as PUT takes it)'), editor,
    h('button', { type: 'submit' }, 'Save policy'));
  editorForm.addEventListener('submit', event => {
    event.preventDefault();
    let next;
    try {
      next = JSON.parse(editor.value);
    } catch (e) {
      showErrors(editorForm, { message: `Not JSON: ${e.message}` });
      return;
    }
    save(next, editorForm);
  });
  clear(content,
    status,
    policy.nist ? notice('NIST SP 800-63B mode is on for this policy.') : null,
    section('Rules', table('Rules', ['Rule', 'Setting', 'Mode'], ruleRows, 'no rules set; add them in the policy below.')),
    section('Events', table('Rule counts', ['Rule', 'Mode', 'Count'], events.counts.map(c => [c.rule, c.mode, c.count]), 'no events.'),
      table('Recent events', ['When', 'Rule', 'Mode', 'Country', 'Prefix'], events.events.slice(0, 50).map(e => [time(e.at), e.rule, e.mode, e.country, e.prefix]), 'none.')),
    section('Blocks', table('Prefixes blocked by the guard', ['Prefix', 'Since', 'Until', 'Reason'], blocks.map(b => [b.prefix, time(b.since), time(b.until), b.reason]), 'none.')),
    section('Lockouts', table('Destinations with failed verifications', ['Destination', 'Failures', 'Locked', 'Last failure', ''],
      lockouts.map(l => [l.destination, l.failures, l.locked ? 'yes' : 'no', time(l.lastFailureAt),
        h('button', { type: 'button', class: 'secondary', onclick: async () => { await del(`${base}/lockouts/${encodeURIComponent(l.destination)}`); await show(content, appId, session); } }, 'Clear')]), 'none.')),
    section('Test numbers', table('Test numbers', ['Number', 'Expires'], (policy.testNumbers ?? []).map(t => [t.number, time(t.expiresAt)]), 'none.'),
      unmasked ? null : h('p', { class: 'muted' }, 'Numbers are masked; a key with opentfa:pii sees and can edit them.')),
    section('Policy', editorForm));
}
