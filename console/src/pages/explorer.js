import { get, q } from '../api.js';
import { append, h, clear, field, form, go, notice, section, table, time } from '../ui.js';
import { applicationPicker, guarded } from './common.js';
import { stepsInLine } from './workflow.js';

/** Finds a PIN by its id or by destination, and tells its story: messages, states, errors, verifications. */
export function explorer(main, pinId) {
  if (pinId) return pin(main, pinId);
  guarded(main, 'PIN explorer', async body => {
    const results = h('div', { id: 'history' });
    let applicationId = null;
    const picker = await applicationPicker(id => { applicationId = id; });
    append(body, 
      section('Find a PIN by id', form('Find a PIN by id', [field('PIN id', 'pinId', { required: true })], 'Show PIN', v => go(`pins/${encodeURIComponent(v.pinId ?? '')}`))),
      section('Find by destination', picker.node, form('Find by destination', [
        field('Phone number or e-mail address', 'destination', { required: true, hint: 'International format, for example 41793026727.' }),
        field('Show destinations unmasked (needs the opentfa:pii scope; audited)', 'unmasked', { type: 'checkbox' }),
      ], 'Search', async v => {
        const found = await get(`opentfa/v1/applications/${encodeURIComponent(applicationId ?? '')}/destinations/${encodeURIComponent(v.destination ?? '')}/history${q({ unmasked: v.unmasked })}`);
        clear(results, table('PINs sent to this destination', ['PIN', 'Status', 'Channel', 'Destination', 'Sent', 'Attempts left', 'Messages'],
          found.pins.map(p => [h('a', { href: `pins/${p.pinId}${v.unmasked ? '?unmasked=true' : ''}` }, p.pinId), p.status, p.channel, p.destination, time(p.sentAt), p.attemptsRemaining,
            p.messages.map(m => `${m.channel} ${m.state}${m.error ? ` (${m.error})` : ''}`).join(', ')]), 'none found.'));
      }), results));
  });
  return undefined;
}

function pin(main, pinId) {
  guarded(main, `PIN ${pinId}`, async body => {
    const unmasked = new URLSearchParams(location.search).get('unmasked') === 'true';
    const p = await get(`opentfa/v1/pins/${encodeURIComponent(pinId)}${q({ unmasked })}`);
    append(body, 
      h('dl', { class: 'facts', id: 'pin-facts' },
        fact('Status', p.status), fact('Channel', p.channel), fact('Destination', p.to), fact('Application', h('a', { href: `applications/${p.applicationId}` }, p.applicationId)),
        fact('Created', time(p.createdAt)), fact('Expires', time(p.expiresAt)), fact('Verified', time(p.verifiedAt)), fact('Attempts left', p.attemptsRemaining)),
      unmasked ? null : h('p', {}, h('a', { href: `pins/${pinId}?unmasked=true` }, 'Show the destination unmasked'), ' (needs the opentfa:pii scope; audited)'),
      section('Timeline', h('ol', { class: 'timeline', id: 'pin-timeline' }, events(p).map(e => h('li', { class: e.kind }, h('time', {}, time(e.at)), ' ', e.text)))),
      p.workflow ? workflow(p) : null,
      table('Messages', ['Message', 'Step', 'Channel', 'State', 'To', 'Tries', 'Created', 'Updated', 'Gateway', 'Error'],
        p.messages.map(m => [h('code', {}, m.messageId), m.step ?? '—', m.channel, m.state, m.to, m.attempts, time(m.createdAt), time(m.updatedAt), m.channelName ?? '', m.error ?? ''])),
      table('Verification attempts', ['When', 'Outcome'], p.verifications.map(v => [time(v.at), v.outcome]), 'none yet.'),
      p.sent ? null : notice('This PIN was not sent.', 'error'));
  });
}

const fact = (name, value) => [h('dt', {}, name), h('dd', {}, value)];

/** The plan the PIN started with: each step's channel and wait, whether it ran (and its message's state), which one is due when. */
function workflow(p) {
  const w = p.workflow;
  const next = w.nextStepAt && w.stepsRun < w.steps.length ? `step ${w.stepsRun + 1} (${w.steps[w.stepsRun].channel}) at ${time(w.nextStepAt)}` : 'none';
  const stateOf = n => {
    if (n <= w.stepsRun) {
      const sent = p.messages.find(m => m.step === n);
      return sent ? `sent · ${sent.state}` : 'skipped';
    }
    return n === w.stepsRun + 1 && w.nextStepAt ? `due ${time(w.nextStepAt)}` : 'not run';
  };
  return section('Workflow',
    h('dl', { class: 'facts', id: 'pin-workflow' },
      fact('Steps', stepsInLine(w.steps)), fact('Steps run', `${w.stepsRun} of ${w.steps.length}`), fact('Next step', next),
      fact('PIN', w.newPinPerStep ? 'a new PIN per step' : 'the same PIN on every step')),
    table('Workflow steps', ['Step', 'Channel', 'Wait', 'State'],
      w.steps.map((s, i) => [i + 1, s.channel, s.waitSeconds ? `${s.waitSeconds} s` : '—', stateOf(i + 1)])));
}

function events(p) {
  const list = [{ at: p.createdAt, kind: 'created', text: p.sent ? `PIN created and sent by ${p.channel} to ${p.to}` : `PIN created but not sent (${p.channel} to ${p.to})` }];
  for (const m of p.messages) {
    list.push({ at: m.createdAt, kind: 'message', text: `Message ${m.messageId.slice(0, 8)}… queued on ${m.channel}${m.step ? ` (workflow step ${m.step})` : ''}` });
    if (m.updatedAt && m.updatedAt !== m.createdAt) list.push({ at: m.updatedAt, kind: `message ${m.state.toLowerCase()}`, text: `Message ${m.messageId.slice(0, 8)}… ${m.state}${m.channelName ? ` via ${m.channelName}` : ''}${m.error ? `: ${m.error}` : ''}` });
    if (m.deliveredAt) list.push({ at: m.deliveredAt, kind: 'message delivered', text: `Message ${m.messageId.slice(0, 8)}… delivered` });
  }
  for (const v of p.verifications) list.push({ at: v.at, kind: v.outcome === 'VERIFIED' ? 'verified' : 'attempt', text: `Verification attempt: ${v.outcome}` });
  if (p.status === 'EXPIRED') list.push({ at: p.expiresAt, kind: 'expired', text: 'PIN expired' });
  return list.sort((a, b) => a.at - b.at);
}
