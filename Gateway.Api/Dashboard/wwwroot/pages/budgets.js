// Budgets: each budget's spend, reservations and what remains of its limit this period, with its policy.
import { el, fmt, alertBox, showError, tryLoad, note } from '../lib.js';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('budgets-error');
  const list = el('div.budgets', { testid: 'budgets' }, note('Loading…'));
  const refresh = el('button', { type: 'button', testid: 'budgets-refresh', text: 'Refresh' });
  const updated = el('p.muted');
  root.append(el('div.page-head', null, el('h1', { text: 'Budgets' }), refresh), updated, error, list);

  let names = null;
  async function load() {
    try {
      if (!names) {
        const [keys, teams, accounts] = await Promise.all([tryLoad('/admin/keys'), tryLoad('/admin/teams'), tryLoad('/admin/accounts')]);
        names = {
          key: new Map((keys || []).map((k) => [k.id, k.name])),
          team: new Map((teams || []).map((t) => [t.id, t.name])),
          account: new Map((accounts || []).map((a) => [a.id, a.name])),
        };
      }
      const budgets = await ctx.api.get('/admin/budgets');
      if (!ctx.isAlive()) return;
      error.replaceChildren();
      list.replaceChildren(...(budgets.length ? budgets.map(card) : [note('No budgets are set.')]));
      updated.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}; balances are the gateway's live figures.`;
    } catch (err) {
      if (ctx.isAlive() && err.status !== 401) showError(error, err);
    }
  }

  function title(b) {
    if (b.scope === 'account' && !b.scopeId) return 'Whole gateway';
    const name = b.scopeId ? names[b.scope]?.get(b.scopeId) : null;
    const kind = { key: 'Key', team: 'Team', account: 'Account' }[b.scope] || b.scope;
    return `${kind}: ${name || b.scopeId}`;
  }

  function card(b) {
    const bal = b.balance || { limit: b.limitUsd, spent: 0, reserved: 0, remaining: b.limitUsd };
    const limit = Number(bal.limit ?? b.limitUsd) || 0;
    const spent = Number(bal.spent) || 0;
    const reserved = Number(bal.reserved) || 0;
    const remaining = Number(bal.remaining ?? Math.max(0, limit - spent - reserved));
    const share = (v) => (limit > 0 ? Math.min(100, (100 * v) / limit) : 0);
    const used = limit > 0 ? (100 * spent) / limit : 0;
    const headingId = `budget-h-${b.id}`;

    // The bar is a picture of the figures below it (which say the same in words).
    const spentBar = el('span.bar-spent');
    spentBar.style.width = `${share(spent)}%`;
    const reservedBar = el('span.bar-reserved');
    reservedBar.style.width = `${Math.min(share(reserved), 100 - share(spent))}%`;
    const bar = el('div.bar', { 'aria-hidden': 'true' }, spentBar, reservedBar);
    for (const t of b.thresholds || []) {
      const mark = el('span.bar-mark', { title: `${t}%` });
      mark.style.left = `${Math.min(t, 100)}%`;
      bar.append(mark);
    }
    if (used >= 100) bar.classList.add('over');
    else if ((b.thresholds || []).some((t) => t < 100 && used >= t)) bar.classList.add('warn');

    const facts = el('dl.facts');
    const fact = (label, value, testid) => facts.append(el('div', null, el('dt', { text: label }), el('dd', { testid, text: value })));
    fact('Spent', fmt.usd(spent), `budget-spent-${b.id}`);
    fact('Reserved (in flight)', fmt.usd(reserved), `budget-reserved-${b.id}`);
    fact('Remaining', fmt.usd(remaining), `budget-remaining-${b.id}`);
    fact('Limit', `${fmt.usd(limit)} ${b.period}`, `budget-limit-${b.id}`);
    fact('Used', fmt.pct(used), `budget-used-${b.id}`);
    fact('Period', bal.periodStart ? `${periodTime(bal.periodStart)} to ${bal.periodEnd ? periodTime(bal.periodEnd) : 'open'} (${b.timeZone})` : `${b.period} (${b.timeZone})`);
    fact('Alert thresholds', (b.thresholds || []).map((t) => `${t}%`).join(', ') || 'none');
    fact('When exhausted', b.onExhausted === 'downgrade' ? `downgrade to ${b.downgradeModel}` : 'block requests');
    fact('Webhook', b.webhookUrl ? `${b.webhookUrl}${b.webhookSigned ? ' (signed)' : ' (unsigned)'}` : 'none');

    const section = el('section.budget.panel', { testid: `budget-${b.id}`, 'aria-labelledby': headingId },
      el('h2', { id: headingId, text: title(b) }), bar, facts);
    section.dataset.limit = String(limit);
    section.dataset.spent = String(spent);
    section.dataset.reserved = String(reserved);
    return section;
  }

  refresh.addEventListener('click', () => load());
  load();
  ctx.every(10000, () => { if (!document.hidden) load(); });
}

/** A period boundary (DateTimeOffset.MinValue means "from the start"). */
function periodTime(v) {
  return String(v).startsWith('0001-') ? 'the start' : fmt.time(v);
}
