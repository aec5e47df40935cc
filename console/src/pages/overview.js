import { get, q } from '../api.js';
import { chart } from '../charts.js';
import { append, h, clear, notice, percent, table } from '../ui.js';
import { guarded } from './common.js';

const ranges = [
  { value: 'hour', label: 'Last hour (by minute)' },
  { value: 'day', label: 'Last day (by hour)' },
  { value: 'month', label: 'Last 30 days (by day)' },
];

/** Sends, verifications, conversion and delivery over time, by channel and by country, with the guard's blocks. */
export function overview(main) {
  let charts = [];
  let state = { range: 'day', applicationId: '' };
  const stop = () => charts.forEach(c => c.destroy());

  guarded(main, 'Overview', async body => {
    const apps = await get('2fa/2/applications');
    const rangeSelect = h('select', { id: 'range', name: 'range' }, ranges.map(r => h('option', { value: r.value, selected: r.value === state.range }, r.label)));
    const appSelect = h('select', { id: 'overview-application', name: 'applicationId' },
      h('option', { value: '' }, 'All applications'), apps.map(a => h('option', { value: a.applicationId }, a.name)));
    const content = h('div', { id: 'overview-content' });
    const reload = () => {
      state = { range: rangeSelect.value, applicationId: appSelect.value };
      stop();
      charts = [];
      draw(content, state, charts).catch(e => clear(content, notice(e.message, 'error')));
    };
    rangeSelect.addEventListener('change', reload);
    appSelect.addEventListener('change', reload);
    append(body, 
      h('div', { class: 'toolbar' },
        h('div', { class: 'field inline' }, h('label', { for: 'range' }, 'Window'), rangeSelect),
        h('div', { class: 'field inline' }, h('label', { for: 'overview-application' }, 'Application'), appSelect),
        h('button', { type: 'button', class: 'secondary', onclick: reload }, 'Refresh')),
      content);
    reload();
  });
  return stop;
}

async function draw(content, { range, applicationId }, charts) {
  const timeline = await get(`opentfa/v1/analytics/timeline${q({ range, applicationId })}`);
  const report = await get(`opentfa/v1/analytics${q({ applicationId, from: timeline.from, to: timeline.to })}`);
  const labels = timeline.buckets.map(b => label(b.start, range));
  const t = report.totals;
  const add = c => (charts.push(c), c.node);
  const channels = [...new Set(timeline.buckets.flatMap(b => (b.byChannel ?? []).map(c => c.key)))].sort();
  clear(content,
    h('dl', { class: 'kpis', id: 'kpis' },
      kpi('Sent', t.sent), kpi('Verified', t.verified), kpi('Conversion', percent(t.conversion), 'kpi-conversion'),
      kpi('Delivery rate', percent(t.deliveryRate)), kpi('Not sent', t.notSent), kpi('Blocked by protection', timeline.protection.length)),
    timeline.truncated || report.truncated ? notice('This window holds more PINs than one report reads; the figures cover the oldest ones.', 'error') : null,
    h('div', { class: 'charts' },
      add(chart('Sends and verifications', labels, [
        { label: 'Sent', data: timeline.buckets.map(b => b.sent) },
        { label: 'Verified', data: timeline.buckets.map(b => b.verified) },
        { label: 'Blocked by protection', data: timeline.buckets.map(b => b.blocked), color: '#b91c1c' },
      ], { id: 'chart-volume' })),
      add(chart('Conversion and delivery rate', labels, [
        { label: 'Conversion', type: 'line', axis: 'percent', data: timeline.buckets.map(b => rate(b.conversion)) },
        { label: 'Delivery rate', type: 'line', axis: 'percent', data: timeline.buckets.map(b => rate(b.deliveryRate)) },
      ], { id: 'chart-conversion' })),
      channels.length ? add(chart('Sends by channel', labels, channels.map(key => ({
        label: key, data: timeline.buckets.map(b => (b.byChannel ?? []).find(c => c.key === key)?.sent ?? 0),
      })), { stacked: true, id: 'chart-channels' })) : null,
      report.byCountry.length ? add(chart('Conversion by country', report.byCountry.map(g => g.key), [
        { label: 'Sent', data: report.byCountry.map(g => g.figures.sent) },
        { label: 'Verified', data: report.byCountry.map(g => g.figures.verified) },
        { label: 'Conversion', type: 'line', axis: 'percent', data: report.byCountry.map(g => rate(g.figures.conversion)) },
      ], { id: 'chart-countries' })) : null),
    table('By channel', ['Channel', 'Sent', 'Verified', 'Conversion', 'Delivered', 'Failed', 'Delivery rate'], groups(report.byChannel)),
    table('By country', ['Country', 'Sent', 'Verified', 'Conversion', 'Delivered', 'Failed', 'Delivery rate'], groups(report.byCountry)),
    h('div', { id: 'by-step' },
      table('By workflow step (sent: PINs that reached the step; verified: those verified before the next)',
        ['Step', 'Sent', 'Verified', 'Conversion', 'Delivered', 'Failed', 'Delivery rate'], groups(report.byStep ?? []), 'no workflow PINs in this window.')),
    table('Protection events in this window', ['When', 'Rule', 'Mode', 'Country', 'Prefix'],
      timeline.protection.map(e => [new Date(e.at).toISOString().slice(0, 19).replace('T', ' '), e.rule, e.mode, e.country, e.prefix]), 'none.'));
}

const kpi = (name, value, id) => h('div', { id }, h('dt', {}, name), h('dd', {}, String(value)));
const rate = v => (v === undefined || v === null ? null : Math.round(v * 1000) / 10);
const groups = list => list.map(g => [g.key, g.figures.sent, g.figures.verified, percent(g.figures.conversion), g.figures.delivered, g.figures.failed, percent(g.figures.deliveryRate)]);

function label(ms, range) {
  const iso = new Date(ms).toISOString();
  return range === 'month' ? iso.slice(5, 10) : iso.slice(11, 16);
}
