// Shared helpers of the dashboard: API calls, formatting, DOM building, tables, the time range and the reason dialog.
// Nothing here puts API data into innerHTML: every text goes through textContent.

export const state = { session: null };

let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || null;
  }
}

async function body(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { return await res.json(); } catch { return null; }
  }
  const text = await res.text();
  return text ? { detail: text } : null;
}

async function handle(res) {
  const data = await body(res);
  if (res.status === 401) {
    state.session = null;
    unauthorized();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A header value must be printable ASCII; newlines and other controls become spaces. */
/** What is wrong with a change's reason, or null: it is required, and printable ASCII (it travels in an HTTP header). */
export function reasonProblem(text) {
  if (!text) return 'Reason: required.';
  return /[^\x20-\x7e]/.test(headerSafe(text)) ? 'Reason: use plain ASCII characters (it travels in an HTTP header).' : null;
}

export function headerSafe(text) {
  return String(text).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export const api = {
  /** Path with the non-empty params as a query string. */
  url(path, params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  },
  async get(url) {
    return handle(await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
  },
  /** A write: CSRF token always, the audit reason when given, JSON body when given. */
  async send(method, url, data, reason) {
    const headers = { Accept: 'application/json' };
    if (state.session) headers['X-CSRF-TOKEN'] = state.session.csrfToken;
    if (reason) headers['X-Audit-Reason'] = headerSafe(reason);
    const init = { method, credentials: 'same-origin', headers };
    if (data !== undefined && data !== null) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(data);
    }
    return handle(await fetch(url, init));
  },
};

// ---------- formatting ----------

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const usdTiny = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });
const dec1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dec2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const pctFmt = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });
const DASH = '—';

const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

export const fmt = {
  usd(v) {
    const n = num(v);
    if (n === null || Number.isNaN(n)) return DASH;
    if (n === 0) return usd2.format(0);
    // Under $1: four decimals; under a hundredth of a cent, two significant digits rather than $0.0000.
    return Math.abs(n) < 0.0001 ? usdTiny.format(n) : Math.abs(n) < 1 ? usd4.format(n) : usd2.format(n);
  },
  int(v) { const n = num(v); return n === null || Number.isNaN(n) ? DASH : intFmt.format(n); },
  /** Milliseconds as a number (the unit is in the header or added by `msUnit`). */
  ms(v) { const n = num(v); return n === null || Number.isNaN(n) ? DASH : n < 100 ? dec1.format(n) : intFmt.format(n); },
  msUnit(v) { const s = fmt.ms(v); return s === DASH ? s : `${s} ms`; },
  /** A rate 0..1 as a percentage. */
  rate(v) { const n = num(v); return n === null || Number.isNaN(n) ? DASH : pctFmt.format(n); },
  /** A number that already is a percentage (0..100). */
  pct(v) { const n = num(v); return n === null || Number.isNaN(n) ? DASH : `${dec2.format(n)}%`; },
  dec(v) { const n = num(v); return n === null || Number.isNaN(n) ? DASH : dec2.format(n); },
  /** An instant in the browser's local time, with the zone's abbreviation (tables and facts). */
  time(v) {
    const d = parseTime(v);
    return d ? d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }) : DASH;
  },
  /** An instant in UTC (the charts' time axis, whose buckets are UTC). */
  utcTime(v) {
    const d = parseTime(v);
    return d ? d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }) : DASH;
  },
  /** The time of day in local time with the zone ("Updated …" lines). */
  clock(v = new Date()) {
    const d = parseTime(v);
    return d ? d.toLocaleTimeString('en-GB', { timeZoneName: 'short' }) : DASH;
  },
  text(v) { return v === null || v === undefined || v === '' ? DASH : String(v); },
};

/** A Date from an ISO string (a DuckDB timestamp without zone is UTC), epoch ms, or Date. */
export function parseTime(v) {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  let s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Value for a datetime-local input, in local time. */
export function toLocalInput(date) {
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

// ---------- DOM ----------

/** el('tag.class', {attrs}, ...children): children are nodes or text (never parsed as HTML). */
export function el(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag || 'div');
  if (classes.length) node.className = classes.join(' ');
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'testid') node.dataset.testid = v;
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k in node && typeof v !== 'string') node[k] = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

let idSeq = 0;
export const uid = (prefix) => `${prefix}-${++idSeq}`;

