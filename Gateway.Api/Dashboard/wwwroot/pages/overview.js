// Overview: headline numbers and five time series (cost, tokens, requests, latency, error and fallback rates), refreshed
// every 3 s for an hour or a day, less often for wider ranges. Chart times are UTC, like the API's buckets.
import { el, fmt, field, alertBox, showError, timeRange, currentRange, indexer, parseTime, sequence, autoRefresh, refreshInterval, intervalText } from '../lib.js';

const COLORS = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];
const MAX_GROUPS = 10;
const STEP = { minute: 60, hour: 3600, day: 86400 };
const CARDS = [
  ['total-cost', 'Total cost'], ['total-tokens', 'Tokens'], ['total-requests', 'Requests'],
  ['latency-p50', 'Latency p50'], ['latency-p95', 'Latency p95'], ['error-rate', 'Error rate'], ['fallback-rate', 'Fallback rate'],
];
const CHARTS = [
  { id: 'cost', title: 'Cost (USD)', axis: (v) => fmt.usd(v) },
  { id: 'tokens', title: 'Tokens', axis: (v) => compact(v) },
  { id: 'requests', title: 'Requests', axis: (v) => compact(v) },
  { id: 'latency', title: 'Latency (ms)', axis: (v) => compact(v) },
  { id: 'rates', title: 'Error and fallback rate (%)', axis: (v) => fmt.pct(v) },
];
/** Charts whose values add up: their container carries data-total (the sum of what they plot over the range). */
const ADDITIVE = ['cost', 'tokens', 'requests'];

const compactFmt = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const compact = (v) => (v === null || v === undefined ? '' : compactFmt.format(v));

