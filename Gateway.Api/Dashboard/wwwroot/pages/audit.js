// Audit: who changed what, when and why; any entity as it stood at an instant; the event chain's integrity.
import { el, fmt, field, alertBox, showError, renderTable, note, toLocalInput, sequence, shortId } from '../lib.js';

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
  // Verified once when the page opens (the chain's state shows without a click); "Verify now" runs it again.
  async function run(opening) {
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
      fact('Checked', fmt.time(new Date()));
      result.replaceChildren(facts);
      result.classList.toggle('bad', !c.intact);
      result.classList.toggle('good', !!c.intact);
      // Announced when asked for, or when the chain is broken (news either way); not for the quiet check on opening.
      if (!opening || !c.intact) ctx.announce(c.intact ? `Event chain intact: ${c.events} events.` : 'Event chain broken.');
    } catch (err) {
      if (!ctx.isAlive()) return;
      result.replaceChildren();
      if (err.status !== 401) showError(error, err);
    } finally {
      verify.disabled = false;
      result.removeAttribute('aria-busy');
    }
  }
  verify.addEventListener('click', () => run(false));
  run(true);
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

  // Only the latest "Apply filters" is shown, whichever answer comes first.
  const loads = sequence();
  async function load() {
    const n = loads.begin();
    const iso = (input) => (input.value ? new Date(input.value).toISOString() : '');
    try {
      const records = await ctx.api.get(ctx.api.url('/admin/audit', {
        entity: entity.value, entityId: entityId.value.trim(), actor: actor.value.trim(), from: iso(from), to: iso(to), limit: limit.value,
      }));
      if (!ctx.isAlive() || !loads.latest(n)) return;
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
      if (ctx.isAlive() && loads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      loads.end();
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  load();
  return el('section', null, el('h2', { id: 'trail-h', text: 'Changes' }), form, error, box);
}

/** The list each entity's ids can be chosen from (the history is keyed by the stream id, a GUID, for all of them). */
const ID_LISTS = {
  key: { url: '/admin/keys', text: (k) => `${k.name} (${k.prefix || shortId(k.id)})${k.revoked ? ', revoked' : ''}` },
  team: { url: '/admin/teams', text: (t) => t.name },
  account: { url: '/admin/accounts', text: (a) => a.name },
  budget: { url: '/admin/budgets', text: (b) => `${b.scope}${b.scopeId ? ` ${shortId(b.scopeId)}` : ' (whole gateway)'}: ${fmt.usd(b.limitUsd)} ${b.period}` },
  model: { url: '/admin/models', text: (m) => m.publicId },
  // Routes are named in the API, but their history is that of the route's stream: its id.
  route: { url: '/admin/routes', text: (r) => r.name },
  provider: { url: '/admin/providers', text: (p) => p.name },
  'admin-key': { url: '/admin/admin-keys', text: (a) => `${a.name} (${a.role})${a.revoked ? ', revoked' : ''}` },
};
const OTHER = '__other';

function stateSection(ctx) {
  const entity = el('select', { id: 'history-entity', testid: 'history-entity' }, HISTORY_ENTITIES.map((e) => el('option', { value: e, text: e })));
  // The Id is a select of the entity's items when its list can be read, with "Other id…" for one not listed (e.g. a
  // removed route or budget, which the lists leave out); a text input otherwise. Same id and label either way.
  const text = el('input', { type: 'text', id: 'history-id', testid: 'history-id', required: true, autocomplete: 'off' });
  const other = el('input', { type: 'text', id: 'history-id-other', testid: 'history-id-other', autocomplete: 'off' });
  const otherField = field('Other id', other);
  otherField.wrap.hidden = true;
  let idControl = text;
  const idField = field('Id', text);
  const time = el('input', { type: 'datetime-local', id: 'history-time', testid: 'history-time', required: true, step: '1', value: toLocalInput(new Date()) });
  const error = alertBox('history-error');
  const output = el('pre', { testid: 'history-result', tabindex: '0', role: 'region', 'aria-label': 'State as of the instant', hidden: true });
  const form = el('form.filters', { testid: 'history-form', 'aria-labelledby': 'state-h', novalidate: true },
    field('Entity', entity).wrap, idField.wrap, otherField.wrap, field('As of', time, 'Your local time.').wrap,
    el('div.actions', null, el('button.primary', { type: 'submit', testid: 'history-submit', text: 'Show state' })));

  const lists = new Map(); // entity → items, or null when not readable
  const swap = (next) => {
    if (idControl === next) return;
    idControl.replaceWith(next);
    idControl = next;
  };
  const syncOther = () => { otherField.wrap.hidden = !(idControl.tagName === 'SELECT' && idControl.value === OTHER); };

  const choices = sequence();
  async function choose() {
    const kind = entity.value;
    const spec = ID_LISTS[kind];
    const n = choices.begin();
    try {
      if (!spec) { swap(text); return; }
      if (!lists.has(kind)) {
        let items = null;
        try {
          items = await ctx.api.get(spec.url);
        } catch (err) {
          if (err.status === 401) return;
          items = null;
        }
        lists.set(kind, Array.isArray(items) ? items : null);
      }
      if (!ctx.isAlive() || !choices.latest(n)) return;
      const items = lists.get(kind);
      if (!items) { swap(text); return; }
      const select = el('select', { id: 'history-id', testid: 'history-id', required: true },
        el('option', { value: '', text: items.length ? `Choose a ${kind}` : `No ${kind} listed` }),
        items.map((it) => el('option', { value: it.id, text: spec.text(it) })),
        el('option', { value: OTHER, text: 'Other id…' }));
      // Keep an id typed before the list came: chosen when listed, else as the "Other id".
      const typed = idControl === text ? text.value.trim() : '';
      if (typed && items.some((it) => it.id === typed)) select.value = typed;
      else if (typed) { select.value = OTHER; other.value = typed; }
      select.addEventListener('change', syncOther);
      swap(select);
    } finally {
      choices.end();
      syncOther();
    }
  }
  entity.addEventListener('change', () => { other.value = ''; text.value = ''; choose(); });
  choose();

  const shows = sequence();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    output.hidden = true;
    const at = time.value ? new Date(time.value) : null;
    const chosen = idControl.tagName === 'SELECT' && idControl.value === OTHER ? other.value.trim() : idControl.value.trim();
    if (!chosen || !at || Number.isNaN(at.getTime())) { showError(error, new Error('Give an id and an instant.')); return; }
    const n = shows.begin();
    try {
      const state = await ctx.api.get(ctx.api.url(`/admin/history/${encodeURIComponent(entity.value)}/${encodeURIComponent(chosen)}/at`, { time: at.toISOString() }));
      if (!ctx.isAlive() || !shows.latest(n)) return;
      output.textContent = JSON.stringify(state, null, 2);
      output.hidden = false;
    } catch (err) {
      if (ctx.isAlive() && shows.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      shows.end();
    }
  });
  return el('section', null, el('h2', { id: 'state-h', text: 'State as of an instant' }), form, error, output);
}
