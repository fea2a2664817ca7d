// A minimal W3C WebDriver client over Node's built-in fetch, talking to
// Debian's chromedriver (no npm packages). Only what the dashboard suite
// needs: sessions, navigation, elements, script, window size, screenshots.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A free loopback port (bound, read, released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value or `ms` pass (then throws `what`). */
export async function waitFor(what, fn, ms = 60000, every = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** chromedriver as a child process, and a session of headless chromium. */
export class Browser {
  static async start({ chromium, chromedriver, profileDir, log }) {
    const port = await freePort();
    const proc = spawn(chromedriver, [`--port=${port}`, '--allowed-ips=127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => log?.(String(d)));
    proc.stderr.on('data', (d) => log?.(String(d)));
    const base = `http://127.0.0.1:${port}`;
    await waitFor('chromedriver', async () => (await (await fetch(`${base}/status`)).json()).value.ready, 30000, 200);
    const b = new Browser(base, proc);
    const caps = {
      capabilities: {
        alwaysMatch: {
          browserName: 'chrome',
          'goog:loggingPrefs': { browser: 'ALL' },
          'goog:chromeOptions': {
            binary: chromium,
            // --no-sandbox: CI runs as root in a container.
            args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              '--no-first-run', '--disable-extensions', `--user-data-dir=${profileDir}`, '--window-size=1280,900'],
          },
        },
      },
    };
    const r = await b.raw('POST', '/session', caps);
    b.session = r.sessionId;
    return b;
  }

  constructor(base, proc) {
    this.base = base;
    this.proc = proc;
    this.session = null;
  }

  async raw(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message?.split('\n')[0]}`);
    return json.value;
  }

  cmd(method, path, body) {
    return this.raw(method, `/session/${this.session}${path}`, body);
  }

  go(url) { return this.cmd('POST', '/url', { url }); }
  url() { return this.cmd('GET', '/url'); }
  script(source, ...args) { return this.cmd('POST', '/execute/sync', { script: source, args }); }
  setSize(width, height) { return this.cmd('POST', '/window/rect', { width, height }); }
  screenshot() { return this.cmd('GET', '/screenshot'); }
  /** The browser console's entries since the last call. */
  consoleLog() { return this.cmd('POST', '/se/log', { type: 'browser' }); }

  /** A Chrome DevTools command through chromedriver. */
  cdp(cmd, params = {}) { return this.cmd('POST', '/goog/cdp/execute', { cmd, params }); }

  /** Lays the page out as on a screen `width` px wide (a phone: mobile). */
  async viewport(width, height) {
    if (!width) return this.cdp('Emulation.clearDeviceMetricsOverride');
    return this.cdp('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: width < 600 });
  }

  /** The element for `css`, or null. */
  async find(css) {
    const all = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return all.length ? all[0][ELEMENT] : null;
  }

  async el(css) {
    const id = await waitFor(`element ${css}`, () => this.find(css), 30000);
    return id;
  }

  async click(css) {
    const id = await this.el(css);
    return this.cmd('POST', `/element/${id}/click`, {});
  }

  /** Clears a field and types `text` into it. */
  async type(css, text) {
    const id = await this.el(css);
    await this.cmd('POST', `/element/${id}/clear`, {});
    return this.cmd('POST', `/element/${id}/value`, { text: String(text) });
  }

  /** The visible text of `css`, or '' when absent. */
  async text(css) {
    const id = await this.find(css);
    if (!id) return '';
    return this.cmd('GET', `/element/${id}/text`);
  }

  async quit() {
    try {
      if (this.session) await this.raw('DELETE', `/session/${this.session}`);
    } finally {
      this.proc.kill('SIGTERM');
    }
  }
}
