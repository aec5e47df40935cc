import { get, q } from '../api.js';
import { append, h, clear, table, time } from '../ui.js';
import { guarded } from './common.js';

const pageSize = 50;

/** The audit trail, newest first, a page at a time. */
export function audit(main) {
  guarded(main, 'Audit trail', async body => {
    const list = h('div', { id: 'audit-list' });
    const more = h('button', { type: 'button', class: 'secondary' }, 'Older entries');
    let before;
    const rows = [];
    const load = async () => {
      const entries = await get(`opentfa/v1/audit${q({ limit: pageSize, before })}`);
      rows.push(...entries.map(e => [time(e.at), e.action, `${e.targetType} ${e.targetId ?? ''}`, e.tenantId, `${e.actorKeyId} (${e.actorTenantId})`, e.details ?? '']));
      before = entries.at(-1)?.id;
      more.hidden = entries.length < pageSize;
      clear(list, table('Audit entries', ['When', 'Action', 'Target', 'Tenant', 'By key', 'Details'], rows, 'none yet.'));
    };
    more.addEventListener('click', load);
    await load();
    append(body, list, more);
  });
}
