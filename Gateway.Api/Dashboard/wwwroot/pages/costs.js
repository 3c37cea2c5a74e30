// Costs: spend grouped by key, team, model, provider, account, route or day; the top keys with their shares; budget use.
import { el, fmt, field, alertBox, showError, timeRange, currentRange, renderTable, indexer, tryLoad, sequence } from '../lib.js';

const GROUPS = [['key', 'Key'], ['team', 'Team'], ['model', 'Model'], ['provider', 'Provider'], ['account', 'Account'], ['route', 'Route'], ['day', 'Day']];
let by = 'key';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('costs-error');
  const bySelect = el('select', { id: 'cost-by', testid: 'cost-by' },
    GROUPS.map(([v, t]) => el('option', { value: v, text: t, selected: v === by })));
  const csv = el('a.button', { testid: 'cost-csv', download: 'costs.csv', href: '#', text: 'Download CSV' });
  const refresh = el('button', { type: 'button', testid: 'costs-refresh', text: 'Refresh' });
  const costBox = el('div', { testid: 'cost-table-box' });
  const topBox = el('div', { testid: 'top-keys-box' });
  const heading = el('h2', { id: 'cost-h', text: 'Spend by key' });

  root.append(
    el('h1', { text: 'Costs' }),
    el('div.controls', null, timeRange(() => load()), field('Group by', bySelect).wrap, refresh),
    error,
    el('section', null, el('div.section-head', null, heading, csv), costBox),
    el('section', null, el('h2', { id: 'top-h', text: 'Top 10 keys by cost' }), topBox),
  );

  const csvHref = () => {
    const r = currentRange();
    return ctx.api.url('/admin/analytics/cost', { by, from: r.from, to: r.to, format: 'csv' });
  };
  // A preset range ends "now": the link is brought up to date when it is used.
  csv.addEventListener('click', () => { csv.href = csvHref(); csv.download = `costs-by-${by}.csv`; });
  bySelect.addEventListener('change', () => { by = bySelect.value; load(); });
  refresh.addEventListener('click', () => load());

  let names = null;
  let namesLoading = null; // one load of the names, shared by the loads that start before it ends
  async function loadNames() {
    const [keys, teams, budgets, accounts] = await Promise.all([
      tryLoad('/admin/keys'), tryLoad('/admin/teams'), tryLoad('/admin/budgets'), tryLoad('/admin/accounts'),
    ]);
    return {
      key: new Map((keys || []).map((k) => [k.id, k.name])),
      team: new Map((teams || []).map((t) => [t.id, t.name])),
      account: new Map((accounts || []).map((a) => [a.id, a.name])),
      budgets: budgets || [],
    };
  }

  /** "42.1% of $10.00" for the budget of that scope (current period), or an empty string. */
  function budgetUse(scope, id) {
    const b = names.budgets.find((x) => x.scope === scope && (x.scopeId || null) === (id || null));
    if (!b) return '';
    const limit = Number(b.balance ? b.balance.limit : b.limitUsd);
    const spent = Number(b.balance ? b.balance.spent : 0);
    if (!limit) return '';
    return `${fmt.pct((100 * spent) / limit)} of ${fmt.usd(limit)} (${b.period})`;
  }

  /** Adds a name column (and a budget column for key, team and account) after an id column. */
  function enrich(result, idColumn, kind, withBudget = true) {
    const at = result.columns.indexOf(idColumn);
    if (at < 0 || !names[kind]) return result;
    const columns = [...result.columns];
    const extra = [`${kind}_name`];
    if (withBudget && names.budgets.some((b) => b.scope === kind)) extra.push('budget_used');
    columns.splice(at + 1, 0, ...extra);
    const rows = result.rows.map((r) => {
      const id = r[at];
      const add = [names[kind].get(id) ?? null];
      if (extra.length > 1) add.push(budgetUse(kind, id) || null);
      const row = [...r];
      row.splice(at + 1, 0, ...add);
      return row;
    });
    return { columns, rows };
  }

  // Every load is numbered and only the latest one is shown: a "Group by" change or a Refresh made while another
  // load is in flight starts its own load, and the older answer is ignored when it comes.
  const loads = sequence();
  async function load() {
    const n = loads.begin();
    const r = currentRange();
    const group = by;
    const title = `Spend by ${GROUPS.find(([v]) => v === group)[1].toLowerCase()}, ${r.label}`;
    heading.textContent = title;
    csv.href = csvHref();
    csv.download = `costs-by-${group}.csv`;
    try {
      if (!names) {
        namesLoading = namesLoading || loadNames();
        const loaded = await namesLoading;
        names = names || loaded;
      }
      const [cost, top] = await Promise.all([
        ctx.api.get(ctx.api.url('/admin/analytics/cost', { by: group, from: r.from, to: r.to })),
        ctx.api.get(ctx.api.url('/admin/analytics/top-keys', { n: 10, from: r.from, to: r.to })),
      ]);
      if (!ctx.isAlive() || !loads.latest(n)) return;
      error.replaceChildren();
      const shown = ['key', 'team', 'account'].includes(group) ? enrich(cost, group, group) : cost;
      costBox.replaceChildren(renderTable(shown.columns, shown.rows, {
        testid: 'cost-table', caption: title, empty: 'No spend in this period.',
        rowAttrs: (row) => ({ 'data-group': row[0] ?? '' }),
      }));
      let t = enrich(top, 'key_id', 'key');
      t = enrich(t, 'team_id', 'team', false);
      const col = indexer(t);
      topBox.replaceChildren(renderTable(t.columns, t.rows, {
        testid: 'top-keys-table', caption: `Top 10 keys by cost, ${r.label}`, hide: ['account_id', 'team_id'],
        empty: 'No spend in this period.', rowAttrs: (row) => ({ 'data-key-id': row[col('key_id')] ?? '' }),
      }));
    } catch (err) {
      if (!names) namesLoading = null; // try the names again with the next load
      if (ctx.isAlive() && loads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      loads.end();
    }
  }

  load();
}