/** A labelled form field: returns { wrap, input }. */
export function field(label, input, hint) {
  if (!input.id) input.id = uid('f');
  const wrap = el('div.field', null, el('label', { for: input.id, text: label }), input);
  if (hint) {
    const h = el('span.hint', { id: `${input.id}-hint`, text: hint });
    input.setAttribute('aria-describedby', h.id);
    wrap.append(h);
  }
  return { wrap, input };
}

export function alertBox(id) {
  return el('div.alert', { role: 'alert', id, testid: id });
}

/** Shows an error (problem details with field errors, or a plain message) in a role="alert" element. */
export function showError(box, err) {
  box.replaceChildren();
  if (!err) return;
  const p = err.problem || {};
  let text = p.detail || p.title || err.message || String(err);
  if (err.status === 403) text = `Not allowed for your role: ${text}`;
  box.append(el('p', { text }));
  if (p.errors && typeof p.errors === 'object') {
    const list = el('ul');
    for (const [name, msgs] of Object.entries(p.errors)) {
      list.append(el('li', { text: `${name}: ${[].concat(msgs).join(' ')}` }));
    }
    if (list.childElementCount) box.append(list);
  }
}

export function note(text, cls = 'muted') { return el(`p.${cls}`, { text }); }

let announceTimer = null;
/** Announces a status message in the polite live region (cleared after a while). */
export function announce(text) {
  const region = document.getElementById('status');
  if (!region) return;
  region.textContent = '';
  clearTimeout(announceTimer);
  setTimeout(() => { region.textContent = text; }, 50);
  announceTimer = setTimeout(() => { region.textContent = ''; }, 8000);
}

// ---------- tables ----------

const LABELS = {
  key: 'Key', key_id: 'Key id', key_name: 'Key name', team: 'Team', team_id: 'Team id', team_name: 'Team name',
  account: 'Account', account_id: 'Account id', provider: 'Provider', provider_id: 'Provider id', provider_name: 'Provider name',
  model: 'Model', model_asked: 'Model asked', model_served: 'Model served', route: 'Route', day: 'Day (UTC)',
  requests: 'Requests', prompt_tokens: 'Prompt tokens', completion_tokens: 'Completion tokens', cached_tokens: 'Cached tokens',
  cost: 'Cost', cost_usd: 'Cost', p50_ms: 'p50 (ms)', p95_ms: 'p95 (ms)', p99_ms: 'p99 (ms)', mean_ms: 'Mean (ms)',
  total_ms: 'Total (ms)', upstream_ms: 'Upstream (ms)', overhead_ms: 'Overhead (ms)', ttft_ms: 'First token (ms)',
  pct_of_team: '% of team', pct_of_account: '% of account', pct_of_all: '% of all', error_pct: 'Errors', fallback_pct: 'Fallbacks',
  error_rate: 'Error rate', fallback_rate: 'Fallback rate', error_class: 'Error', fallback_used: 'Fallback', streamed: 'Streamed',
  request_id: 'Request', seq: 'Seq', time: 'Time', bucket: 'Bucket', status: 'Status', attempts: 'Attempts',
  budget_used: 'Budget used (this period)', credential: 'Credential', latency_ms: 'Latency (ms)',
  effective_from: 'Effective from', input_usd: 'Input', output_usd: 'Output', cached_input_usd: 'Cached input',
  has_api_key: 'API key set', api_version: 'API version', base_url: 'Base URL', defined_at: 'Defined', registered_at: 'Registered',
  chain: 'Fallback chain (in order)', at: 'When', entity_id: 'Entity id',
  period_start: 'Period start', pct_of_limit: '% of limit',
};

export const label = (name) => LABELS[name] || (name.charAt(0).toUpperCase() + name.slice(1)).replace(/_/g, ' ');

/** [text, numeric?] for a value of a known column. */
export function formatCell(name, v) {
  if (v === null || v === undefined || v === '') return [DASH, false];
  if (name === 'cost' || name === 'cost_usd' || name.endsWith('_usd')) return [fmt.usd(v), true];
  if (name.endsWith('_ms')) return [fmt.ms(v), true];
  if (name.startsWith('pct_') || name.endsWith('_pct')) return [fmt.pct(v), true];
  if (name.endsWith('_rate')) return [fmt.rate(v), true];
  if (name === 'requests' || name === 'attempts' || name.endsWith('_tokens') || name === 'seq') return [fmt.int(v), true];
  if (name === 'time' || name === 'bucket' || name === 'at' || name.endsWith('_at') || name === 'day') {
    return [typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : fmt.time(v), false];
  }
  if (typeof v === 'boolean') return [v ? 'Yes' : 'No', false];
  if (typeof v === 'number') return [fmt.dec(v), true];
  if (typeof v === 'object') return [JSON.stringify(v), false];
  return [String(v), false];
}