let split = 'none';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const error = alertBox('overview-error');
  const splitSelect = el('select', { id: 'overview-split', testid: 'split-select' },
    ['none', 'model', 'provider'].map((v) => el('option', { value: v, text: v === 'none' ? 'Nothing (totals)' : `By ${v}`, selected: v === split })));
  const updated = el('p.muted.updated', { testid: 'overview-updated' });

  const cards = el('dl.cards');
  const values = {};
  for (const [id, title] of CARDS) {
    values[id] = el('dd', { testid: id, text: '…' });
    cards.append(el('div.card', null, el('dt', { text: title }), values[id]));
  }

  const charts = CHARTS.map((spec) => {
    const caption = el('figcaption', { text: `${spec.title} (UTC)` });
    const box = el('div.chart-canvas', { role: 'img', 'aria-label': `${spec.title}: loading`, testid: `chart-${spec.id}` });
    box.dataset.points = '0';
    if (ADDITIVE.includes(spec.id)) box.dataset.total = '0';
    const empty = el('p.chart-empty', { text: 'No requests in this period.', hidden: true });
    return { spec, box, empty, caption, plot: null, key: '', figure: el('figure.chart', null, caption, box, empty) };
  });

  root.append(
    el('div.page-head', null, el('h1', { text: 'Overview' }), updated),
    el('div.controls', null, timeRange(() => load()), field('Split by', splitSelect).wrap),
    error,
    el('section', null, el('h2.visually-hidden', { id: 'totals-h', text: 'Totals' }), cards),
    el('section.charts', null, el('h2.visually-hidden', { id: 'charts-h', text: 'Over time' }), charts.map((c) => c.figure)),
  );

  splitSelect.addEventListener('change', () => { split = splitSelect.value; load(); });

  // Every load is numbered; only the latest one's answer is shown (a change of range or split is never dropped, and an
  // auto refresh still in flight cannot overwrite it).
  const loads = sequence();
  async function load() {
    const n = loads.begin();
    const range = currentRange();
    const by = split;
    try {
      const data = await ctx.api.get(ctx.api.url('/admin/analytics/overview', { from: range.from, to: range.to, bucket: range.bucket, by }));
      if (!ctx.isAlive() || !loads.latest(n)) return;
      error.replaceChildren();
      showTotals(data.totals || {});
      draw(data, range, by);
      updated.textContent = `Showing ${range.label}, per ${range.bucket} (UTC). Updated ${fmt.clock()}; refreshes every ${intervalText(refreshInterval(range))}.`;
    } catch (err) {
      if (ctx.isAlive() && loads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      loads.end();
    }
  }

  function showTotals(t) {
    values['total-cost'].textContent = fmt.usd(t.cost ?? 0);
    values['total-tokens'].textContent = fmt.int(Number(t.prompt_tokens ?? 0) + Number(t.completion_tokens ?? 0));
    values['total-requests'].textContent = fmt.int(t.requests ?? 0);
    values['latency-p50'].textContent = fmt.msUnit(t.p50_ms);
    values['latency-p95'].textContent = fmt.msUnit(t.p95_ms);
    values['error-rate'].textContent = fmt.rate(t.error_rate ?? 0);
    values['fallback-rate'].textContent = fmt.rate(t.fallback_rate ?? 0);
  }

  function draw(data, range, by) {
    const series = pivot(data, range, by);
    for (const chart of charts) {
      const sets = series.empty ? [] : series.sets[chart.spec.id];
      const points = sets.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0);
      const drawable = !series.empty && typeof uPlot !== 'undefined';
      chart.box.dataset.points = String(drawable ? points : 0);
      if (ADDITIVE.includes(chart.spec.id)) chart.box.dataset.total = String(series.empty ? 0 : round(series.totals[chart.spec.id]));
      chart.caption.textContent = `${chart.spec.title} per ${range.bucket}${chart.spec.id === 'rates' && by !== 'none' ? ', all requests' : ''} (UTC)`;
      chart.box.setAttribute('aria-label', `${chart.spec.title} per ${range.bucket} (UTC), ${range.label}: ${
        series.empty ? 'no data' : sets.map((s) => `${s.label} ${summary(chart.spec.id, s.values)}`).join('; ')}`);
      chart.empty.hidden = !series.empty;
      if (series.empty || typeof uPlot === 'undefined') {
        if (chart.plot) { chart.plot.destroy(); chart.plot = null; chart.key = ''; }
        if (typeof uPlot === 'undefined' && !series.empty) { chart.empty.textContent = 'Charts unavailable: uPlot did not load.'; chart.empty.hidden = false; }
        continue;
      }
      const plotData = [series.xs, ...sets.map((s) => s.values)];
      const key = `${range.bucket}|${sets.map((s) => s.label).join('|')}`;
      if (chart.plot && chart.key === key) {
        chart.plot.setData(plotData);
      } else {
        if (chart.plot) chart.plot.destroy();
        chart.plot = new uPlot(options(chart, sets, series.xs.length), plotData, chart.box);
        chart.key = key;
      }
    }
  }

  function options(chart, sets, n) {
    const fromZero = (u, min, max) => [0, max > 0 ? max * 1.1 : 1];
    return {
      width: Math.max(chart.box.clientWidth, 280),
      height: 220,
      // The buckets are UTC: the axis shows UTC too, whatever the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      series: [
        { label: 'Time (UTC)', value: (u, v) => (v === null ? '—' : fmt.utcTime(v * 1000)) },
        ...sets.map((s) => ({
          label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: chart.spec.id === 'latency' || chart.spec.id === 'rates',
          points: { show: n <= 60 }, value: (u, v) => (v === null || v === undefined ? '—' : chart.spec.axis(v)),
        })),
      ],
      scales: { x: { time: true }, y: { range: fromZero } },
      axes: [{}, { size: 70, values: (u, splits) => splits.map((v) => chart.spec.axis(v)) }],
    };
  }

  function resize() {
    for (const c of charts) if (c.plot) c.plot.setSize({ width: Math.max(c.box.clientWidth, 280), height: 220 });
  }
  let resizeTimer = null;
  const onResize = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(resize, 150); };
  window.addEventListener('resize', onResize);

  load();
  autoRefresh(ctx, loads, () => load());

  return () => {
    window.removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
    for (const c of charts) if (c.plot) c.plot.destroy();
  };
}

function summary(id, values) {
  const nums = values.filter((v) => v !== null && v !== undefined);
  if (!nums.length) return 'none';
  if (id === 'latency') return `max ${fmt.msUnit(Math.max(...nums))}`;
  if (id === 'rates') return `peak ${fmt.pct(Math.max(...nums))}`;
  const sum = nums.reduce((a, b) => a + b, 0);
  return `total ${id === 'cost' ? fmt.usd(sum) : fmt.int(sum)}`;
}

/** A sum for a data attribute: no floating-point tail (0.30000000000000004). */
const round = (v) => Math.round((Number(v) || 0) * 1e9) / 1e9;

/**
 * Rows of {bucket, group, measures…} into aligned uPlot arrays. Additive measures are zero where a bucket had no
 * requests (the whole range gets a point per bucket when that is a sane number of points); latency stays a gap.
 */
