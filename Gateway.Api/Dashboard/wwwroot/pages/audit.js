// Audit: who changed what, when and why; any entity as it stood at an instant; the event chain's integrity.
import { el, fmt, field, alertBox, showError, renderTable, note, toLocalInput } from '../lib.js';

const TRAIL_ENTITIES = ['key', 'admin-key', 'team', 'account', 'provider', 'model', 'route', 'budget', 'erasure'];
const HISTORY_ENTITIES = ['key', 'team', 'account', 'budget', 'model', 'route', 'provider', 'admin-key'];

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  root.append(el('h1', { text: 'Audit' }), chainSection(ctx), trailSection(ctx), stateSection(ctx));
}

function chainSection(ctx) {
  const result = el('div.chain-status', { testid: 'chain-status' }, note('Not verified yet.'));
  const error = alertBox('chain-error');
  const verify = el('button.primary', { type: 'button', testid: 'verify-chain', text: 'Verify now' });
  verify.addEventListener('click', async () => {
    verify.disabled = true;
    error.replaceChildren();
    result.replaceChildren(note('Verifying…'));
    result.setAttribute('aria-busy', 'true');
    try {
      const c = await ctx.api.get('/admin/audit/chain');
      if (!ctx.isAlive()) return;
      const facts = el('dl.facts');
      const fact = (label, value, testid) => facts.append(el('div', null, el('dt', { text: label }), el('dd', { testid, text: value })));
      fact('Result', c.intact ? 'Intact' : 'Broken', 'chain-intact');
      fact('Events', fmt.int(c.events), 'chain-events');
      fact('Head', c.head || '—', 'chain-head');
      if (c.firstBreak) {
        const b = c.firstBreak;
        fact('First break', `at sequence ${b.seq}${b.type ? ` (${b.type})` : ''}: ${b.problem}`, 'chain-break');
      }
      fact('Checked', new Date().toLocaleString('en-GB'));
      result.replaceChildren(facts);
      result.classList.toggle('bad', !c.intact);
      result.classList.toggle('good', !!c.intact);
      ctx.announce(c.intact ? `Event chain intact: ${c.events} events.` : 'Event chain broken.');
    } catch (err) {
      result.replaceChildren();
      if (err.status !== 401) showError(error, err);
    } finally {
      verify.disabled = false;
      result.removeAttribute('aria-busy');
    }
  });
  return el('section', null,
    el('div.section-head', null, el('h2', { id: 'chain-h', text: 'Event chain' }), verify),
    el('p.muted', { text: 'Every event is hash-chained to the one before it; verifying reads the whole ledger.' }),
    error, result);
}

function trailSection(ctx) {
  const entity = el('select', { id: 'audit-entity', testid: 'audit-entity' },
    el('option', { value: '', text: 'Any' }), TRAIL_ENTITIES.map((e) => el('option', { value: e, text: e })));
  const entityId = el('input', { type: 'text', id: 'audit-entity-id', testid: 'audit-entity-id', autocomplete: 'off' });
  const actor = el('input', { type: 'text', id: 'audit-actor', testid: 'audit-actor', autocomplete: 'off' });
  const from = el('input', { type: 'datetime-local', id: 'audit-from', testid: 'audit-from' });
  const to = el('input', { type: 'datetime-local', id: 'audit-to', testid: 'audit-to' });
  const limit = el('input', { type: 'number', id: 'audit-limit', testid: 'audit-limit', min: '1', max: '1000', value: '100' });
  const error = alertBox('audit-error');
  const box = el('div', null, note('Loading…'));
  const form = el('form.filters', { testid: 'audit-filters', 'aria-label': 'Filter the audit trail', novalidate: true },
    field('Entity', entity).wrap, field('Entity id', entityId).wrap, field('Actor', actor).wrap,
    field('From', from).wrap, field('To', to).wrap, field('Limit', limit).wrap,
    el('div.actions', null, el('button.primary', { type: 'submit', testid: 'audit-apply', text: 'Apply filters' })));

  async function load() {
    const iso = (input) => (input.value ? new Date(input.value).toISOString() : '');
    try {
      const records = await ctx.api.get(ctx.api.url('/admin/audit', {
        entity: entity.value, entityId: entityId.value.trim(), actor: actor.value.trim(), from: iso(from), to: iso(to), limit: limit.value,
      }));
      if (!ctx.isAlive()) return;
      error.replaceChildren();
      const rows = records.map((r) => [r.at, r.actor, r.role, r.reason, r.change, r.entity, r.entityId, r.source, r]);
      box.replaceChildren(renderTable(['at', 'actor', 'role', 'reason', 'change', 'entity', 'entity_id', 'source', 'details'], rows, {
        testid: 'audit-table', caption: 'Audit trail, newest first', empty: 'No changes match.',
        rowAttrs: (row) => ({ 'data-sequence': String(row[8].sequence) }),
        cell: (name, v) => {
          if (name !== 'details') return undefined;
          const pre = el('pre', { tabindex: '0', text: JSON.stringify({ event: v.details, before: v.before, after: v.after }, null, 2) });
          return el('td', null, el('details', null, el('summary', { text: 'Event, before and after' }), pre));
        },
      }));
    } catch (err) {
      if (ctx.isAlive() && err.status !== 401) showError(error, err);
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  load();
  return el('section', null, el('h2', { id: 'trail-h', text: 'Changes' }), form, error, box);
}

function stateSection(ctx) {
  const entity = el('select', { id: 'history-entity', testid: 'history-entity' }, HISTORY_ENTITIES.map((e) => el('option', { value: e, text: e })));
  const id = el('input', { type: 'text', id: 'history-id', testid: 'history-id', required: true, autocomplete: 'off' });
  const time = el('input', { type: 'datetime-local', id: 'history-time', testid: 'history-time', required: true, step: '1', value: toLocalInput(new Date()) });
  const error = alertBox('history-error');
  const output = el('pre', { testid: 'history-result', tabindex: '0', role: 'region', 'aria-label': 'State as of the instant', hidden: true });
  const form = el('form.filters', { testid: 'history-form', 'aria-labelledby': 'state-h', novalidate: true },
    field('Entity', entity).wrap, field('Id', id).wrap, field('As of', time, 'Your local time.').wrap,
    el('div.actions', null, el('button.primary', { type: 'submit', testid: 'history-submit', text: 'Show state' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    output.hidden = true;
    const at = time.value ? new Date(time.value) : null;
    if (!id.value.trim() || !at || Number.isNaN(at.getTime())) { showError(error, new Error('Give an id and an instant.')); return; }
    try {
      const state = await ctx.api.get(ctx.api.url(`/admin/history/${encodeURIComponent(entity.value)}/${encodeURIComponent(id.value.trim())}/at`, { time: at.toISOString() }));
      if (!ctx.isAlive()) return;
      output.textContent = JSON.stringify(state, null, 2);
      output.hidden = false;
    } catch (err) {
      if (err.status !== 401) showError(error, err);
    }
  });
  return el('section', null, el('h2', { id: 'state-h', text: 'State as of an instant' }), form, error, output);
}