/**
 * A table for {columns, rows}. options: testid, caption, hide (column names), format {col: v => text},
 * cell (col, value, row, i) => Node|undefined, rowAttrs (row, i) => attrs, empty (text).
 * Returns a focusable scroll region holding the table.
 */
export function renderTable(columns, rows, options = {}) {
  const { testid, caption, hide = [], format = {}, cell, rowAttrs, empty = 'Nothing to show.' } = options;
  const shown = columns.map((c, i) => [c, i]).filter(([c]) => !hide.includes(c));
  const table = el('table', { testid });
  if (caption) table.append(el('caption', { text: caption }));
  const headRow = el('tr');
  for (const [c] of shown) {
    const [, numeric] = formatCell(c, rows.length ? firstValue(rows, columns.indexOf(c)) : null);
    headRow.append(el(`th${numeric ? '.num' : ''}`, { scope: 'col', text: label(c) }));
  }
  table.append(el('thead', null, headRow));
  const tbody = el('tbody');
  rows.forEach((row, r) => {
    const tr = el('tr', rowAttrs ? rowAttrs(row, r) : null);
    for (const [c, i] of shown) {
      const v = row[i];
      const custom = cell ? cell(c, v, row, r) : undefined;
      if (custom !== undefined) { tr.append(custom instanceof Node && /^T[DH]$/.test(custom.tagName) ? custom : el('td', null, custom)); continue; }
      let [text, numeric] = formatCell(c, v);
      if (format[c]) text = format[c](v, row);
      tr.append(el(`td${numeric ? '.num' : ''}`, { text }));
    }
    tbody.append(tr);
  });
  if (!rows.length) tbody.append(el('tr', null, el('td.empty', { colspan: String(Math.max(shown.length, 1)), text: empty })));
  table.append(tbody);
  return el('div.table-wrap', { role: 'region', 'aria-label': caption || label(testid || 'table'), tabindex: '0' }, table);
}

function firstValue(rows, i) {
  for (const r of rows) if (r[i] !== null && r[i] !== undefined) return r[i];
  return null;
}

/** Objects to {columns, rows}, in the order of `columns`. */
export function objectsToRows(items, columns) {
  return { columns, rows: items.map((o) => columns.map((c) => o[c])) };
}

/** Column index lookup for a {columns, rows} answer. */
export function indexer(result) {
  const map = new Map(result.columns.map((c, i) => [c, i]));
  return (name) => (map.has(name) ? map.get(name) : -1);
}

// ---------- time range ----------

const PRESETS = [
  { id: '1h', label: '1 h', span: 3600e3, bucket: 'minute' },
  { id: '24h', label: '24 h', span: 86400e3, bucket: 'hour' },
  { id: '7d', label: '7 d', span: 7 * 86400e3, bucket: 'hour' },
  { id: '30d', label: '30 d', span: 30 * 86400e3, bucket: 'day' },
];

// Shared by every page that shows one, so the choice follows the user from page to page.
const rangeState = { preset: '24h', from: null, to: null };

/** The current range: ISO from/to (a preset ends now), and the bucket that suits its span. */
export function currentRange() {
  const p = PRESETS.find((x) => x.id === rangeState.preset);
  if (p) {
    const to = new Date();
    return { preset: p.id, from: new Date(to.getTime() - p.span).toISOString(), to: to.toISOString(), bucket: p.bucket, label: `last ${p.label}` };
  }
  const from = rangeState.from, to = rangeState.to;
  const span = to - from;
  const bucket = span <= 6 * 3600e3 ? 'minute' : span <= 14 * 86400e3 ? 'hour' : 'day';
  return { preset: 'custom', from: from.toISOString(), to: to.toISOString(), bucket, label: `${fmt.time(from)} to ${fmt.time(to)}` };
}

/**
 * How often a page showing this range polls the analytics (ms): every 3 s for an hour or a day, less for wider
 * ranges (each full-range query over millions of rows costs the gateway CPU).
 */
