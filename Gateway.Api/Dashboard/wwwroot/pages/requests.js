// Requests: the request log, newest first, filtered and paged by sequence number; the first page refreshes by itself
// (every 3 s for an hour or a day, less often for wider ranges).
import {
  el, fmt, field, alertBox, showError, timeRange, currentRange, renderTable, indexer, shortId, sequence, autoRefresh,
  refreshInterval, intervalText,
} from '../lib.js';

const PAGE = 50;
const filters = { key: '', team: '', model: '', status: '', route: '' };
const HIDE = ['seq', 'team_id', 'provider_id', 'key_id', 'upstream_ms', 'overhead_ms'];

/**
 * A filter that is a select of names (value = id, first option "Any") once its list is loaded, or a free-text input
 * with the same id and label when the list cannot be read (403 for the role, or any other failure).
 */
function pickFilter(id, labelText, value) {
  const select = el('select', { id, testid: id }, el('option', { value: '', text: 'Any' }));
  if (value) select.append(el('option', { value, text: value, selected: true }));
  const { wrap } = field(labelText, select);
  const f = {
    wrap,
    control: select,
    get value() { return f.control.value.trim(); },
    set value(v) { f.control.value = v; },
    /** Options as [value, text]; keeps the current choice (shown by its short id when it is not in the list). */
    options(items) {
      if (f.control !== select) return;
      const current = select.value;
      const opts = [el('option', { value: '', text: 'Any' })];
      for (const [v, text] of items) opts.push(el('option', { value: v, text }));
      if (current && !items.some(([v]) => v === current)) opts.push(el('option', { value: current, text: shortId(current) }));
      select.replaceChildren(...opts);
      select.value = current;
    },
    /** The list is not readable: a text input instead, same id, label and value. */
    fallback() {
      if (f.control !== select) return;
      const input = el('input', { type: 'text', id, testid: id, autocomplete: 'off', value: select.value });
      select.replaceWith(input);
      f.control = input;
    },
  };
  return f;
}

