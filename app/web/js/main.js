// The dashboard's entry: a hash router over the views, the token dialog and
// the confirmation dialog. Each view renders into <main> and returns a
// function that stops its timers and requests when the view is left.

import { onUnauthenticated, token } from './api.js';
import { askForToken } from './dialogs.js';
import * as overview from './overview.js';
import * as tasks from './tasks.js';
import * as taskDetail from './task_detail.js';
import * as results from './results.js';
import * as submit from './submit.js';

const routes = [
  { re: /^#?\/?$/, view: overview, nav: 'overview', title: 'Overview' },
  { re: /^#\/tasks\/(\d+)$/, view: taskDetail, nav: 'tasks', title: 'Task' },
  { re: /^#\/tasks(?:\?.*)?$/, view: tasks, nav: 'tasks', title: 'Tasks' },
  { re: /^#\/results$/, view: results, nav: 'results', title: 'Results' },
  { re: /^#\/submit$/, view: submit, nav: 'submit', title: 'Submit a task' },
];

let leave = () => {};

function route() {
  leave();
  const main = document.getElementById('main');
  const hash = location.hash || '#/';
  const r = routes.find((x) => x.re.test(hash));
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (r && a.dataset.nav === r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!r) {
    main.textContent = 'No such page.';
    leave = () => {};
    return;
  }
  document.title = `${r.title} · outrigger`;
  const m = hash.match(r.re);
  const params = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  leave = r.view.render(main, { id: m[1], params }) || (() => {});
}

function tokenButton() {
  const b = document.getElementById('token-button');
  b.textContent = token() ? 'Token set' : 'Set token';
  b.setAttribute('aria-label', token() ? 'API token is set for this tab; change or forget it' : 'Set the API token');
}

onUnauthenticated(() => askForToken('The service asked for a token (401). It is kept in this tab only (sessionStorage).'));
document.addEventListener('tokenchange', tokenButton);
document.getElementById('token-button').addEventListener('click', () => askForToken());
window.addEventListener('hashchange', () => {
  route();
  document.getElementById('main').focus({ preventScroll: true });
});
tokenButton();
route();
