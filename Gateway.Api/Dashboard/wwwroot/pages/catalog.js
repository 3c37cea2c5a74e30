// Catalog: models (prices, enable/disable, circuit state, price history), routes with their fallback chains, providers.
import { el, fmt, renderTable, tryLoad, withReason, note } from '../lib.js';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const canReadHistory = ctx.can.role === 'admin' || ctx.can.role === 'auditor';
  const modelsBox = el('div', null, note('Loading…'));
  const routesBox = el('div', null, note('Loading…'));
  const providersBox = el('div', null, note('Loading…'));
  const pricesBox = el('div.price-history', { testid: 'price-history' });
  root.append(
    el('h1', { text: 'Catalog' }),
    el('section', null, el('h2', { id: 'models-h', text: 'Models' }), modelsBox),
    el('section', null, el('h2', { id: 'prices-h', text: 'Price history' }), pricesBox),
    el('section', null, el('h2', { id: 'routes-h', text: 'Routes' }), routesBox),
    el('section', null, el('h2', { id: 'providers-h', text: 'Providers' }), providersBox),
  );

  (async () => {
    const [models, health, routes, providers] = await Promise.all([
      tryLoad('/admin/models', modelsBox), tryLoad('/admin/routing/health'), tryLoad('/admin/routes', routesBox), tryLoad('/admin/providers', providersBox),
    ]).catch(() => []);
    if (!ctx.isAlive()) return;
    if (models) showModels(models, health);
    if (routes) showRoutes(routes);
    if (providers) showProviders(providers);
  })();

  function showModels(models, health) {
    const circuits = new Map((Array.isArray(health) ? health : []).map((h) => [h.model, h]));
    const columns = ['publicId', 'provider', 'upstreamModel', 'input', 'output', 'cached', 'enabled', 'circuit', 'avgLatency'];
    const headers = {
      publicId: 'Model', provider: 'Provider', upstreamModel: 'Upstream model', input: 'Input $/M tokens', output: 'Output $/M tokens',
      cached: 'Cached input $/M tokens', enabled: 'Enabled', circuit: 'Circuit', avgLatency: 'Avg latency (ms)',
    };
    const table = el('table', { testid: 'models-table' }, el('caption', { text: 'Catalog models' }),
      el('thead', null, el('tr', null, columns.map((c) => el(`th${['input', 'output', 'cached', 'avgLatency'].includes(c) ? '.num' : ''}`, { scope: 'col', text: headers[c] })))));
    const tbody = el('tbody');
    for (const m of models) {
      const c = circuits.get(m.publicId);
      const state = c ? c.state : null;
      tbody.append(el('tr', { 'data-model-id': m.id, 'data-public-id': m.publicId },
        el('th', { scope: 'row', text: m.publicId }),
        el('td', { text: fmt.text(m.provider) }),
        el('td', { text: fmt.text(m.upstreamModel) }),
        el('td.num', { text: fmt.usd(m.inputPricePerMillion) }),
        el('td.num', { text: fmt.usd(m.outputPricePerMillion) }),
        el('td.num', { text: fmt.usd(m.cachedInputPricePerMillion) }),
        el('td', null, toggle(m)),
        el('td', null, el(`span.badge.circuit-${state || 'unknown'}`, { testid: `circuit-${m.publicId}`, text: state || '—' })),
        el('td.num', { text: c ? fmt.ms(c.averageLatencyMs) : '—' }),
      ));
    }
    if (!models.length) tbody.append(el('tr', null, el('td.empty', { colspan: String(columns.length), text: 'No models in the catalog.' })));
    table.append(tbody);
    pricesBox.replaceChildren(...models.map(history));
    modelsBox.replaceChildren(el('div.table-wrap', { role: 'region', 'aria-label': 'Catalog models', tabindex: '0' }, table));
  }

  /** Admin: a toggle button (asks a reason). Others: the state as text. */
  function toggle(m) {
    const text = (on) => (on ? 'Enabled' : 'Disabled');
    if (!ctx.can.admin) return el(`span.badge.${m.enabled ? 'on' : 'off'}`, { testid: `enabled-${m.publicId}`, text: text(m.enabled) });
    const button = el(`button.toggle.${m.enabled ? 'on' : 'off'}`, { type: 'button', testid: `toggle-${m.publicId}`, 'aria-pressed': String(!!m.enabled), text: text(m.enabled) });
    button.addEventListener('click', () => {
      const enable = button.getAttribute('aria-pressed') !== 'true';
      withReason({
        title: `${enable ? 'Enable' : 'Disable'} ${m.publicId}`,
        description: enable ? 'The model serves requests again from the next request on.' : 'Requests for this model are refused (or fall back) from the next request on.',
        confirmLabel: enable ? 'Enable model' : 'Disable model',
      }, async (reason) => {
        const res = await ctx.api.send('POST', `/admin/models/${encodeURIComponent(m.id)}/${enable ? 'enable' : 'disable'}`, null, reason);
        if (!ctx.isAlive()) { ctx.announce(`${m.publicId} ${enable ? 'enabled' : 'disabled'}.`); return; }
        const on = res && typeof res.enabled === 'boolean' ? res.enabled : enable;
        button.setAttribute('aria-pressed', String(on));
        button.textContent = text(on);
        button.className = `toggle ${on ? 'on' : 'off'}`;
        ctx.announce(`${m.publicId} ${on ? 'enabled' : 'disabled'}.`);
        button.focus();
      });
    });
    return button;
  }

  /** Price versions, with who changed them and why when the history is readable (admin, auditor). */
  function history(m) {
    const box = el('div.history');
    const details = el('details', { testid: `history-${m.publicId}` }, el('summary', { text: m.publicId }), box);
    let loaded = false;
    details.addEventListener('toggle', async () => {
      if (!details.open || loaded) return;
      loaded = true;
      box.replaceChildren(note('Loading…'));
      // The versions the model itself carries: all a role without the history (finance, key manager) gets.
      let rows = (m.prices || []).map((p) => [p.effectiveFrom, p.inputPerMillion, p.outputPerMillion, p.cachedInputPerMillion, null, null]);
      // Only admin and auditor may read the history: other roles never ask (a 403 would be console noise).
      if (canReadHistory) {
        try {
          const entries = await ctx.api.get(`/admin/history/model/${encodeURIComponent(m.id)}`);
          rows = entries.filter((e) => e.change === 'ModelAdded' || e.change === 'ModelPriceChanged').map((e) => {
            const d = e.details || {};
            return [d.effectiveFrom || e.at, d.inputPricePerMillion, d.outputPricePerMillion, d.cachedInputPricePerMillion, e.actor, e.reason];
          });
        } catch (err) {
          if (err.status === 401) return;
          // Not readable after all: the model's own versions.
        }
      }
      if (!ctx.isAlive()) return;
      box.replaceChildren(renderTable(['effective_from', 'input_usd', 'output_usd', 'cached_input_usd', 'actor', 'reason'], rows, {
        testid: `price-history-${m.publicId}`, caption: `Price history of ${m.publicId} (USD per million tokens)`,
        format: { effective_from: (v) => (String(v).startsWith('0001-') ? 'from the start' : fmt.time(v)) },
      }));
    });
    return details;
  }

  function showRoutes(routes) {
    const rows = routes.map((r) => [r.name, r.tiers, r.policy, r.definedAt]);
    routesBox.replaceChildren(renderTable(['name', 'chain', 'policy', 'defined_at'], rows, {
      testid: 'routes-table', caption: 'Routes and their fallback chains', empty: 'No routes defined.',
      rowAttrs: (row) => ({ 'data-route': row[0] }),
      cell: (name, v) => {
        if (name === 'chain') {
          return el('ol.chain', null, (v || []).map((tier) => el('li', { text: (tier.targets || []).map((t) =>
            (tier.targets.length > 1 ? `${t.model} (weight ${t.weight})` : t.model)).join(' | ') })));
        }
        if (name === 'policy') {
          const p = v || {};
          const parts = [p.balancing && `balancing ${p.balancing}`, p.maxAttempts && `max ${p.maxAttempts} attempts`,
            p.retriesPerTarget !== undefined && `${p.retriesPerTarget} retries per target`, p.timeBudgetMs && `time budget ${fmt.msUnit(p.timeBudgetMs)}`];
          return el('td', { text: parts.filter(Boolean).join(', ') || '—' });
        }
        return undefined;
      },
    }));
  }

  function showProviders(providers) {
    const rows = providers.map((p) => [p.name, p.kind, p.baseUrl, p.hasApiKey, p.apiVersion, p.registeredAt]);
    providersBox.replaceChildren(renderTable(['name', 'kind', 'base_url', 'has_api_key', 'api_version', 'registered_at'], rows, {
      testid: 'providers-table', caption: 'Providers', empty: 'No providers registered.',
    }));
  }

}
