// Results: the terminal results log, newest first, following live with the
// API's long poll (GET /v1/results?after=&wait=); failures highlighted.

import { get, query } from './api.js';
import { h } from './dom.js';
import { num, timeEl, stateBadge, FAILURES, zoneName } from './format.js';

const BACKLOG = 100; // results shown when the page opens
const KEEP = 500;    // rows kept on screen
const WAIT = 25;     // seconds of each long poll

export function render(main) {
  const body = h('tbody', { id: 'results-body' });
  const note = h('p', { class: 'note', role: 'status', id: 'results-note' }, 'Connecting…');
  const onlyFail = h('input', { type: 'checkbox', id: 'only-failures' });
  const table = h('table', { class: 'results' },
    h('caption', {}, `Terminal results, newest first (times in ${zoneName()})`),
    h('thead', {}, h('tr', {}, ['Cursor', 'Task', 'Key', 'State', 'Exit status', 'Attempts', 'Agent', 'Finished', 'Message']
      .map((c, i) => h('th', { scope: 'col', class: [0, 1, 4, 5].includes(i) ? 'num' : '' }, c)))),
    body);
  main.append(h('h1', {}, 'Results'),
    h('div', { class: 'log-controls' }, h('label', { class: 'check' }, onlyFail, ' Failures only')),
    note, h('div', { class: 'table-wrap' }, table));
  onlyFail.addEventListener('change', () => table.classList.toggle('only-failures', onlyFail.checked));

  const controller = new AbortController();
  const signal = controller.signal;

  function add(results) {
    for (const r of results) {
      const failed = FAILURES.has(r.state);
      body.prepend(h('tr', { class: failed ? 'failure' : '', dataset: { cursor: r.cursor, state: r.state } },
        h('td', { class: 'num' }, num(r.cursor)),
        h('td', { class: 'num' }, h('a', { href: `#/tasks/${r.id}` }, String(r.id))),
        h('td', { class: 'key' }, r.key),
        h('td', {}, stateBadge(r.state), failed ? h('span', { class: 'sr-only' }, ' (failure)') : ''),
        h('td', { class: 'num' }, r.exit_status === undefined ? '' : num(r.exit_status)),
        h('td', { class: 'num' }, num(r.attempts)),
        h('td', {}, r.hostname || ''),
        h('td', { class: 'time' }, timeEl(r.finished_at)),
        h('td', { class: 'msg' }, [r.reason, r.message].filter(Boolean).join(': '))));
    }
    while (body.rows.length > KEEP) body.lastElementChild.remove();
  }

  async function follow() {
    let after = 0;
    try {
      const fw = await get('/v1/framework', { signal });
      after = Math.max(0, fw.results_cursor - BACKLOG);
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    while (!signal.aborted) {
      try {
        const page = await get(`/v1/results${query({ after, wait: WAIT, limit: 100 })}`, { signal });
        if (page.truncated) note.textContent = 'Some results were dropped before they could be shown (the log keeps --max-results).';
        add(page.results);
        after = page.next;
        note.textContent = `Following live; ${num(after)} results so far.`;
      } catch (e) {
        if (e.name === 'AbortError') return;
        note.textContent = `Cannot read results (${e.message}); retrying…`;
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  }

  follow();
  return () => controller.abort();
}
