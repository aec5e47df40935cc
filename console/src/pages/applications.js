import { get, post, put } from '../api.js';
import { append, h, clear, field, form, go, section, table } from '../ui.js';
import { guarded } from './common.js';
import { workflowSection } from './workflow.js';

const configFields = (c = { allowMultiplePinVerifications: true }) => [
  field('PIN attempts', 'configuration.pinAttempts', { type: 'number', value: c.pinAttempts, hint: 'Wrong PINs allowed before the PIN is used up.' }),
  field('PIN time to live', 'configuration.pinTimeToLive', { value: c.pinTimeToLive, hint: 'For example 15m, 1h, 30s.' }),
  field('Verify limit', 'configuration.verifyPinLimit', { value: c.verifyPinLimit, hint: 'Verifications per PIN and time, for example 1/3s.' }),
  field('Sends per application', 'configuration.sendPinPerApplicationLimit', { value: c.sendPinPerApplicationLimit, hint: 'For example 10000/1d.' }),
  field('Sends per phone number', 'configuration.sendPinPerPhoneNumberLimit', { value: c.sendPinPerPhoneNumberLimit, hint: 'For example 3/1d.' }),
  field('Allow multiple verifications', 'configuration.allowMultiplePinVerifications', { type: 'checkbox', value: c.allowMultiplePinVerifications }),
];

const templateFields = (t = { pinType: 'NUMERIC', pinLength: 6, language: 'en' }) => [
  field('Message text', 'messageText', { type: 'textarea', value: t.messageText, required: true, hint: 'Must contain {{pin}}; other {{placeholders}} are filled at send time.' }),
  field('PIN type', 'pinType', { options: ['NUMERIC', 'ALPHA', 'HEX', 'ALPHANUMERIC'], value: t.pinType }),
  field('PIN length', 'pinLength', { type: 'number', value: t.pinLength }),
  field('Language', 'language', { value: t.language }),
  field('Sender id', 'senderId', { value: t.senderId }),
];

/** Every application of the tenant, and a form to create one. */
export function applications(main) {
  guarded(main, 'Applications', async body => {
    const apps = await get('2fa/2/applications');
    append(body, 
      table('Applications', ['Name', 'Enabled', 'PIN attempts', 'Time to live', 'Per number', 'Application id'],
        apps.map(a => [h('a', { href: `applications/${a.applicationId}` }, a.name), a.enabled ? 'yes' : 'no',
          a.configuration.pinAttempts, a.configuration.pinTimeToLive, a.configuration.sendPinPerPhoneNumberLimit, h('code', {}, a.applicationId)])),
      section('New application', form('New application', [
        field('Name', 'name', { required: true }),
        field('Enabled', 'enabled', { type: 'checkbox', value: true }),
        configFields(),
      ], 'Create application', async v => {
        const created = await post('2fa/2/applications', v);
        go(`applications/${created.applicationId}`);
      })));
  });
}

/** One application: its settings, enabled or not, its message templates and its workflow. */
export function application(main, id) {
  guarded(main, 'Application', async body => {
    let app = await get(`2fa/2/applications/${encodeURIComponent(id)}`);
    const templates = await get(`2fa/2/applications/${encodeURIComponent(id)}/messages`);
    const workflow = await workflowSection(id);
    const status = h('p', { role: 'status', id: 'application-status' });
    const toggle = h('button', { type: 'button', class: 'secondary', id: 'toggle-enabled' });
    const showState = () => {
      main.querySelector('h1').textContent = `Application ${app.name}`;
      toggle.textContent = app.enabled ? 'Disable application' : 'Enable application';
      status.textContent = `${app.enabled ? 'Enabled' : 'Disabled'} · id ${app.applicationId}`;
    };
    toggle.addEventListener('click', async () => {
      try {
        app = await put(`2fa/2/applications/${id}`, { name: app.name, enabled: !app.enabled, configuration: app.configuration });
        showState();
      } catch (e) {
        status.textContent = e.message;
      }
    });
    const templateList = h('div');
    const editor = h('div', { id: 'template-editor' });
    const showTemplates = list => clear(templateList, table('Message templates', ['Message id', 'Text', 'PIN', 'Language', 'Sender', ''],
      list.map(t => [h('code', {}, t.messageId), t.messageText ?? `e-mail body ${t.emailTemplateId ?? ''}`, `${t.pinLength} ${t.pinType}`, t.language ?? '', t.senderId ?? t.from ?? '',
        t.messageText === undefined ? '' : h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit template ${t.messageId}`, onclick: () => editTemplate(t) }, 'Edit')])));
    const editTemplate = t => {
      const f = form(`Edit template ${t.messageId}`, templateFields(t), 'Save template', async v => {
        await put(`2fa/2/applications/${id}/messages/${t.messageId}`, v);
        showTemplates(await get(`2fa/2/applications/${id}/messages`));
        clear(editor);
      });
      clear(editor, h('h3', {}, `Edit template ${t.messageId}`), f);
      f.querySelector('textarea, input')?.focus();
    };
    showTemplates(templates);
    append(body, 
      status, toggle,
      section('Settings', form('Application settings', [
        field('Name', 'name', { value: app.name, required: true }),
        field('Enabled', 'enabled', { type: 'checkbox', value: app.enabled }),
        configFields(app.configuration),
      ], 'Save settings', async v => {
        app = await put(`2fa/2/applications/${id}`, v);
        showState();
        status.textContent = `Saved · ${status.textContent}`;
      })),
      section('Templates', templateList, editor, h('h3', {}, 'New template'), form('New template', templateFields(), 'Create template', async (v, f) => {
        await post(`2fa/2/applications/${id}/messages`, v);
        showTemplates(await get(`2fa/2/applications/${id}/messages`));
        f.reset();
      })),
      workflow);
    showState();
  });
}
