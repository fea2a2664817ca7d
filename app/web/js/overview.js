// Overview: the framework and its connection, uptime, tasks by state,
// what waits, and charts of launches, finishes and failures per second
// over the last 15 minutes (GET /v1/framework and GET /v1/stats).

import { get } from './api.js';
import { h, fill } from './dom.js';
import { num, duration, time, STATES, stateBadge } from './format.js';
import { rateChart } from './chart.js';

export function render(main) {
  const facts = h('dl', { class: 'facts', id: 'overview-facts' });
  const counts = h('div', { id: 'overview-states' });
  const charts = h('div', { class: 'charts', id: 'overview-charts' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  main.append(
    h('h1', {}, 'Overview'),
    problem,
    h('section', { 'aria-labelledby': 'ov-fw' }, h('h2', { id: 'ov-fw' }, 'Framework'), facts),
    h('section', { 'aria-labelledby': 'ov-act' }, h('h2', { id: 'ov-act' }, 'Activity, last 15 minutes'), charts),
    h('section', { 'aria-labelledby': 'ov-st' }, h('h2', { id: 'ov-st' }, 'Tasks by state'), counts));

  let timer = 0;
  let stopped = false;
  let countsShown = '';
  async function refresh() {
    try {
      const [fw, stats] = await Promise.all([get('/v1/framework'), get('/v1/stats')]);
      problem.hidden = true;
      show(fw, stats);
    } catch (e) {
      problem.hidden = false;
      problem.textContent = `Cannot read the service: ${e.message}`;
    }
    if (!stopped) timer = setTimeout(refresh, 2000);
  }

  function show(fw, stats) {
    const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
    fill(facts,
      row('Framework id', h('code', { id: 'framework-id' }, fw.framework_id || '(not registered yet)')),
      row('Connection', h('span', { id: 'connection-phase', class: fw.connected ? 'ok' : 'warn' },
        fw.connected ? `connected (${fw.phase})` : `not connected (${fw.phase})`)),
      row('Leading master', h('code', {}, fw.leader || '—')),
      row('Uptime', h('span', { title: `since ${time(stats.started_at)}` }, duration(stats.uptime_seconds))),
      row('Pending tasks', h('span', { class: 'num', id: 'pending-count' }, num(fw.pending))),
      row('Oldest pending', h('span', { class: 'num' }, fw.tasks.QUEUED ? duration(stats.oldest_pending_seconds) : '—')),
      row('Offers held', h('span', { class: 'num' }, num(fw.offers_held))),
      row('Reconciling', fw.reconciling ? 'yes' : 'no'));
    const per = stats.interval_seconds || 1;
    const series = (k) => stats.intervals.map((i) => i[k] / per);
    fill(charts,
      rateChart('Launches', series('launches'), per, 'c-launch'),
      rateChart('Finishes', series('finishes'), per, 'c-finish'),
      rateChart('Failures', series('failures'), per, 'c-fail'));
    // The counts' links keep keyboard focus while the counts do not change.
    const signature = JSON.stringify(fw.tasks);
    if (signature === countsShown) return;
    countsShown = signature;
    const total = Object.values(fw.tasks).reduce((a, b) => a + b, 0);
    fill(counts, h('table', { class: 'compact' },
      h('caption', { class: 'sr-only' }, 'Tasks by state'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col', class: 'num' }, 'Tasks'))),
      h('tbody', {}, STATES.filter((s) => fw.tasks[s]).map((s) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/tasks?state=${s}` }, stateBadge(s))),
        h('td', { class: 'num' }, num(fw.tasks[s]))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'All'), h('td', { class: 'num' }, num(total))))));
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
