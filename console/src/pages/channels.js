import { get } from '../api.js';
import { append, h, clear, table, time } from '../ui.js';
import { guarded } from './common.js';

const refreshSeconds = 5;

/** Each channel's state, circuit breaker, counters and last error, refreshed every few seconds. */
export function channels(main) {
  let timer = null;
  guarded(main, 'Channels', async body => {
    const list = h('div', { id: 'channel-list' });
    const updated = h('p', { class: 'muted', role: 'status' });
    const load = async () => {
      const channels = await get('opentfa/v1/channels');
      clear(list, table('Channels', ['Name', 'Type', 'Kinds', 'State', 'Circuit', 'Sessions', 'Submitted', 'Delivered', 'Failed', 'Retried', 'Last error'],
        channels.map(c => [c.name, c.type, c.kinds.join(', '), h('span', { class: `state ${c.state.toLowerCase()}` }, c.state),
          c.circuit ? `${c.circuit.state} (${c.circuit.consecutiveFailures} failures)` : '—',
          c.sessions ? `${c.sessions.bound}/${c.sessions.configured} bound` : '—',
          c.counters?.submitted ?? 0, c.counters?.delivered ?? 0, c.counters?.failed ?? 0, c.counters?.retried ?? 0,
          c.lastError ? `${time(c.lastError.at)}: ${c.lastError.message}` : '—'])));
      updated.textContent = `Updated ${time(Date.now())}; refreshes every ${refreshSeconds} s.`;
    };
    await load();
    append(body, updated, list);
    timer = setInterval(() => load().catch(e => { updated.textContent = `Refresh failed: ${e.message}`; }), refreshSeconds * 1000);
  });
  return () => clearInterval(timer);
}
