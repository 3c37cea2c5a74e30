// Requests: the request log, newest first, filtered and paged by sequence number; the first page refreshes every 5 s.
import { el, fmt, field, alertBox, showError, timeRange, currentRange, renderTable, indexer, tryLoad, shortId } from '../lib.js';

const PAGE = 50;
const filters = { key: '', team: '', model: '', status: '', route: '' };
const HIDE = ['seq', 'team_id', 'provider_id', 'key_id', 'upstream_ms', 'overhead_ms'];

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('requests-error');
  const inputs = {
    key: el('input', { type: 'text', id: 'filter-key', testid: 'filter-key', autocomplete: 'off', value: filters.key }),
    team: el('input', { type: 'text', id: 'filter-team', testid: 'filter-team', autocomplete: 'off', value: filters.team }),
    model: el('input', { type: 'text', id: 'filter-model', testid: 'filter-model', autocomplete: 'off', value: filters.model }),
    status: el('input', { type: 'number', id: 'filter-status', testid: 'filter-status', min: '100', max: '599', value: filters.status }),
    route: el('input', { type: 'text', id: 'filter-route', testid: 'filter-route', autocomplete: 'off', value: filters.route }),
  };
  const form = el('form.filters', { testid: 'requests-filters', 'aria-label': 'Filter requests' },
    field('Key id', inputs.key).wrap, field('Team id', inputs.team).wrap, field('Model', inputs.model).wrap,
    field('Status', inputs.status).wrap, field('Route', inputs.route).wrap,
    el('div.actions', null,
      el('button.primary', { type: 'submit', testid: 'requests-apply', text: 'Apply filters' }),
      el('button', { type: 'button', testid: 'requests-clear', text: 'Clear', onclick: () => {
        for (const k of Object.keys(inputs)) { inputs[k].value = ''; filters[k] = ''; }
        first();
      } })));
  const tableBox = el('div');
  const pageInfo = el('p.muted', { testid: 'requests-page-info' });
  const newest = el('button', { type: 'button', testid: 'requests-newest', text: 'Back to newest', hidden: true });
  const older = el('button', { type: 'button', testid: 'requests-older', text: 'Older', disabled: true });

  root.append(
    el('h1', { text: 'Requests' }),
    el('div.controls', null, timeRange(() => first())),
    form, error,
    el('section', null, el('h2', { id: 'log-h', text: 'Request log' }), pageInfo, tableBox,
      el('div.pager', null, newest, older)),
  );

  let keyNames = new Map();
  let providerNames = new Map();
  const before = []; // the "before" sequence of each page shown after the first
  let lastSeq = null;

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const k of Object.keys(inputs)) filters[k] = inputs[k].value.trim();
    first();
  });
  older.addEventListener('click', () => { if (lastSeq !== null) { before.push(lastSeq); load(); } });
  newest.addEventListener('click', () => first());

  function first() { before.length = 0; load(); }

  let busy = false;
  async function load(auto) {
    if (busy) return;
    busy = true;
    const r = currentRange();
    const page = before.length ? before[before.length - 1] : null;
    try {
      const data = await ctx.api.get(ctx.api.url('/admin/analytics/requests', {
        from: r.from, to: r.to, ...filters, limit: PAGE, before: page ?? undefined,
      }));
      if (!ctx.isAlive()) return;
      // The auto refresh leaves the table alone while the user is in it (focus would be lost).
      if (auto && tableBox.contains(document.activeElement)) return;
      error.replaceChildren();
      show(data, r);
    } catch (err) {
      if (ctx.isAlive() && err.status !== 401) showError(error, err);
    } finally {
      busy = false;
    }
  }

  function show(data, r) {
    const col = indexer(data);
    const rows = data.rows || [];
    const iSeq = col('seq'), iKey = col('key_id'), iProv = col('provider_id'), iProvName = col('provider_name');
    lastSeq = rows.length ? rows[rows.length - 1][iSeq] : null;
    older.disabled = rows.length < PAGE;
    newest.hidden = before.length === 0;
    pageInfo.textContent = `${rows.length} request${rows.length === 1 ? '' : 's'}, ${r.label}${before.length ? `, page ${before.length + 1}` : ', newest first (refreshes every 5 s)'}.`;
    const columns = [...data.columns];
    const out = rows.map((row) => [...row]);
    // The key's name beside its (hidden) id; the provider's name where the answer has none.
    if (iKey >= 0) {
      columns.splice(iKey + 1, 0, 'key');
      out.forEach((row, n) => row.splice(iKey + 1, 0, keyNames.get(rows[n][iKey]) || shortId(rows[n][iKey])));
    }
    const jProv = columns.indexOf('provider_id');
    if (iProvName < 0 && jProv >= 0) {
      columns[jProv] = 'provider';
      out.forEach((row, n) => { row[jProv] = providerNames.get(rows[n][iProv]) || rows[n][iProv]; });
    }
    const jId = columns.indexOf('request_id');
    const hide = HIDE;
    tableBox.replaceChildren(renderTable(columns, out, {
      testid: 'requests-table', caption: 'Request log, newest first', hide, empty: 'No requests match.',
      rowAttrs: (row) => ({ 'data-request-id': row[jId] }),
      cell: (name, v, row) => {
        if (name === 'request_id') return el('a', { href: `#/requests/${encodeURIComponent(v)}`, text: shortId(v), title: v });
        if (name === 'status') {
          return el(`td.num.${Number(v) >= 400 ? 'bad' : 'good'}`, { text: fmt.text(v) });
        }
        if (name === 'key') return el('td', { title: row[iKey] || '', text: v });
        return undefined;
      },
    }));
  }

  (async () => {
    const [keys, providers] = await Promise.all([tryLoad('/admin/keys'), tryLoad('/admin/providers')]).catch(() => [null, null]);
    keyNames = new Map((keys || []).map((k) => [k.id, k.name]));
    providerNames = new Map((providers || []).map((p) => [p.id, p.name]));
    if (ctx.isAlive()) first();
  })();
  ctx.every(3000, () => { if (!document.hidden && before.length === 0) load(true); });
}
