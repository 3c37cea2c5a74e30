// Budgets: each budget's spend, reservations and what remains of its limit this period, with its policy, and the
// periods already settled (loaded when their "Past periods" section is opened).
import { el, fmt, alertBox, showError, tryLoad, note, renderTable, sequence } from '../lib.js';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('budgets-error');
  const list = el('div.budgets', { testid: 'budgets' }, note('Loading…'));
  const refresh = el('button', { type: 'button', testid: 'budgets-refresh', text: 'Refresh' });
  const updated = el('p.muted');
  root.append(el('div.page-head', null, el('h1', { text: 'Budgets' }), refresh), updated, error, list);

  /** The cards shown, by budget id: updated in place on a refresh, so an open "Past periods" (and focus in it) stays. */
  const cards = new Map();
  let order = '';

  let names = null;
  const loads = sequence();
  async function load() {
    const n = loads.begin();
    try {
      if (!names) {
        const [keys, teams, accounts] = await Promise.all([tryLoad('/admin/keys'), tryLoad('/admin/teams'), tryLoad('/admin/accounts')]);
        names = names || {
          key: new Map((keys || []).map((k) => [k.id, k.name])),
          team: new Map((teams || []).map((t) => [t.id, t.name])),
          account: new Map((accounts || []).map((a) => [a.id, a.name])),
        };
      }
      const budgets = await ctx.api.get('/admin/budgets');
      if (!ctx.isAlive() || !loads.latest(n)) return;
      error.replaceChildren();
      show(budgets);
      updated.textContent = `Updated ${fmt.clock()}; balances are the gateway's live figures.`;
    } catch (err) {
      if (ctx.isAlive() && loads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      loads.end();
    }
  }

  function show(budgets) {
    const ids = new Set(budgets.map((b) => b.id));
    for (const id of [...cards.keys()]) if (!ids.has(id)) cards.delete(id);
    for (const b of budgets) {
      const c = cards.get(b.id);
      if (c) c.update(b);
      else cards.set(b.id, card(b));
    }
    const next = budgets.map((b) => b.id).join(',');
    // Moving nodes would take the focus away: the list is rebuilt only when its budgets change.
    if (next !== order || !budgets.length) {
      order = next;
      list.replaceChildren(...(budgets.length ? budgets.map((b) => cards.get(b.id).section) : [note('No budgets are set.')]));
    }
  }

  function title(b) {
    if (b.scope === 'account' && !b.scopeId) return 'Whole gateway';
    const name = b.scopeId ? names[b.scope]?.get(b.scopeId) : null;
    const kind = { key: 'Key', team: 'Team', account: 'Account' }[b.scope] || b.scope;
    return `${kind}: ${name || b.scopeId}`;
  }

  /** A budget's card: { section, update(b) }. */
  function card(first) {
    const headingId = `budget-h-${first.id}`;
    const heading = el('h2', { id: headingId });
    let bar = el('div.bar');
    let facts = el('dl.facts');
    const past = pastPeriods(first);
    const section = el('section.budget.panel', { testid: `budget-${first.id}`, 'aria-labelledby': headingId }, heading, bar, facts, past.details);

    function update(b) {
      const bal = b.balance || { limit: b.limitUsd, spent: 0, reserved: 0, remaining: b.limitUsd };
      const limit = Number(bal.limit ?? b.limitUsd) || 0;
      const spent = Number(bal.spent) || 0;
      const reserved = Number(bal.reserved) || 0;
      const remaining = Number(bal.remaining ?? Math.max(0, limit - spent - reserved));
      const share = (v) => (limit > 0 ? Math.min(100, (100 * v) / limit) : 0);
      const used = limit > 0 ? (100 * spent) / limit : 0;
      heading.textContent = title(b);

      // The bar is a picture of the figures below it (which say the same in words).
      const spentBar = el('span.bar-spent');
      spentBar.style.width = `${share(spent)}%`;
      const reservedBar = el('span.bar-reserved');
      reservedBar.style.width = `${Math.min(share(reserved), 100 - share(spent))}%`;
      const nextBar = el('div.bar', { 'aria-hidden': 'true' }, spentBar, reservedBar);
      for (const t of b.thresholds || []) {
        const mark = el('span.bar-mark', { title: `${t}%` });
        mark.style.left = `${Math.min(t, 100)}%`;
        nextBar.append(mark);
      }
      if (used >= 100) nextBar.classList.add('over');
      else if ((b.thresholds || []).some((t) => t < 100 && used >= t)) nextBar.classList.add('warn');

      const nextFacts = el('dl.facts');
      const fact = (label, value, testid) => nextFacts.append(el('div', null, el('dt', { text: label }), el('dd', { testid, text: value })));
      fact('Spent', fmt.usd(spent), `budget-spent-${b.id}`);
      fact('Reserved (in flight)', fmt.usd(reserved), `budget-reserved-${b.id}`);
      fact('Remaining', fmt.usd(remaining), `budget-remaining-${b.id}`);
      fact('Limit', `${fmt.usd(limit)} ${b.period}`, `budget-limit-${b.id}`);
      fact('Used', fmt.pct(used), `budget-used-${b.id}`);
      fact('Period', bal.periodStart ? `${periodTime(bal.periodStart)} to ${bal.periodEnd ? periodTime(bal.periodEnd) : 'open'} (${b.timeZone})` : `${b.period} (${b.timeZone})`);
      fact('Alert thresholds', (b.thresholds || []).map((t) => `${t}%`).join(', ') || 'none');
      fact('When exhausted', b.onExhausted === 'downgrade' ? `downgrade to ${b.downgradeModel}` : 'block requests');
      fact('Webhook', b.webhookUrl ? `${b.webhookUrl}${b.webhookSigned ? ' (signed)' : ' (unsigned)'}` : 'none');

      bar.replaceWith(nextBar);
      bar = nextBar;
      facts.replaceWith(nextFacts);
      facts = nextFacts;
      section.dataset.limit = String(limit);
      section.dataset.spent = String(spent);
      section.dataset.reserved = String(reserved);
      past.budget = b;
    }

    update(first);
    return { section, update };
  }

  /** "Past periods": what the ledger settled per period (GET /admin/budgets/{id} → settled), read each time it is opened. */
  function pastPeriods(b) {
    const box = el('div.history', { testid: `past-periods-${b.id}` });
    const details = el('details.past-periods', null, el('summary', { text: 'Past periods' }), box);
    const state = { details, budget: b };
    const opens = sequence();
    details.addEventListener('toggle', async () => {
      if (!details.open) return;
      const n = opens.begin();
      if (!box.childElementCount) box.append(note('Loading…'));
      box.setAttribute('aria-busy', 'true');
      try {
        const full = await ctx.api.get(`/admin/budgets/${encodeURIComponent(b.id)}`);
        if (!ctx.isAlive() || !opens.latest(n)) return;
        const current = full.balance && full.balance.periodStart ? Date.parse(full.balance.periodStart) : null;
        const limit = Number(full.limitUsd) || 0;
        const rows = (full.settled || []).map((p) => {
          const start = Date.parse(p.periodStart);
          const when = String(p.periodStart).startsWith('0001-') ? 'since the start' : fmt.time(p.periodStart);
          return [current !== null && start === current ? `${when} (current)` : when, p.settled, limit > 0 ? (100 * Number(p.settled)) / limit : null, p.requests];
        });
        box.replaceChildren(renderTable(['period_start', 'cost', 'pct_of_limit', 'requests'], rows, {
          testid: `past-periods-table-${b.id}`, caption: `Settled spend per period of ${state.budget ? title(state.budget) : 'this budget'}, newest first (period start in your local time)`,
          empty: 'Nothing settled yet.',
        }));
      } catch (err) {
        if (!ctx.isAlive() || !opens.latest(n) || err.status === 401) return;
        box.replaceChildren(alertBox(`past-periods-error-${b.id}`));
        showError(box.firstChild, err);
      } finally {
        opens.end();
        box.removeAttribute('aria-busy');
      }
    });
    return state;
  }

  refresh.addEventListener('click', () => load());
  load();
  ctx.every(10000, () => { if (!document.hidden && loads.inFlight === 0) load(); });
}

/** A period boundary (DateTimeOffset.MinValue means "from the start"). */
function periodTime(v) {
  return String(v).startsWith('0001-') ? 'the start' : fmt.time(v);
}
