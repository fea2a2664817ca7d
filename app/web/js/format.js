// Numbers, times and durations as the viewer reads them: times in the
// browser's time zone, numbers grouped by the browser's locale.

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });
const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** 12345 → "12,345" (locale grouping). */
export function num(n) {
  return n === undefined || n === null ? '' : numberFormat.format(n);
}

/** An RFC 3339 time → local date and time, or '' when absent. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFormat.format(d);
}

/** A <time> element: local text, the UTC value as its datetime. */
export function timeEl(iso) {
  const el = document.createElement('time');
  if (iso) {
    el.dateTime = iso;
    el.textContent = time(iso);
    el.title = iso;
  }
  return el;
}

/** Seconds → "3 d 4 h", "5 min 2 s", "12 s". */
export function duration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) return '';
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d} d ${hh} h`;
  if (hh) return `${hh} h ${m} min`;
  if (m) return `${m} min ${s} s`;
  return `${s} s`;
}

/** The time zone the page shows times in (for a caption). */
export function zoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED', 'ERROR', 'LOST', 'DROPPED', 'GONE']);
export const FAILURES = new Set(['FAILED', 'ERROR', 'LOST', 'DROPPED', 'GONE']);
export const STATES = ['QUEUED', 'LAUNCHING', 'STAGING', 'STARTING', 'RUNNING', 'KILLING',
  'UNREACHABLE', 'FINISHED', 'FAILED', 'KILLED', 'ERROR', 'LOST', 'DROPPED', 'GONE'];

/** A state badge: the text itself says the state (never colour alone). */
export function stateBadge(state) {
  const el = document.createElement('span');
  el.className = `badge state-${(state || '').toLowerCase()}`;
  el.textContent = state || '';
  return el;
}
