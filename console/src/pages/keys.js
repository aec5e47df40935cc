import { del, get, post } from '../api.js';
import { append, h, clear, field, form, notice, section, table, time } from '../ui.js';
import { guarded } from './common.js';

const scopes = ['2fa:manage', '2fa:pin:send', 'opentfa:admin', 'opentfa:pii', 'opentfa:metrics'];

/** Tenants and API keys, for administrators. Console sessions are listed as keys named console:<key id>. */
export function keys(main, session) {
  guarded(main, 'Keys and tenants', async body => {
    const content = h('div');
    const refresh = async () => {
      const [tenants, keyList] = await Promise.all([get('opentfa/v1/tenants'), get('opentfa/v1/keys')]);
      clear(content,
        section('Tenants', table('Tenants', ['Name', 'Tenant id', 'Created'], tenants.map(t => [t.name, h('code', {}, t.tenantId), time(t.createdAt)])),
          session.operatorAdmin ? form('New tenant', [field('Tenant name', 'name', { required: true })], 'Create tenant', async (v, f) => { await post('opentfa/v1/tenants', v); f.reset(); await refresh(); }) : null),
        section('API keys', table('API keys', ['Name', 'Key id', 'Tenant', 'Scopes', 'Created', 'Expires', 'Last used', 'State', ''],
          keyList.map(k => [k.name || '—', h('code', {}, k.keyId), k.tenantId, k.scopes.join(' ') || '—', time(k.createdAt), time(k.expiresAt), time(k.lastUsedAt),
            k.revokedAt ? `revoked ${time(k.revokedAt)}` : 'active',
            k.revokedAt || k.keyId === session.keyId ? '' : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.keyId}`, onclick: async () => { if (confirm(`Revoke key ${k.keyId}?`)) { await del(`opentfa/v1/keys/${k.keyId}`); await refresh(); } } }, 'Revoke')]))),
        section('New API key', form('New API key', [
          field('Name', 'name', {}),
          session.operatorAdmin ? field('Tenant id (empty: this tenant)', 'tenantId', {}) : null,
          h('fieldset', {}, h('legend', {}, 'Scopes'), scopes.map((s, i) => field(s, `scope${i}`, { type: 'checkbox' }))),
        ], 'Create key', async (v, f) => {
          const created = await post('opentfa/v1/keys', { name: v.name, tenantId: v.tenantId, scopes: scopes.filter((s, i) => v[`scope${i}`]) });
          f.reset();
          await refresh();
          content.prepend(notice(`New key (shown only now; copy it): ${created.key}`));
        })));
    };
    append(body, content);
    await refresh();
  });
}
