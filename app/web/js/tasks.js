// Tasks: a table filtered by state, key prefix, queue and role, paged with
// the API's cursors; each QUEUED task with the matcher's "why pending".

import { get, query } from './api.js';
import { h, fill } from './dom.js';
import { num, timeEl, STATES, stateBadge, zoneName } from './format.js';

const PAGE = 50;
const MAX_REASONS = 50; // GETs for pending reasons per page, at most

export function render(main, { params }) {
  const filters = {
    state: params.get('state') || '',
    key: params.get('key') || '',
    queue: params.get('queue') || '',
    role: params.get('role') || '',
  };
  const cursors = [Number(params.get('cursor') || 0)]; // pages visited
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const stateSel = h('select', { id: 'filter-state', name: 'state' },
    h('option', { value: '' }, 'any'),
    STATES.map((s) => h('option', { value: s, selected: s === filters.state }, s)));
  const keyIn = h('input', { id: 'filter-key', name: 'key', value: filters.key, autocomplete: 'off' });
  const queueIn = h('input', { id: 'filter-queue', name: 'queue', value: filters.queue, autocomplete: 'off' });
  const roleIn = h('input', { id: 'filter-role', name: 'role', value: filters.role, autocomplete: 'off' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter tasks' },
    field('filter-state', 'State', stateSel),
    field('filter-key', 'Key prefix', keyIn),
    field('filter-queue', 'Queue', queueIn),
    field('filter-role', 'Role', roleIn),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, 'Apply')));
  const table = h('div', { class: 'table-wrap', id: 'tasks-table' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of tasks' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  main.append(h('h1', {}, 'Tasks'), form, problem, table, pager);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = { state: stateSel.value, key: keyIn.value, queue: queueIn.value, role: roleIn.value };
    location.hash = `#/tasks${query(next)}`;
  });

  let controller = new AbortController();
  let timer = 0;
  async function load() {
    clearTimeout(timer);
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const cursor = cursors[cursors.length - 1];
    try {
      const page = await get(`/v1/tasks${query({ ...filters, cursor: cursor || '', limit: PAGE })}`, { signal });
      const reasons = await pendingReasons(page.tasks, signal);
      problem.hidden = true;
      show(page, reasons);
      // The page follows the tasks' states while it is open.
      timer = setTimeout(load, 3000);
    } catch (e) {
      if (e.name === 'AbortError') return;
      problem.hidden = false;
      problem.textContent = e.field ? `${e.field}: ${e.message}` : e.message;
      if (e.field) document.getElementById(`filter-${e.field}`)?.setAttribute('aria-invalid', 'true');
    }
  }

  let shown = '';
  function show(page, reasons) {
    // Unchanged data leaves the table alone: keyboard focus stays put.
    const signature = JSON.stringify([page, [...reasons], cursors.length]);
    if (signature === shown) return;
    shown = signature;
    const rows = page.tasks.map((t) => h('tr', { dataset: { id: t.id, state: t.state } },
      h('td', { class: 'num' }, h('a', { href: `#/tasks/${t.id}`, 'aria-label': `Task ${t.id}` }, String(t.id))),
      h('td', { class: 'key' }, t.key),
      h('td', {}, stateBadge(t.state)),
      h('td', {}, t.spec.queue),
      h('td', {}, t.spec.role),
      h('td', { class: 'num' }, num(t.attempts.length)),
      h('td', { class: 'time' }, timeEl(t.submitted_at)),
      h('td', { class: 'why' }, t.state === 'QUEUED' ? (reasons.get(t.id) || '') : '')));
    fill(table, h('table', { class: 'tasks' },
      h('caption', {}, `Tasks${describe(filters)} (times in ${zoneName()})`),
      h('thead', {}, h('tr', {},
        ['Id', 'Key', 'State', 'Queue', 'Role', 'Attempts', 'Submitted', 'Why pending'].map((c, i) =>
          h('th', { scope: 'col', class: i === 0 || i === 5 ? 'num' : '' }, c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 8 }, 'No tasks match.')))));
    const prev = h('button', { type: 'button', disabled: cursors.length <= 1 }, '← Previous');
    const next = h('button', { type: 'button', disabled: page.next === null, id: 'next-page' }, 'Next →');
    prev.addEventListener('click', () => { cursors.pop(); load(); });
    next.addEventListener('click', () => { cursors.push(page.next); load(); });
    fill(pager, prev, h('span', {}, `Page ${cursors.length}`), next);
  }

  load();
  return () => { clearTimeout(timer); controller.abort(); };
}

function describe(f) {
  const parts = Object.entries(f).filter(([, v]) => v).map(([k, v]) => `${k} ${k === 'key' ? 'starts with' : '='} ${v}`);
  return parts.length ? ` where ${parts.join(', ')}` : '';
}

// The list leaves pending reasons out (the matcher explains one task at a
// time): ask for each QUEUED task of the page, a bounded number.
async function pendingReasons(tasks, signal) {
  const queued = tasks.filter((t) => t.state === 'QUEUED').slice(0, MAX_REASONS);
  const out = new Map();
  await Promise.all(queued.map(async (t) => {
    try {
      const full = await get(`/v1/tasks/${t.id}`, { signal });
      out.set(t.id, full.pending_reason || '(no reason given yet)');
    } catch (e) {
      if (e.name === 'AbortError') throw e;
    }
  }));
  return out;
}
