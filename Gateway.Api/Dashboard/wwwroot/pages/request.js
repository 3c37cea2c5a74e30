// One request: its record (status, models, key, team, tokens, cost, latency split), attempt trail and stored bodies.
import { el, fmt, alertBox, showError, renderTable, tryLoad } from '../lib.js';

export function render(main, ctx) {
  const id = ctx.params.id;
  const root = el('div.page');
  main.append(root);
  const error = alertBox('request-error');
  const body = el('div', { testid: 'request-detail' }, el('p.muted', { text: 'Loading…' }));
  root.append(
    el('p.back', null, el('a', { href: '#/requests', text: '← All requests' })),
    el('h1', null, 'Request ', el('code', { text: id })),
    error, body,
  );

  (async () => {
    let data;
    try {
      data = await ctx.api.get(`/admin/requests/${encodeURIComponent(id)}`);
    } catch (err) {
      if (ctx.isAlive() && err.status !== 401) { body.replaceChildren(); showError(error, err); }
      return;
    }
    const [keys, teams, providers] = await Promise.all([
      tryLoad('/admin/keys'), tryLoad('/admin/teams'), tryLoad('/admin/providers'),
    ]).catch(() => [null, null, null]);
    if (!ctx.isAlive()) return;
    const name = (list, v) => (list || []).find((x) => x.id === v)?.name;
    const rec = data.record || {};
    const named = (list, v) => (v ? (name(list, v) ? `${name(list, v)} (${v})` : v) : null);

    const summary = el('dl.facts', { testid: 'request-summary' });
    const fact = (label, value, testid) => summary.append(el('div', null, el('dt', { text: label }), el('dd', { testid, text: fmt.text(value) })));
    fact('Status', rec.errorCode ? `${rec.status} (${rec.errorCode})` : rec.status, 'request-status');
    fact('Operation', rec.operation, 'request-operation');
    fact('Model asked', rec.modelAsked, 'request-model-asked');
    fact('Model served', rec.modelServed, 'request-model-served');
    fact('Route', rec.route, 'request-route');
    fact('Provider', named(providers, rec.providerId), 'request-provider');
    fact('Upstream status', rec.upstreamStatus, 'request-upstream-status');
    fact('Key', named(keys, rec.keyId), 'request-key');
    fact('Team', named(teams, rec.teamId), 'request-team');
    fact('Credential', rec.credentialKind, 'request-credential');
    fact('Prompt tokens', fmt.int(rec.promptTokens), 'request-prompt-tokens');
    fact('Completion tokens', fmt.int(rec.completionTokens), 'request-completion-tokens');
    fact('Cached prompt tokens', fmt.int(rec.cachedPromptTokens), 'request-cached-tokens');
    if (rec.usageEstimated) fact('Usage', 'estimated by the gateway (the upstream reported none)', 'request-usage-estimated');
    fact('Cost', fmt.usd(rec.cost), 'request-cost');
    fact('Streamed', rec.streamed ? 'Yes' : 'No', 'request-streamed');
    fact('Started', fmt.time(rec.startedAt), 'request-started');
    fact('Completed', fmt.time(rec.completedAt), 'request-completed');
    if (rec.downgradedBy) fact('Downgraded by budget', rec.downgradedBy, 'request-downgraded');
    fact('Ledger sequence', data.sequence, 'request-sequence');

    const latency = el('dl.cards');
    const card = (label, v, testid) => latency.append(el('div.card', null, el('dt', { text: label }), el('dd', { testid, text: fmt.msUnit(v) })));
    card('Total', rec.totalMs, 'latency-total');
    card('Upstream', rec.upstreamMs, 'latency-upstream');
    card('Gateway overhead', rec.overheadMs, 'latency-overhead');
    card('Upstream first byte', rec.upstreamTtfbMs, 'latency-ttfb');

    const attempts = (rec.attempts || []).map((a, i) => [i + 1, a.model, name(providers, a.providerId) || a.providerId, a.status, a.errorClass, a.latencyMs, a.outcome]);
    const trail = renderTable(['attempt', 'model', 'provider', 'status', 'error_class', 'latency_ms', 'outcome'], attempts, {
      testid: 'attempts-table', caption: 'Attempt trail', empty: 'No upstream attempt was made.',
    });

    const bodies = el('section', null, el('h2', { id: 'bodies-h', text: 'Bodies' }));
    const b = data.bodies;
    if (b && (b.request || b.response)) {
      bodies.append(note(b), pre('Request body', b.request, b.requestTruncated, 'request-body'), pre('Response body', b.response, b.responseTruncated, 'response-body'));
    } else {
      bodies.append(el('p', { testid: 'bodies-missing', text: 'Bodies erased or not stored' }));
    }

    body.replaceChildren(
      el('section', null, el('h2', { id: 'summary-h', text: 'Summary' }), summary),
      el('section', null, el('h2', { id: 'latency-h', text: 'Latency' }), latency),
      el('section', null, el('h2', { id: 'attempts-h', text: 'Attempts' }), trail),
      bodies,
    );
  })();
}

function note(b) {
  return el('p.muted', { text: `Stored ${fmt.time(b.storedAt)}.` });
}

/** A body in a <pre>, JSON pretty-printed when it is JSON; always as text. */
function pre(title, text, truncated, testid) {
  let shown = text || '';
  try { shown = JSON.stringify(JSON.parse(shown), null, 2); } catch { /* not JSON (e.g. SSE): as stored */ }
  const headingId = `${testid}-h`;
  return el('div.body-block', null,
    el('h3', { id: headingId, text: truncated ? `${title} (truncated)` : title }),
    el('pre', { testid, tabindex: '0', role: 'region', 'aria-labelledby': headingId, text: shown || '(empty)' }));
}
