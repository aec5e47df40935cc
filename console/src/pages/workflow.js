import { del, get, put } from '../api.js';
import { clear, field, form, h, section, showErrors } from '../ui.js';

const kinds = ['sms', 'voice', 'email', 'whatsapp', 'telegram'];
const maxSteps = 5;

/** A plan on one line: `whatsapp (30 s) → sms (60 s) → voice`. */
export const stepsInLine = steps => steps.map(s => (s.waitSeconds ? `${s.channel} (${s.waitSeconds} s)` : s.channel)).join(' → ');

/** The application's workflow, or null when it has none (the API answers 404 then). */
async function load(appId) {
  try {
    return await get(`opentfa/v1/applications/${encodeURIComponent(appId)}/workflow`);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

/**
 * An application's fallback workflow: its steps in an editor (add, remove, reorder, channel and
 * wait of each) and whether each step draws a new PIN; saved whole, or removed. Each field is
 * named by the API's path (`steps[1].waitSeconds`), so that its refusals land beside it.
 */
export async function workflowSection(appId) {
  const path = `opentfa/v1/applications/${encodeURIComponent(appId)}/workflow`;
  let saved = await load(appId);
  let steps = [];
  const status = h('p', { role: 'status', id: 'workflow-status' });
  const list = h('ol', { class: 'steps', id: 'workflow-steps' });
  const stepsError = h('span', { class: 'error', 'data-error-for': 'steps', role: 'alert' });
  const add = h('button', { type: 'button', class: 'secondary' }, 'Add step');
  const newPin = field('New PIN per step', 'newPinPerStep', {
    type: 'checkbox', hint: 'Each later step draws a new PIN under the same pinId and the earlier code stops matching; otherwise every step carries the same PIN.',
  });
  const remove = h('button', { type: 'button', class: 'danger', id: 'remove-workflow' }, 'Remove workflow');

  const editor = form('Workflow', [list, stepsError, add, newPin], 'Save workflow', async v => {
    saved = await put(path, { steps: v.steps ?? [], newPinPerStep: v.newPinPerStep });
    show(`Saved · ${saved.steps.length} step(s): ${stepsInLine(saved.steps)}`);
  });

  // The rows are drawn from `steps`; what was typed is read back first, so a move or a removal keeps it.
  const read = () => {
    steps = steps.map((s, i) => ({
      channel: editor.querySelector(`[name="steps[${i}].channel"]`)?.value ?? s.channel,
      waitSeconds: editor.querySelector(`[name="steps[${i}].waitSeconds"]`)?.value ?? s.waitSeconds,
    }));
  };
  const change = update => () => {
    read();
    update();
    showErrors(editor, null);
    draw();
  };
  const draw = () => {
    clear(list, steps.map((s, i) => {
      const n = i + 1;
      const last = i === steps.length - 1;
      return h('li', {},
        h('fieldset', {},
          h('legend', {}, `Step ${n}`),
          field(`Channel of step ${n}`, `steps[${i}].channel`, { options: kinds, value: s.channel }),
          last
            ? h('p', { class: 'muted' }, 'The last step: nothing follows it.')
            : field(`Wait after step ${n} (seconds)`, `steps[${i}].waitSeconds`, {
              type: 'number', value: s.waitSeconds, min: 1, max: 3600, hint: 'How long to wait for a verification before the next step (1 to 3600).',
            }),
          h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', 'aria-label': `Step ${n}: move up`, disabled: i === 0, onclick: change(() => steps.splice(i - 1, 2, steps[i], steps[i - 1])) }, 'Move up'),
            h('button', { type: 'button', class: 'secondary', 'aria-label': `Step ${n}: move down`, disabled: last, onclick: change(() => steps.splice(i, 2, steps[i + 1], steps[i])) }, 'Move down'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Step ${n}: remove`, disabled: steps.length === 1, onclick: change(() => steps.splice(i, 1)) }, 'Remove'))));
    }));
    add.disabled = steps.length >= maxSteps;
  };
  const show = text => {
    steps = saved ? saved.steps.map(s => ({ ...s })) : [{ channel: 'sms' }];
    editor.querySelector('[name=newPinPerStep]').checked = !!saved?.newPinPerStep;
    remove.hidden = !saved;
    status.textContent = text;
    draw();
  };
  const none = 'No workflow: each send goes out on the channel it asks for.';

  add.addEventListener('click', change(() => steps.push({ channel: 'sms' })));
  remove.addEventListener('click', async () => {
    if (!confirm('Remove the workflow of this application?')) return;
    try {
      await del(path);
      saved = null;
      show(`Removed. ${none}`);
    } catch (error) {
      status.textContent = error.message;
    }
  });
  show(saved ? `${saved.steps.length} step(s): ${stepsInLine(saved.steps)}` : none);
  return section('Workflow',
    h('p', { class: 'muted' }, 'A PIN not verified in time moves to the next step\u2019s channel; the first step that can reach the destination starts it.'),
    status, editor, remove);
}
