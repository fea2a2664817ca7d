// The stdout/stderr viewer of a task detail, on
// GET /v1/tasks/{id}/logs?stream=&attempt=&offset=&length=&follow=true
// (raw bytes; X-Log-Next-Offset, X-Log-Complete). It follows the output
// while the attempt runs and says plainly why there is none to show
// (404: no logs route or no such attempt, 409: not started, 410: gone,
// 502: the agent did not answer).

import { request } from './api.js';
import { h } from './dom.js';

const CHUNK = 65536;
const MAX_SHOWN = 1 << 20; // characters kept on screen; older ones drop

export function logViewer(taskId) {
  const stream = h('select', { id: 'log-stream' },
    h('option', { value: 'stdout' }, 'stdout'), h('option', { value: 'stderr' }, 'stderr'));
  const attempt = h('select', { id: 'log-attempt' });
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  const out = h('pre', { class: 'log', id: 'log-output', tabindex: 0, 'aria-label': 'Task output', 'aria-live': 'off' });
  const note = h('p', { class: 'note', id: 'log-note', role: 'status' });
  const element = h('div', { class: 'logs' },
    h('div', { class: 'log-controls' },
      h('label', { for: 'log-stream' }, 'Stream'), stream,
      h('label', { for: 'log-attempt' }, 'Attempt'), attempt,
      h('label', { class: 'check' }, follow, ' Follow')),
    note, out);

  let controller = null;
  let attempts = 0;
  let running = false;
  let gen = 0;
  let shown = false;

  function restart() {
    stop();
    out.textContent = '';
    note.textContent = '';
    if (!attempt.value) {
      note.textContent = 'No output yet: the task has not been launched.';
      return;
    }
    read(++gen);
  }

  async function read(my) {
    controller = new AbortController();
    const signal = controller.signal;
    let offset = 0;
    const decoder = new TextDecoder();
    running = true;
    while (my === gen) {
      const url = `/v1/tasks/${taskId}/logs?stream=${stream.value}&attempt=${attempt.value}` +
        `&offset=${offset}&length=${CHUNK}${follow.checked ? '&follow=true' : ''}`;
      let res;
      try {
        res = await request('GET', url, { signal });
      } catch (e) {
        if (e.name !== 'AbortError') note.textContent = `Cannot read the output: ${e.message}`;
        break;
      }
      if (!res.ok) {
        const retry = await explain(res);
        if (!retry || !follow.checked || my !== gen) break;
        await sleep(3000, signal);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const complete = res.headers.get('X-Log-Complete') === 'true';
      append(decoder.decode(bytes, { stream: !complete }));
      const next = Number(res.headers.get('X-Log-Next-Offset'));
      offset = Number.isFinite(next) ? next : offset + bytes.length;
      const size = res.headers.get('X-Log-Size');
      note.textContent = complete ? `Complete: ${offset} bytes.` : `${offset}${size ? ` of ${size}` : ''} bytes${follow.checked ? ', following…' : ''}`;
      if (complete) break;
      if (bytes.length === 0) {
        if (!follow.checked) break;
        await sleep(1000, signal); // the server had nothing new within its wait
      } else if (bytes.length < CHUNK && !follow.checked) {
        break;
      }
    }
    running = false;
  }

  // Says why there is no output; true when it is worth asking again.
  async function explain(res) {
    let message = '';
    try { message = (await res.json()).error.message; } catch { message = ''; }
    const why = {
      404: 'No output available (the service has no logs for this task or attempt',
      409: 'No output yet (the attempt has not started',
      410: 'The output is gone (the sandbox was removed',
      502: 'The agent did not serve the output (',
    }[res.status] || `The output could not be read (HTTP ${res.status}`;
    note.textContent = `${why}${message ? `${why.endsWith('(') ? '' : ': '}${message}` : ''}).`;
    note.dataset.status = String(res.status);
    return res.status === 409 || res.status === 502;
  }

  function append(text) {
    if (!text) return;
    const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
    let all = out.textContent + text;
    if (all.length > MAX_SHOWN) all = all.slice(all.length - MAX_SHOWN);
    out.textContent = all;
    if (atBottom) out.scrollTop = out.scrollHeight;
  }

  function stop() {
    gen++;
    if (controller) controller.abort();
  }

  stream.addEventListener('change', restart);
  attempt.addEventListener('change', restart);
  follow.addEventListener('change', () => { if (follow.checked && !running) restart(); });

  return {
    element,
    stop,
    // New attempts appear in the list; the newest is shown by default.
    update(task) {
      if (shown && task.attempts.length === attempts) return;
      shown = true;
      const wasLatest = !attempt.value || Number(attempt.value) === attempts;
      attempts = task.attempts.length;
      attempt.replaceChildren(...task.attempts.map((a) => h('option', { value: a.number }, String(a.number))));
      if (wasLatest && attempts) attempt.value = String(attempts);
      if (wasLatest) restart();
    },
  };
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
