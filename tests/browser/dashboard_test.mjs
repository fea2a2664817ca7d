// End-to-end test of the web dashboard in headless Debian chromium against
// `outrigger serve --dev` (real commands on exec agents, real sockets on
// loopback). Writes screenshots of each page at 1280 and 375 px into the
// build tree.
//   node dashboard_test.mjs --outrigger BIN --out DIR
// Waits are for conditions with generous deadlines; nothing is timed.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, waitFor } from './webdriver.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const BIN = args.outrigger;
const OUT = args.out || join(process.cwd(), 'browser-screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DRIVER = process.env.CHROMEDRIVER || '/usr/bin/chromedriver';
const TOKEN = 'dashboard-test-token';

const tmp = mkdtempSync(join(tmpdir(), 'or-browser-'));
mkdirSync(OUT, { recursive: true });
let passed = 0;
let failed = 0;
let serve = null;
let browser = null;
let api = '';

function startServe() {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, ['serve', '--dev', '--listen', '127.0.0.1:0', '--data-dir', join(tmp, 'data'),
      '--advertise-url', 'http://127.0.0.1:1/'], {
      env: { ...process.env, OUTRIGGER_API_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${seen}`)), 60000);
    p.stdout.on('data', (d) => {
      seen += d;
      const m = seen.match(/API listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); resolve([p, m[1]]); }
    });
    p.stderr.on('data', (d) => { seen += d; });
    p.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${seen}`)));
  });
}

async function call(method, path, body, token = TOKEN) {
  const res = await fetch(api + path, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, json, headers: res.headers, text };
}

async function shoot(name) {
  for (const [w, h] of [[1280, 900], [375, 812]]) {
    await browser.viewport(w, h);
    // The picture after the next two frames: the new layout is painted.
    await browser.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));', args: [],
    });
    const png = await browser.screenshot();
    writeFileSync(join(OUT, `${name}-${w}.png`), Buffer.from(png, 'base64'));
    if (w === 375) {
      // Usable on a phone: nothing but tables scrolls sideways.
      const wide = await browser.script('return document.documentElement.scrollWidth');
      assert(wide <= 375, `${name}: the page is ${wide} px wide at 375`);
    }
  }
  await browser.viewport(0, 0);
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    try {
      writeFileSync(join(OUT, `failure-${name.replace(/\W+/g, '-')}.png`), Buffer.from(await browser.screenshot(), 'base64'));
    } catch { /* no picture */ }
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Fills the submit form and sends it; answers with the token dialog once.
async function submitForm(fields) {
  await browser.go(`${api}/#/`); // a fresh form, whatever page was open
  await browser.go(`${api}/#/submit`);
  await browser.el('#f-key');
  for (const [id, value] of Object.entries(fields)) await browser.type(`#${id}`, value);
  await browser.click('#submit-button');
}