export function refreshInterval(range = currentRange()) {
  if (range.preset === '1h' || range.preset === '24h') return 3000;
  if (range.preset === '7d') return 15000;
  if (range.preset === '30d') return 30000;
  const span = Date.parse(range.to) - Date.parse(range.from);
  return span > 86400e3 ? 30000 : 3000;
}

/** "3 s" / "30 s" for a refresh interval. */
export const intervalText = (ms) => `${Math.round(ms / 1000)} s`;

/**
 * Sequenced loads of one page part: every load gets a number when it starts and only the latest one may show its
 * answer (or its error), so a click made while another load is in flight is never dropped nor overtaken by a stale answer.
 *   const n = loads.begin(); try { const d = await …; if (!loads.latest(n)) return; … } finally { loads.end(); }
 */
export function sequence() {
  let seq = 0;
  const s = {
    inFlight: 0,
    started: 0,
    begin() { s.inFlight += 1; s.started = Date.now(); seq += 1; return seq; },
    end() { s.inFlight = Math.max(0, s.inFlight - 1); },
    latest(n) { return n === seq; },
  };
  return s;
}

/**
 * Calls load(true) whenever the range's refresh interval has passed since the last load started (any load, also one
 * the user asked for), while the tab is visible and no load is in flight. `loads` is the page's sequence().
 */
export function autoRefresh(ctx, loads, load) {
  ctx.every(250, () => {
    if (document.hidden || loads.inFlight > 0) return;
    if (Date.now() - loads.started >= refreshInterval()) load(true);
  });
}

/** The time range selector: preset buttons (aria-pressed) and a custom From/To. Calls onChange() on a new choice. */
export function timeRange(onChange) {
  const group = el('div.range', { role: 'group', 'aria-label': 'Time range', testid: 'time-range' });
  const buttons = [];
  const errorBox = alertBox('range-error');
  const fromInput = el('input', { type: 'datetime-local', id: 'range-from', testid: 'range-from', required: true });
  const toInput = el('input', { type: 'datetime-local', id: 'range-to', testid: 'range-to', required: true });
  const custom = el('form.range-custom', { testid: 'range-custom-form', novalidate: true },
    field('From', fromInput).wrap, field('To', toInput).wrap,
    el('button', { type: 'submit', testid: 'range-apply', text: 'Apply range' }));
  const sync = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.preset === rangeState.preset));
    custom.hidden = rangeState.preset !== 'custom';
  };
  for (const p of [...PRESETS, { id: 'custom', label: 'Custom' }]) {
    const b = el('button', { type: 'button', testid: `range-${p.id}`, text: p.label, 'aria-pressed': 'false' });
    b.dataset.preset = p.id;
    b.addEventListener('click', () => {
      if (p.id === 'custom') {
        const r = currentRange();
        fromInput.value = toLocalInput(new Date(r.from));
        toInput.value = toLocalInput(new Date(r.to));
        rangeState.preset = 'custom';
        rangeState.from = new Date(r.from);
        rangeState.to = new Date(r.to);
        sync();
        fromInput.focus();
        return;
      }
      rangeState.preset = p.id;
      errorBox.replaceChildren();
      sync();
      onChange();
    });
    buttons.push(b);
  }
  custom.addEventListener('submit', (e) => {
    e.preventDefault();
    const from = fromInput.value ? new Date(fromInput.value) : null;
    const to = toInput.value ? new Date(toInput.value) : null;
    if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
      showError(errorBox, new Error('Give both From and To.'));
      return;
    }
    if (from >= to) { showError(errorBox, new Error('From must be before To.')); return; }
    errorBox.replaceChildren();
    Object.assign(rangeState, { preset: 'custom', from, to });
    onChange();
  });
  if (rangeState.preset === 'custom' && rangeState.from) {
    fromInput.value = toLocalInput(rangeState.from);
    toInput.value = toLocalInput(rangeState.to);
  }
  group.append(...buttons);
  sync();
  return el('div.range-wrap', null, group, custom, errorBox);
}

// ---------- the reason dialog ----------

let dialog = null;
/** Bumped whenever the dialog is opened or closed from outside: a confirm belongs to the opening it was made in. */
let dialogEpoch = 0;

/** Closes every open dialog as cancelled (the route changed): nothing it would have written is sent. */
export function closeDialogs() {
  dialogEpoch += 1;
  if (dialog) dialog.handler = null;
  for (const node of document.querySelectorAll('dialog[open]')) {
    try { node.close(); } catch { /* already closed */ }
  }
}

