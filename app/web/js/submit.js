// Submit: a form with the fields of a task spec. The API validates; its
// error (`field`, `message`) is shown next to the field it names.

import { call } from './api.js';
import { h, announce } from './dom.js';
import { stateBadge } from './format.js';

// [API field path, input id, label, input attributes, help]
const FIELDS = [
  ['key', 'f-key', 'Key', { required: true, autocomplete: 'off' }, 'Idempotency key: a second submit with the same key returns the same task.'],
  ['command', 'f-command', 'Command', { required: true, rows: 3, textarea: true }, 'Run with sh -c.'],
  ['resources.cpus', 'f-cpus', 'CPUs', { type: 'number', step: 'any', min: 0.01, inputmode: 'decimal' }],
  ['resources.mem', 'f-mem', 'Memory (MiB)', { type: 'number', step: 'any', min: 32, inputmode: 'decimal' }],
  ['resources.disk', 'f-disk', 'Disk (MiB)', { type: 'number', step: 'any', min: 0, inputmode: 'decimal' }],
  ['resources.gpus', 'f-gpus', 'GPUs', { type: 'number', step: 1, min: 0, inputmode: 'numeric' }],
  ['resources.ports', 'f-ports', 'Ports', { type: 'number', step: 1, min: 0, inputmode: 'numeric' }],
  ['queue', 'f-queue', 'Queue', { autocomplete: 'off' }],
  ['role', 'f-role', 'Role', { autocomplete: 'off' }],
  ['priority', 'f-priority', 'Priority', { type: 'number', step: 1, inputmode: 'numeric' }, 'Higher is placed first.'],
  ['retry.max_attempts', 'f-attempts', 'Max attempts', { type: 'number', step: 1, min: 1, inputmode: 'numeric' }],
  ['kill_grace_period_seconds', 'f-grace', 'Kill grace period (s)', { type: 'number', step: 'any', min: 0, inputmode: 'decimal' }],
  ['environment', 'f-env', 'Environment', { rows: 2, textarea: true }, 'NAME=value, one per line.'],
  ['labels', 'f-labels', 'Labels', { rows: 2, textarea: true }, 'name=value, one per line.'],
  ['uris', 'f-uris', 'URIs to fetch', { rows: 2, textarea: true }, 'One per line.'],
  ['constraints', 'f-constraints', 'Constraints', { rows: 2, textarea: true }, 'field:OPERATOR[:value], one per line, e.g. hostname:UNIQUE.'],
  ['container.image', 'f-image', 'Container image', { autocomplete: 'off' }, 'Empty: no container (the agent’s default).'],
];