async function main() {
  [serve, api] = await startServe();
  for (const tool of [CHROMIUM, DRIVER]) assert(existsSync(tool), `${tool} is missing (scripts/bootstrap --browser installs it)`);
  browser = await Browser.start({ chromium: CHROMIUM, chromedriver: DRIVER, profileDir: join(tmp, 'profile') });
  await waitFor('the service to subscribe', async () => (await call('GET', '/readyz')).status === 200, 60000, 200);

  await step('static files carry their type, ETag and security headers', async () => {
    const index = await call('GET', '/');
    assert(index.status === 200, `GET / answered ${index.status}`);
    assert(index.headers.get('content-type').startsWith('text/html'), 'index is not text/html');
    const csp = index.headers.get('content-security-policy') || '';
    assert(csp.includes("frame-ancestors 'none'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
    assert(!/https?:\/\//.test(index.text), 'the page links something off this origin');
    const js = await call('GET', '/ui/js/main.js');
    assert(js.headers.get('content-type').startsWith('text/javascript'), 'main.js type');
    const again = await fetch(`${api}/ui/js/main.js`, { headers: { 'If-None-Match': js.headers.get('etag') } });
    assert(again.status === 304, `revalidation answered ${again.status}`);
  });

  await step('overview shows the framework, its connection and charts', async () => {
    await browser.go(`${api}/`);
    await waitFor('a framework id', async () => !/^$|not registered/.test(await browser.text('#framework-id')));
    await waitFor('connected', async () => (await browser.text('#connection-phase')).startsWith('connected'));
    const charts = await browser.script('return document.querySelectorAll("#overview-charts svg[role=img]").length');
    assert(charts === 3, `${charts} charts`);
    await shoot('overview');
  });

  let finishedId = 0;
  await step('a task submitted through the form goes QUEUED, RUNNING, FINISHED', async () => {
    await submitForm({ 'f-command': 'echo hello-from-dashboard; sleep 3', 'f-cpus': '0.1', 'f-mem': '32' });
    // No token yet: the API says 401 and the page asks for it once.
    await waitFor('the token dialog', () => browser.script('return document.getElementById("token-dialog").open'));
    await browser.type('#token-input', TOKEN);
    await browser.click('#token-dialog button[value=save]');
    const state = await waitFor('the submitted task', () => browser.text('#submitted-state'));
    assert(state === 'QUEUED', `submitted as ${state}`);
    const stored = await browser.script('return [sessionStorage.getItem("outrigger.token"), localStorage.length]');
    assert(stored[0] === TOKEN && stored[1] === 0, 'the token is kept in sessionStorage only');
    finishedId = Number(await browser.text('#submitted-link'));
    await shoot('submit');
    await browser.click('#submitted-link');
    const seen = [state];
    await waitFor('FINISHED on the detail page', async () => {
      const s = await browser.text('#task-state');
      if (s && s !== seen[seen.length - 1]) seen.push(s);
      return s === 'FINISHED';
    }, 90000, 50);
    assert(seen.includes('RUNNING') && seen.indexOf('RUNNING') < seen.indexOf('FINISHED'), `states seen: ${seen.join(' → ')}`);
    const exit = await browser.text('#task-attempts tbody td:nth-child(6)');
    assert(exit === '0', `exit status shown: "${exit}"`);
  });

  await step('the API\'s validation error is shown next to its field', async () => {
    await submitForm({ 'f-command': 'true', 'f-mem': '1' });
    const msg = await waitFor('the field error', () => browser.text('#f-mem-error'));
    assert(msg.startsWith('resources.mem'), `error: ${msg}`);
    const invalid = await browser.script('return document.getElementById("f-mem").getAttribute("aria-invalid")');
    assert(invalid === 'true', 'the field is not marked invalid');
  });

  await step('an impossible task shows why it is pending', async () => {
    await submitForm({ 'f-key': 'impossible-1', 'f-command': 'true', 'f-cpus': '0.1', 'f-mem': '16000000' });
    await waitFor('the submitted task', () => browser.text('#submitted-state'));
    await browser.go(`${api}/#/tasks?state=QUEUED`);
    const why = await waitFor('a pending reason', async () => {
      const t = await browser.text('#tasks-table tbody tr td.why');
      return /offer|mem/.test(t) ? t : '';
    });
    console.log(`     why pending: ${why}`);
    await shoot('tasks');
  });

  let killedId = 0;
  await step('a running task is killed from its page', async () => {
    await submitForm({ 'f-key': 'to-kill', 'f-command': 'sleep 300', 'f-cpus': '0.1', 'f-mem': '32' });
    killedId = Number(await waitFor('the submitted task', () => browser.text('#submitted-link')));
    await browser.go(`${api}/#/tasks/${killedId}`);
    await waitFor('RUNNING', async () => (await browser.text('#task-state')) === 'RUNNING');
    await browser.click('#kill-button');
    await waitFor('the confirmation', () => browser.script('return document.getElementById("confirm-dialog").open'));
    await browser.click('#confirm-yes');
    await waitFor('KILLED', async () => (await browser.text('#task-state')) === 'KILLED', 60000);
  });

  await step('results follow live and failures stand out', async () => {
    await browser.go(`${api}/#/results`);
    await waitFor('the killed task in the results', () => browser.find(`#results-body tr[data-state="KILLED"]`));
    // A failure arrives while the page is open: the long poll brings it.
    const r = await call('POST', '/v1/tasks', { key: 'fails', command: 'exit 3', resources: { cpus: 0.1, mem: 32 }, retry: { max_attempts: 1 } });
    assert(r.status === 201, `submit answered ${r.status}`);
    await waitFor('the failure row', () => browser.find(`#results-body tr.failure[data-state="FAILED"]`), 60000);
    const exit = await browser.text('#results-body tr.failure td:nth-child(5)');
    assert(exit === '3', `exit status ${exit}`);
    await shoot('results');
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    const log = await browser.consoleLog();
    // The console is read for real: the refused submit (401) is in it.
    assert(log.some((e) => / 401 /.test(e.message)), `the console log has no 401 (${log.length} entries)`);
    const bad = log.filter((e) => /Content Security Policy|Uncaught|SyntaxError|TypeError/.test(e.message));
    assert(bad.length === 0, bad.map((e) => e.message).join('\n'));
  });

  await step('task detail shows the task\'s output', async () => {
    const probe = await call('GET', `/v1/tasks/${finishedId}/logs?stream=stdout&attempt=1&offset=0&length=4096`);
    assert(probe.status === 200, `GET /v1/tasks/${finishedId}/logs answered ${probe.status}`);
    await browser.go(`${api}/#/tasks/${finishedId}`);
    await waitFor('the output', async () => (await browser.text('#log-output')).includes('hello-from-dashboard'), 60000);
    await shoot('task-detail');
  });
}

const hardStop = setTimeout(() => { console.log('FAIL: the suite took more than 240 s'); process.exit(1); }, 240000);
try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e.stack || e}`);
} finally {
  clearTimeout(hardStop);
  if (browser) await browser.quit().catch(() => {});
  if (serve && serve.exitCode === null) {
    const gone = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 20000))]);
  }
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`screenshots: ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