function buildDialog() {
  const title = el('h2', { id: 'action-dialog-title' });
  const desc = el('p.dialog-desc', { id: 'action-dialog-desc' });
  const extra = el('div.dialog-fields');
  const reason = el('input', { type: 'text', id: 'reason-input', testid: 'reason-input', required: true, maxlength: '500', autocomplete: 'off' });
  const error = alertBox('dialog-error');
  const cancel = el('button', { type: 'button', testid: 'reason-cancel', text: 'Cancel' });
  const confirm = el('button.primary', { type: 'submit', testid: 'reason-confirm', text: 'Confirm' });
  const form = el('form', { novalidate: true }, title, desc, extra, field('Reason', reason, 'Recorded in the audit trail.').wrap, error,
    el('div.actions', null, cancel, confirm));
  const node = el('dialog', { id: 'action-dialog', testid: 'reason-dialog', 'aria-labelledby': title.id, 'aria-describedby': desc.id }, form);
  document.body.append(node);
  dialog = { node, title, desc, extra, reason, error, cancel, confirm, form, handler: null, epoch: 0 };
  cancel.addEventListener('click', () => node.close());
  // The close event comes a task later: only clear when the dialog has not been opened again since.
  node.addEventListener('close', () => { if (!node.open) { dialog.handler = null; dialog.extra.replaceChildren(); } });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const handler = dialog.handler;
    const epoch = dialog.epoch;
    if (!handler || !node.open || epoch !== dialogEpoch) return;
    const text = reason.value.trim();
    const bad = reasonProblem(text);
    if (bad) { showError(error, new Error(bad)); reason.focus(); return; }
    const values = {};
    for (const input of extra.querySelectorAll('input, select')) values[input.name] = input.type === 'checkbox' ? input.checked : input.value;
    confirm.disabled = true;
    error.replaceChildren();
    try {
      await handler(text, values);
      if (epoch === dialogEpoch) node.close();
    } catch (err) {
      if (epoch !== dialogEpoch) return; // the page that asked is gone: nothing to show
      if (err.status === 401) { node.close(); return; }
      showError(error, err);
    } finally {
      confirm.disabled = false;
    }
  });
}

/**
 * Asks for a reason (and optional extra fields) in a modal dialog, then runs action(reason, values). An error from the
 * action is shown in the dialog, which stays open; success closes it.
 * fields: [{ name, label, type, value, min, max, step, hint }] (type "checkbox": value is its checked state)
 */
export function withReason({ title, description = '', confirmLabel = 'Confirm', fields = [] }, action) {
  if (!dialog) buildDialog();
  const d = dialog;
  d.title.textContent = title;
  d.desc.textContent = description;
  d.confirm.textContent = confirmLabel;
  d.reason.value = '';
  d.error.replaceChildren();
  d.extra.replaceChildren();
  for (const f of fields) {
    const input = el('input', { type: f.type || 'text', name: f.name, id: `dialog-${f.name}`, testid: `dialog-${f.name}`, autocomplete: 'off' });
    if (f.type === 'checkbox') {
      input.checked = !!f.value;
      d.extra.append(el('div.check', null, input, el('label', { for: input.id, text: f.label })));
      continue;
    }
    if (f.value !== undefined && f.value !== null) input.value = String(f.value);
    if (f.min !== undefined) input.min = String(f.min);
    if (f.max !== undefined) input.max = String(f.max);
    if (f.step !== undefined) input.step = String(f.step);
    d.extra.append(field(f.label, input, f.hint).wrap);
  }
  d.handler = action;
  dialogEpoch += 1;
  d.epoch = dialogEpoch;
  if (!d.node.open) d.node.showModal();
  (d.extra.querySelector('input') || d.reason).focus();
}

/** A "may be forbidden for this role" load: the data, or null with a note put in `box`. */
export async function tryLoad(url, box) {
  try {
    return await api.get(url);
  } catch (err) {
    if (err.status === 401) throw err;
    if (box) {
      box.replaceChildren();
      if (err.status === 403) box.append(note('Not available to your role.'));
      else showError(box, err);
    }
    return null;
  }
}

/** Short form of a GUID for display. */
// Ids are UUIDv7: their first characters are a timestamp shared by neighbours, the last ones tell them apart.
export const shortId = (id) => (id ? '…' + String(id).slice(-8) : DASH);
