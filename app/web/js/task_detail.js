// Task detail: state, why pending, the resolved spec, every attempt
// (agent, times, exit status, message), a kill button and the output
// viewer. Follows the task while it is not terminal.

import { call, get } from './api.js';
import { h, fill, announce } from './dom.js';
import { confirmAction } from './dialogs.js';
import { num, timeEl, stateBadge, TERMINAL, zoneName } from './format.js';
import { logViewer } from './logs.js';

export function render(main, { id }) {
  const head = h('div', { id: 'task-head' });
  const attempts = h('div', { class: 'table-wrap', id: 'task-attempts' });
  const spec = h('pre', { class: 'spec', id: 'task-spec', tabindex: 0 });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  const killBtn = h('button', { type: 'button', class: 'danger', id: 'kill-button', hidden: true }, 'Kill task');
  const logsBox = h('section', { 'aria-labelledby': 'td-logs' }, h('h2', { id: 'td-logs' }, 'Output'));
  main.append(
    h('p', {}, h('a', { href: '#/tasks' }, '← All tasks')),
    h('h1', {}, `Task ${id}`),
    problem, head, killBtn,
    h('section', { 'aria-labelledby': 'td-att' }, h('h2', { id: 'td-att' }, 'Attempts'), attempts),
    logsBox,
    h('section', { 'aria-labelledby': 'td-spec' }, h('h2', { id: 'td-spec' }, 'Spec'), spec));

  let timer = 0;
  let stopped = false;
  let viewer = null;
  let task = null;

  killBtn.addEventListener('click', async () => {
    if (!(await confirmAction(`Kill task ${id} (${task ? task.key : ''})? It will not be retried.`, 'Kill'))) return;
    try {
      task = await call('DELETE', `/v1/tasks/${id}`);
      announce(`Kill of task ${id} recorded.`);
      show();
    } catch (e) {
      problem.hidden = false;
      problem.textContent = `Kill refused: ${e.message}`;
    }
  });

  async function refresh() {
    try {
      task = await get(`/v1/tasks/${id}`);
      problem.hidden = true;
      show();
    } catch (e) {
      problem.hidden = false;
      problem.textContent = e.message;
    }
    if (!stopped && !(task && TERMINAL.has(task.state))) timer = setTimeout(refresh, 1000);
  }

  function show() {
    const row = (term, ...v) => [h('dt', {}, term), h('dd', {}, ...v)];
    fill(head, h('dl', { class: 'facts' },
      row('State', h('span', { id: 'task-state' }, stateBadge(task.state)),
        task.kill_requested ? ' (kill requested)' : ''),
      row('Key', h('code', {}, task.key)),
      row('Queue / role', `${task.spec.queue} / ${task.spec.role}`),
      row('Submitted', timeEl(task.submitted_at)),
      row('Updated', timeEl(task.updated_at)),
      task.state === 'QUEUED' ? row('Why pending', h('span', { id: 'pending-reason' }, task.pending_reason || '(no reason given yet)')) : null,
      task.not_before ? row('Not before', timeEl(task.not_before)) : null));
    killBtn.hidden = TERMINAL.has(task.state);
    spec.textContent = JSON.stringify(task.spec, null, 2);
    fill(attempts, task.attempts.length === 0 ? h('p', {}, 'Not launched yet.') : h('table', {},
      h('caption', {}, `Attempts (times in ${zoneName()})`),
      h('thead', {}, h('tr', {}, ['#', 'State', 'Agent', 'Launched', 'Ended', 'Exit status', 'Reason', 'Message']
        .map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 5 ? 'num' : '' }, c)))),
      h('tbody', {}, task.attempts.map((a) => h('tr', {},
        h('td', { class: 'num' }, num(a.number)),
        h('td', {}, stateBadge(a.state)),
        h('td', {}, a.hostname || '', a.agent_id ? h('div', { class: 'sub' }, a.agent_id) : ''),
        h('td', { class: 'time' }, timeEl(a.launched_at)),
        h('td', { class: 'time' }, timeEl(a.ended_at)),
        h('td', { class: 'num' }, a.exit_status === undefined ? '' : num(a.exit_status)),
        h('td', {}, a.reason || ''),
        h('td', { class: 'msg' }, a.message || ''))))));
    if (!viewer) {
      viewer = logViewer(id);
      logsBox.append(viewer.element);
    }
    viewer.update(task);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); if (viewer) viewer.stop(); };
}