/** "name", or "name (…abcd1234)" when another item has the same name. */
function named(items, nameOf, extra = () => '') {
  const counts = new Map();
  for (const it of items) counts.set(nameOf(it), (counts.get(nameOf(it)) || 0) + 1);
  return items.map((it) => [it.id, `${nameOf(it)}${counts.get(nameOf(it)) > 1 ? ` (${shortId(it.id)})` : ''}${extra(it)}`]);
}

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('requests-error');
  const picks = {
    key: pickFilter('filter-key', 'Key', filters.key),
    team: pickFilter('filter-team', 'Team', filters.team),
    model: pickFilter('filter-model', 'Model', filters.model),
  };
  const inputs = {
    status: el('input', { type: 'number', id: 'filter-status', testid: 'filter-status', min: '100', max: '599', value: filters.status }),
    route: el('input', { type: 'text', id: 'filter-route', testid: 'filter-route', autocomplete: 'off', value: filters.route }),
  };
  const read = () => ({
    key: picks.key.value, team: picks.team.value, model: picks.model.value,
    status: inputs.status.value.trim(), route: inputs.route.value.trim(),
  });
  const form = el('form.filters', { testid: 'requests-filters', 'aria-label': 'Filter requests' },
    picks.key.wrap, picks.team.wrap, picks.model.wrap,
    field('Status', inputs.status).wrap, field('Route', inputs.route).wrap,
    el('div.actions', null,
      el('button.primary', { type: 'submit', testid: 'requests-apply', text: 'Apply filters' }),
      el('button', { type: 'button', testid: 'requests-clear', text: 'Clear', onclick: () => {
        for (const p of Object.values(picks)) p.value = '';
        for (const i of Object.values(inputs)) i.value = '';
        Object.assign(filters, read());
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
  let teamNames = new Map();
  let providerNames = new Map();
  // What the table shows: the "before" sequence of each page after the first (empty: the newest page), and the
  // last sequence on it (where "Older" goes next). Set only when a page is shown, so it always matches the table.
  let shown = { before: [], lastSeq: null };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(filters, read());
    first();
  });
  older.addEventListener('click', () => { if (shown.lastSeq !== null) load([...shown.before, shown.lastSeq]); });
  newest.addEventListener('click', () => first());

  function first() { load([]); }

  // Every load is numbered and only the latest one is shown: a click is never dropped because another load (or an
  // auto refresh) is in flight, and a late answer to an older load never replaces the page asked for last.
  const loads = sequence();
  async function load(stack, auto = false) {
    const n = loads.begin();
    const r = currentRange();
    const page = stack.length ? stack[stack.length - 1] : null;
    const wanted = { ...filters };
    try {
      const data = await ctx.api.get(ctx.api.url('/admin/analytics/requests', {
        from: r.from, to: r.to, ...wanted, limit: PAGE, before: page ?? undefined,
      }));
      if (!ctx.isAlive() || !loads.latest(n)) return;
      // The auto refresh leaves the table alone while the user is in it (focus would be lost).
      if (auto && tableBox.contains(document.activeElement)) return;
      error.replaceChildren();
      show(data, r, stack);
    } catch (err) {
      if (ctx.isAlive() && loads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      loads.end();
    }
  }

  function show(data, r, stack) {
    const col = indexer(data);
    const rows = data.rows || [];
    const iSeq = col('seq'), iKey = col('key_id'), iTeam = col('team_id'), iProv = col('provider_id'), iProvName = col('provider_name');
    shown = { before: [...stack], lastSeq: rows.length ? rows[rows.length - 1][iSeq] : null };
    older.disabled = rows.length < PAGE;
    newest.hidden = stack.length === 0;
    pageInfo.textContent = `${rows.length} request${rows.length === 1 ? '' : 's'}, ${r.label}${stack.length
      ? `, page ${stack.length + 1}` : `, newest first (refreshes every ${intervalText(refreshInterval(r))})`}.`;
    const columns = [...data.columns];
    const out = rows.map((row) => [...row]);
    // The key's and the team's names beside their (hidden) ids; the provider's name where the answer has none.
    if (iKey >= 0) {
      columns.splice(iKey + 1, 0, 'key');
      out.forEach((row, k) => row.splice(iKey + 1, 0, keyNames.get(rows[k][iKey]) || shortId(rows[k][iKey])));
      if (iTeam >= 0) {
        columns.splice(iKey + 2, 0, 'team');
        out.forEach((row, k) => row.splice(iKey + 2, 0, teamNames.get(rows[k][iTeam]) || shortId(rows[k][iTeam])));
      }
    }
    const jProv = columns.indexOf('provider_id');
    if (iProvName < 0 && jProv >= 0) {
      columns[jProv] = 'provider';
      out.forEach((row, k) => { row[jProv] = providerNames.get(rows[k][iProv]) || rows[k][iProv]; });
    }
    const jId = columns.indexOf('request_id');
    tableBox.replaceChildren(renderTable(columns, out, {
      testid: 'requests-table', caption: 'Request log, newest first', hide: HIDE, empty: 'No requests match.',
      rowAttrs: (row) => ({ 'data-request-id': row[jId] }),
      cell: (name, v, row, k) => {
        if (name === 'request_id') return el('a', { href: `#/requests/${encodeURIComponent(v)}`, text: shortId(v), title: v });
        if (name === 'status') {
          return el(`td.num.${Number(v) >= 400 ? 'bad' : 'good'}`, { text: fmt.text(v) });
        }
        if (name === 'key') return el('td', { title: rows[k][iKey] || '', text: v });
        if (name === 'team') return el('td', { title: rows[k][iTeam] || '', text: v });
        return undefined;
      },
    }));
  }

  /** A list for names and a filter: the items, or null (403 or any failure: the filter becomes free text). */
  async function list(url) {
    try {
      return await ctx.api.get(url);
    } catch (err) {
      if (err.status === 401) throw err;
      return null;
    }
  }

  (async () => {
    let keys = null, teams = null, models = null, providers = null;
    try {
      [keys, teams, models, providers] = await Promise.all([list('/admin/keys'), list('/admin/teams'), list('/admin/models'), list('/admin/providers')]);
    } catch { /* signed out: the shell shows the sign-in form */ }
    if (!ctx.isAlive()) return;
    keyNames = new Map((keys || []).map((k) => [k.id, k.name]));
    teamNames = new Map((teams || []).map((t) => [t.id, t.name]));
    providerNames = new Map((providers || []).map((p) => [p.id, p.name]));
    if (keys) picks.key.options(named(keys, (k) => k.name, (k) => (k.revoked ? ' (revoked)' : '')));
    else picks.key.fallback();
    if (teams) picks.team.options(named(teams, (t) => t.name));
    else picks.team.fallback();
    if (models) picks.model.options([...new Set(models.map((m) => m.publicId))].sort().map((p) => [p, p]));
    else picks.model.fallback();
    first();
    // The first page follows new traffic by itself (not while an older page is shown).
    autoRefresh(ctx, loads, () => { if (shown.before.length === 0) load([], true); });
  })();
}
