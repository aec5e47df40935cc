import { del, get, post, put } from '../api.js';
import { h, clear, field, form, notice, section, table, time } from '../ui.js';
import { perApplication } from './common.js';

const eventTypes = ['pin.sent', 'message.delivered', 'message.failed', 'pin.verified', 'pin.expired', 'pin.attempts_exhausted', 'pin.canceled', 'rule.refused', 'pin.step_skipped'];

/** An application's webhooks, their deliveries with every attempt, and secret rotation. */
export function webhooks(main) {
  perApplication(main, 'Webhooks', 'webhook-content', show);
}

async function show(content, appId) {
  const base = `opentfa/v1/applications/${encodeURIComponent(appId)}/webhooks`;
  const list = await get(base);
  const detail = h('div', { id: 'webhook-detail' });
  const secret = h('div', { role: 'status' });
  const refresh = () => show(content, appId);
  clear(content,
    secret,
    table('Webhooks', ['URL', 'Events', 'Enabled', 'Created', ''], list.map(w => [w.url, w.events.join(', '), w.enabled ? 'yes' : 'no', time(w.createdAt),
      h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => deliveries(detail, base, w) }, 'Deliveries'),
        h('button', { type: 'button', class: 'secondary', onclick: async () => { const r = await post(`${base}/${w.webhookId}/secret`); showSecret(secret, r.secret); } }, 'Rotate secret'),
        h('button', { type: 'button', class: 'secondary', onclick: async () => { await put(`${base}/${w.webhookId}`, { url: w.url, events: w.events, enabled: !w.enabled, description: w.description }); await refresh(); } }, w.enabled ? 'Disable' : 'Enable'),
        h('button', { type: 'button', class: 'danger', onclick: async () => { if (confirm(`Delete the webhook to ${w.url}?`)) { await del(`${base}/${w.webhookId}`); await refresh(); } } }, 'Delete'))])),
    detail,
    section('New webhook', form('New webhook', [
      field('URL', 'url', { type: 'url', required: true, hint: 'HTTPS endpoint that receives signed events.' }),
      h('fieldset', {}, h('legend', {}, 'Events'), eventTypes.map((e, i) => field(e, `event${i}`, { type: 'checkbox' }))),
      field('Description', 'description', {}),
    ], 'Create webhook', async v => {
      const events = eventTypes.filter((e, i) => v[`event${i}`]);
      const created = await post(base, { url: v.url, events, description: v.description });
      await refresh();
      showSecret(content.firstChild, created.secret);
    })));
}

function showSecret(target, value) {
  clear(target, notice(`Signing secret (shown only now): ${value}`));
}

async function deliveries(detail, base, webhook) {
  const list = await get(`${base}/${webhook.webhookId}/deliveries`);
  clear(detail, section(`Deliveries to ${webhook.url}`,
    table('Deliveries', ['Event', 'State', 'Attempts', 'Created', 'Delivered', 'Last status', 'Last error', 'Attempt log'],
      list.map(d => [d.eventType, d.state, d.attempts, time(d.createdAt), time(d.deliveredAt), d.lastStatus ?? '—', d.lastError ?? '—',
        d.attemptLog.map(a => `#${a.attempt} ${time(a.at)} ${a.status ?? a.error ?? ''} (${a.durationMs} ms)`).join('; ')]), 'none yet.')));
}
