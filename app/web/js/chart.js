// A small line chart in inline SVG (no library): per-second rates of the
// last minutes, with a text summary for screen readers.

import { svg, h } from './dom.js';
import { num } from './format.js';

const W = 320;
const H = 120;
const PAD = { l: 36, r: 8, t: 8, b: 20 };

/**
 * A figure with a chart of `values` (per second, oldest first) sampled every
 * `intervalSeconds`, titled `title`.
 */
export function rateChart(title, values, intervalSeconds, cls) {
  const max = Math.max(...values, 0);
  const top = max > 0 ? niceCeil(max) : 1; // an idle chart still has a scale
  const n = values.length;
  const x = (i) => PAD.l + (n <= 1 ? 0 : (i * (W - PAD.l - PAD.r)) / (n - 1));
  const y = (v) => H - PAD.b - (top === 0 ? 0 : (v * (H - PAD.t - PAD.b)) / top);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const now = values.length ? values[values.length - 1] : 0;
  const minutes = Math.round((n * intervalSeconds) / 60);
  const summary = `${title}: now ${num(round(now))} per second, peak ${num(round(max))} per second over the last ${minutes} minutes`;
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, class: `chart ${cls || ''}`,
  },
  svg('line', { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: 'axis' }),
  svg('line', { x1: PAD.l, y1: PAD.t, x2: W - PAD.r, y2: PAD.t, class: 'grid' }),
  svg('text', { x: PAD.l - 4, y: PAD.t + 4, class: 'tick', 'text-anchor': 'end' }, num(top)),
  svg('text', { x: PAD.l - 4, y: H - PAD.b + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
  svg('text', { x: PAD.l, y: H - 4, class: 'tick' }, `−${minutes} min`),
  svg('text', { x: W - PAD.r, y: H - 4, class: 'tick', 'text-anchor': 'end' }, 'now'),
  svg('polyline', { points, class: 'line' }));
  return h('figure', { class: 'chart-box' },
    h('figcaption', {}, h('span', {}, title), ' ', h('span', { class: 'num' }, `${num(round(now))}/s`)),
    chart);
}

function round(v) {
  return Math.round(v * 100) / 100;
}

// 0 → 0; otherwise the next 1, 2 or 5 × 10^k at or above v.
function niceCeil(v) {
  if (v <= 0) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