function pivot(data, range, split) {
  const col = indexer(data);
  const rows = data.rows || [];
  if (!rows.length) return { empty: true };
  const iBucket = col('bucket'), iGroup = col('group'), iName = col('group_name');
  const step = STEP[range.bucket] || 3600;

  // Buckets: every step of the range, or only the ones that had requests when that would be too many points.
  const seen = new Set(rows.map((r) => Math.floor((parseTime(r[iBucket])?.getTime() ?? 0) / 1000)));
  const start = Math.floor(Date.parse(range.from) / 1000 / step) * step;
  const end = Date.parse(range.to) / 1000;
  let xs;
  if ((end - start) / step <= 2000) {
    xs = [];
    for (let t = start; t < end; t += step) xs.push(t);
    for (const t of seen) if (!xs.includes(t)) xs.push(t);
    xs.sort((a, b) => a - b);
  } else {
    xs = [...seen].sort((a, b) => a - b);
  }
  const at = new Map(xs.map((t, i) => [t, i]));

  // Groups, biggest first by requests, at most MAX_GROUPS.
  const groups = new Map();
  for (const r of rows) {
    const g = iGroup >= 0 ? r[iGroup] : null;
    const k = g === null || g === undefined ? '' : String(g);
    if (!groups.has(k)) groups.set(k, { key: k, name: iName >= 0 && r[iName] ? String(r[iName]) : k, requests: 0 });
    groups.get(k).requests += Number(r[col('requests')] || 0);
  }
  const chosen = [...groups.values()].sort((a, b) => b.requests - a.requests).slice(0, MAX_GROUPS);
  const unsplit = chosen.length === 1 && chosen[0].key === '' && split === 'none';
  const labelOf = (g) => (unsplit ? '' : g.key === '' ? '(none)' : g.name);

  const make = (fill) => chosen.map(() => new Array(xs.length).fill(fill));
  const m = { cost: make(0), requests: make(0), prompt: make(0), completion: make(0), p50: make(null), p95: make(null) };
  // Over every group (also those past MAX_GROUPS): requests, errors and fallbacks per bucket, and the range's sums.
  const all = { requests: new Array(xs.length).fill(0), errors: new Array(xs.length).fill(0), fallbacks: new Array(xs.length).fill(0) };
  const totals = { cost: 0, tokens: 0, requests: 0 };
  const gi = new Map(chosen.map((g, i) => [g.key, i]));
  for (const r of rows) {
    const g = iGroup >= 0 ? r[iGroup] : null;
    const i = gi.get(g === null || g === undefined ? '' : String(g));
    const x = at.get(Math.floor((parseTime(r[iBucket])?.getTime() ?? 0) / 1000));
    const v = (name) => { const j = col(name); return j < 0 || r[j] === null || r[j] === undefined ? null : Number(r[j]); };
    const requests = v('requests') ?? 0;
    totals.cost += v('cost') ?? 0;
    totals.tokens += (v('prompt_tokens') ?? 0) + (v('completion_tokens') ?? 0);
    totals.requests += requests;
    if (x !== undefined) {
      all.requests[x] += requests;
      all.errors[x] += (v('error_rate') ?? 0) * requests;
      all.fallbacks[x] += (v('fallback_rate') ?? 0) * requests;
    }
    if (i === undefined || x === undefined) continue;
    m.cost[i][x] = v('cost') ?? 0;
    m.requests[i][x] = v('requests') ?? 0;
    m.prompt[i][x] = v('prompt_tokens') ?? 0;
    m.completion[i][x] = v('completion_tokens') ?? 0;
    m.p50[i][x] = v('p50_ms');
    m.p95[i][x] = v('p95_ms');
  }

  const per = (arrays, suffix = '', dash) => chosen.map((g, i) => ({
    label: [labelOf(g), suffix].filter(Boolean).join(' ') || 'All', values: arrays[i], color: COLORS[i % COLORS.length], dash,
  }));
  const tokens = unsplit
    ? [{ label: 'Prompt', values: m.prompt[0], color: COLORS[0] }, { label: 'Completion', values: m.completion[0], color: COLORS[1] }]
    : chosen.map((g, i) => ({ label: labelOf(g), values: m.prompt[i].map((p, x) => p + m.completion[i][x]), color: COLORS[i % COLORS.length] }));
  const latency = unsplit
    ? [{ label: 'p50', values: m.p50[0], color: COLORS[0] }, { label: 'p95', values: m.p95[0], color: COLORS[1] }]
    : chosen.flatMap((g, i) => [
      { label: `${labelOf(g)} p50`, values: m.p50[i], color: COLORS[i % COLORS.length], dash: [4, 4] },
      { label: `${labelOf(g)} p95`, values: m.p95[i], color: COLORS[i % COLORS.length] },
    ]);
  // Rates in percent of the bucket's requests (weighted over the groups); a gap where a bucket had none.
  const pctOf = (counts) => counts.map((c, x) => (all.requests[x] > 0 ? round((100 * c) / all.requests[x]) : null));
  const rates = [
    { label: 'Error rate', values: pctOf(all.errors), color: COLORS[4] },
    { label: 'Fallback rate', values: pctOf(all.fallbacks), color: COLORS[6], dash: [6, 4] },
  ];
  return {
    empty: false,
    xs,
    totals,
    sets: { cost: per(m.cost, '', undefined).map((s) => ({ ...s, label: unsplit ? 'Cost' : s.label })), tokens,
      requests: per(m.requests).map((s) => ({ ...s, label: unsplit ? 'Requests' : s.label })), latency, rates },
  };
}