export function render(main) {
  const inputs = new Map();
  const errors = new Map();
  const rows = FIELDS.map(([path, id, label, attrs, help]) => {
    const { textarea, ...rest } = attrs;
    const errId = `${id}-error`;
    const helpId = help ? `${id}-help` : null;
    const input = h(textarea ? 'textarea' : 'input', {
      id, name: path, ...rest, 'aria-describedby': [helpId, errId].filter(Boolean).join(' '),
    });
    if (!textarea && !rest.type) input.type = 'text';
    const err = h('p', { class: 'field-error', id: errId, hidden: true });
    inputs.set(path, input);
    errors.set(path, err);
    return h('div', { class: `field ${textarea ? 'wide' : ''}` },
      h('label', { for: id }, label), input, help ? h('p', { class: 'help', id: helpId }, help) : null, err);
  });
  inputs.get('key').value = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const formError = h('p', { class: 'error', role: 'alert', hidden: true, id: 'submit-error' });
  const outcome = h('div', { id: 'submit-outcome', role: 'status' });
  const form = h('form', { class: 'spec-form', novalidate: true, 'aria-labelledby': 'submit-title' },
    h('fieldset', {}, h('legend', {}, 'Task'), rows.slice(0, 2)),
    h('fieldset', {}, h('legend', {}, 'Resources'), rows.slice(2, 7)),
    h('fieldset', {}, h('legend', {}, 'Placement and retries'), rows.slice(7, 12)),
    h('fieldset', {}, h('legend', {}, 'Environment and files'), rows.slice(12)),
    formError,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'submit-button' }, 'Submit task')),
    outcome);
  main.append(h('h1', { id: 'submit-title' }, 'Submit a task'),
    h('p', {}, 'Empty fields take the service’s defaults.'), form);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    let spec;
    try {
      spec = specOf(inputs);
    } catch (e) {
      return showError(e.field, e.message);
    }
    const button = document.getElementById('submit-button');
    button.disabled = true;
    try {
      const task = await call('POST', '/v1/tasks', { body: spec });
      outcome.replaceChildren(h('p', { class: 'ok' }, `Task `,
        h('a', { href: `#/tasks/${task.id}`, id: 'submitted-link' }, String(task.id)),
        ` (${task.key}) is `, h('span', { id: 'submitted-state' }, stateBadge(task.state)), '.'));
      announce(`Task ${task.id} submitted, ${task.state}.`);
      inputs.get('key').value = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    } catch (e) {
      showError(e.field, e.message);
    } finally {
      button.disabled = false;
    }
  });

  function clearErrors() {
    formError.hidden = true;
    for (const [path, err] of errors) {
      err.hidden = true;
      err.textContent = '';
      inputs.get(path).removeAttribute('aria-invalid');
    }
  }

  // The error goes next to the field whose path is the longest prefix of
  // the API's `field` ("resources.mem", "constraints[1]"); else above the
  // button.
  function showError(field, message) {
    let best = '';
    for (const path of inputs.keys()) {
      if (field && (field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`)) && path.length > best.length) best = path;
    }
    if (!best && field === 'resources') best = 'resources.cpus';
    if (best) {
      const err = errors.get(best);
      err.textContent = message;
      err.hidden = false;
      inputs.get(best).setAttribute('aria-invalid', 'true');
      inputs.get(best).focus();
    } else {
      formError.textContent = message;
      formError.hidden = false;
      formError.focus?.();
    }
  }
}

class FormError extends Error {
  constructor(field, message) { super(message); this.field = field; }
}

// The spec from the form: only what was filled in.
function specOf(inputs) {
  const v = (p) => inputs.get(p).value.trim();
  const spec = { key: v('key'), command: inputs.get('command').value.trim() };
  const number = (p) => {
    const t = v(p);
    if (t === '') return undefined;
    const n = Number(t);
    if (!Number.isFinite(n)) throw new FormError(p, `${p}: not a number`);
    return n;
  };
  const resources = {};
  for (const r of ['cpus', 'mem', 'disk', 'gpus', 'ports']) {
    const n = number(`resources.${r}`);
    if (n !== undefined) resources[r] = n;
  }
  if (Object.keys(resources).length) spec.resources = resources;
  for (const p of ['queue', 'role']) if (v(p)) spec[p] = v(p);
  const priority = number('priority');
  if (priority !== undefined) spec.priority = priority;
  const attempts = number('retry.max_attempts');
  if (attempts !== undefined) spec.retry = { max_attempts: attempts };
  const grace = number('kill_grace_period_seconds');
  if (grace !== undefined) spec.kill_grace_period_seconds = grace;
  const lines = (p) => inputs.get(p).value.split('\n').map((l) => l.trim()).filter(Boolean);
  const pairs = (p) => {
    const out = {};
    for (const l of lines(p)) {
      const eq = l.indexOf('=');
      if (eq <= 0) throw new FormError(p, `${p}: "${l}" is not name=value`);
      out[l.slice(0, eq)] = l.slice(eq + 1);
    }
    return out;
  };
  if (lines('environment').length) spec.environment = pairs('environment');
  if (lines('labels').length) spec.labels = pairs('labels');
  if (lines('uris').length) spec.uris = lines('uris');
  if (lines('constraints').length) spec.constraints = lines('constraints').map((l) => {
    const [f, op, ...rest] = l.split(':');
    return rest.length ? [f, op, rest.join(':')] : [f, op];
  });
  if (v('container.image')) spec.container = { type: 'MESOS', image: v('container.image') };
  return spec;
}
