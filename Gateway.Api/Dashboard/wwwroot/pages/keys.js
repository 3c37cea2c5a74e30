// Keys and teams: the gateway keys (issue, rotate, revoke for admins and key managers) and the teams.
import { el, fmt, field, alertBox, showError, renderTable, tryLoad, withReason, note, toLocalInput, headerSafe } from '../lib.js';

export function render(main, ctx) {
  const root = el('div.page');
  main.append(root);
  const canManage = ctx.can.manageKeys;
  const error = alertBox('keys-error');
  const secretBox = el('div', { testid: 'new-key-box' });
  const keysBox = el('div', null, note('Loading…'));
  const teamsBox = el('div', null, note('Loading…'));
  let teams = [];
  let keys = [];

  const head = el('div.section-head', null, el('h2', { id: 'keys-h', text: 'Gateway keys' }));
  const issueSection = el('div');
  root.append(
    el('h1', { text: 'Keys and teams' }),
    error, secretBox,
    el('section', null, head, issueSection, keysBox),
    el('section', null, el('h2', { id: 'teams-h', text: 'Teams' }), teamsBox),
  );

  // ---------- the issue form (admin and key manager only) ----------
  const teamSelect = el('select', { id: 'key-team', testid: 'key-team', required: true });
  if (canManage) {
    const toggleButton = el('button.primary', { type: 'button', testid: 'issue-key', 'aria-expanded': 'false', 'aria-controls': 'issue-key-form', text: 'Issue a key' });
    head.append(toggleButton);
    const name = el('input', { type: 'text', id: 'key-name', testid: 'key-name', required: true, maxlength: '200', autocomplete: 'off' });
    const owner = el('input', { type: 'text', id: 'key-owner', testid: 'key-owner', maxlength: '200', autocomplete: 'off' });
    const expires = el('input', { type: 'datetime-local', id: 'key-expires', testid: 'key-expires' });
    const models = el('input', { type: 'text', id: 'key-models', testid: 'key-models', autocomplete: 'off' });
    const rpm = el('input', { type: 'number', id: 'key-rpm', testid: 'key-rpm', min: '1', step: '1' });
    const tpm = el('input', { type: 'number', id: 'key-tpm', testid: 'key-tpm', min: '1', step: '1' });
    const byok = el('input', { type: 'checkbox', id: 'key-byok', testid: 'key-byok' });
    const reason = el('input', { type: 'text', id: 'key-reason', testid: 'key-reason', required: true, maxlength: '500', autocomplete: 'off' });
    const formError = alertBox('key-issue-error');
    const submit = el('button.primary', { type: 'submit', testid: 'issue-key-submit', text: 'Issue key' });
    const form = el('form.panel', { id: 'issue-key-form', testid: 'issue-key-form', 'aria-labelledby': 'issue-h', novalidate: true, hidden: true },
      el('h3', { id: 'issue-h', text: 'Issue a gateway key' }),
      el('div.grid', null,
        field('Name', name).wrap, field('Team', teamSelect).wrap, field('Owner (optional)', owner).wrap,
        field('Expires (optional)', expires).wrap,
        field('Allowed models (optional)', models, 'Comma-separated model or route names; empty allows all.').wrap,
        field('Requests per minute (optional)', rpm).wrap, field('Tokens per minute (optional)', tpm).wrap),
      el('div.check', null, byok, el('label', { for: byok.id, text: 'Requests may bring their own provider key' })),
      field('Reason', reason, 'Recorded in the audit trail.').wrap,
      formError,
      el('div.actions', null, submit, el('button', { type: 'button', text: 'Cancel', onclick: () => close() })));
    issueSection.append(form);
    const close = () => { form.hidden = true; toggleButton.setAttribute('aria-expanded', 'false'); formError.replaceChildren(); toggleButton.focus(); };
    toggleButton.addEventListener('click', () => {
      const open = form.hidden;
      form.hidden = !open;
      toggleButton.setAttribute('aria-expanded', String(open));
      if (open) { expires.min = toLocalInput(new Date()); name.focus(); }
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.replaceChildren();
      const why = reason.value.trim();
      const problems = [];
      if (!name.value.trim()) problems.push('Name: required.');
      if (!teamSelect.value) problems.push('Team: choose a team.');
      if (!why) problems.push('Reason: required.');
      else if (/[^\x20-\x7e]/.test(headerSafe(why))) problems.push('Reason: use plain ASCII characters (it travels in an HTTP header).');
      if (problems.length) { showError(formError, new Error(problems.join(' '))); return; }
      const list = models.value.split(',').map((s) => s.trim()).filter(Boolean);
      const command = {
        teamId: teamSelect.value,
        name: name.value.trim(),
        owner: owner.value.trim() || null,
        expiresAt: expires.value ? new Date(expires.value).toISOString() : null,
        allowedModels: list.length ? list : null,
        requestsPerMinute: rpm.value ? Number(rpm.value) : null,
        tokensPerMinute: tpm.value ? Number(tpm.value) : null,
        allowsRequestProviderKey: byok.checked,
      };
      submit.disabled = true;
      try {
        const issued = await ctx.api.send('POST', '/admin/keys', command, why);
        for (const input of [name, owner, expires, models, rpm, tpm, reason]) input.value = '';
        byok.checked = false;
        form.hidden = true;
        toggleButton.setAttribute('aria-expanded', 'false');
        showSecret(`Key "${issued.name}" issued`, issued.key, `Prefix ${issued.prefix}.`);
        ctx.announce(`Key ${issued.name} issued.`);
        await loadKeys();
      } catch (err) {
        if (err.status !== 401) showError(formError, err);
      } finally {
        submit.disabled = false;
      }
    });
  }

  /** Shows a new secret once, with a Copy button; "Done" removes it from the page. */
  function showSecret(title, secret, detail) {
    const input = el('input', { type: 'text', id: 'new-key-secret', testid: 'new-key-secret', readonly: true, value: secret, spellcheck: 'false', autocomplete: 'off' });
    const copied = el('span.muted', { 'aria-live': 'polite' });
    const copy = el('button', { type: 'button', testid: 'copy-key-secret', text: 'Copy' });
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(secret); copied.textContent = 'Copied.'; } catch { input.select(); copied.textContent = 'Select and copy it by hand.'; }
    });
    const done = el('button', { type: 'button', testid: 'dismiss-secret', text: 'Done' });
    done.addEventListener('click', () => { secretBox.replaceChildren(); });
    secretBox.replaceChildren(el('section.panel.secret', { 'aria-labelledby': 'secret-h', testid: 'new-key-panel' },
      el('h2', { id: 'secret-h', text: title }),
      el('p', null, el('strong', { text: 'Copy the secret now: it will not be shown again. ' }), detail || ''),
      el('div.field', null, el('label', { for: input.id, text: 'Secret' }), el('div.inline', null, input, copy, copied)),
      el('div.actions', null, done)));
    input.focus();
    input.select();
  }

  // ---------- the keys table ----------
  function status(k) {
    if (k.revoked) return 'revoked';
    if (k.expiresAt && new Date(k.expiresAt) <= new Date()) return 'expired';
    return 'active';
  }

  function showKeys() {
    const teamName = new Map(teams.map((t) => [t.id, t.name]));
    const columns = ['name', 'prefix', 'team', 'owner', 'status', 'issued_at', 'expires_at', 'rotated_at', 'scope'];
    if (canManage) columns.push('actions');
    const rows = keys.map((k) => [k.name, k.prefix, teamName.get(k.teamId) || k.teamId, k.owner, status(k), k.issuedAt, k.expiresAt, k.rotatedAt, k, k]);
    keysBox.replaceChildren(renderTable(columns, rows, {
      testid: 'keys-table', caption: 'Gateway keys', empty: 'No keys issued yet.',
      rowAttrs: (row) => ({ 'data-key-id': row[8].id }),
      cell: (name, v, row) => {
        const k = row[8];
        if (name === 'name') return el('th', { scope: 'row', title: k.id, text: k.name });
        if (name === 'status') return el('td', null, el(`span.badge.${v}`, { testid: `status-${k.id}`, text: v }));
        if (name === 'rotated_at') {
          return el('td', { text: k.rotatedAt ? `${fmt.time(k.rotatedAt)}${k.previousSecretValidUntil ? `; old secret valid until ${fmt.time(k.previousSecretValidUntil)}` : ''}` : '—' });
        }
        if (name === 'scope') {
          const parts = [];
          if (k.allowedModels) parts.push(`models: ${k.allowedModels.join(', ')}`);
          if (k.requestsPerMinute) parts.push(`${fmt.int(k.requestsPerMinute)} req/min`);
          if (k.tokensPerMinute) parts.push(`${fmt.int(k.tokensPerMinute)} tokens/min`);
          if (k.allowsRequestProviderKey) parts.push('own provider key allowed');
          return el('td', { text: parts.join('; ') || 'all models, no limits' });
        }
        if (name === 'actions') return el('td.actions-cell', null, actions(k));
        return undefined;
      },
    }));
  }

  function actions(k) {
    if (k.revoked) return [];
    const rotate = el('button', { type: 'button', testid: `rotate-${k.id}`, text: 'Rotate', 'aria-label': `Rotate ${k.name}` });
    const revoke = el('button.danger', { type: 'button', testid: `revoke-${k.id}`, text: 'Revoke', 'aria-label': `Revoke ${k.name}` });
    rotate.addEventListener('click', () => withReason({
      title: `Rotate key "${k.name}"`,
      description: 'A new secret is issued and shown once; the old one keeps working for the grace period.',
      confirmLabel: 'Rotate key',
      fields: [{ name: 'grace', label: 'Grace period (hours)', type: 'number', value: 24, min: 0, max: 720, hint: '0 ends the old secret now; at most 720 (30 days).' }],
    }, async (reason, values) => {
      const hours = Number(values.grace || 0);
      if (!(hours >= 0 && hours <= 720)) throw new Error('The grace period is between 0 and 720 hours.');
      const res = await ctx.api.send('POST', `/admin/keys/${encodeURIComponent(k.id)}/rotate`, { gracePeriodSeconds: Math.round(hours * 3600) }, reason);
      showSecret(`Key "${k.name}" rotated`, res.key, `The old secret works until ${fmt.time(res.previousSecretValidUntil)}.`);
      ctx.announce(`Key ${k.name} rotated.`);
      await loadKeys();
    }));
    revoke.addEventListener('click', () => withReason({
      title: `Revoke key "${k.name}"`,
      description: 'The key is refused from its very next request on. This cannot be undone.',
      confirmLabel: 'Revoke key',
    }, async (reason) => {
      await ctx.api.send('POST', `/admin/keys/${encodeURIComponent(k.id)}/revoke`, { reason }, reason);
      ctx.announce(`Key ${k.name} revoked.`);
      await loadKeys();
    }));
    return [rotate, revoke];
  }

  function showTeams() {
    const rows = teams.map((t) => [t.name, t.id, t.accountId, t.allowedModels ? t.allowedModels.join(', ') : 'all',
      t.requestsPerMinute, t.tokensPerMinute, t.bodyRetentionDays === null || t.bodyRetentionDays === undefined ? 'until erased' : `${t.bodyRetentionDays} days`, t.createdAt]);
    teamsBox.replaceChildren(renderTable(['name', 'id', 'account_id', 'allowed_models', 'requests_per_minute', 'tokens_per_minute', 'body_retention', 'created_at'], rows, {
      testid: 'teams-table', caption: 'Teams', empty: 'No teams yet.', rowAttrs: (row) => ({ 'data-team-id': row[1] }),
      format: { requests_per_minute: (v) => (v ? fmt.int(v) : 'no limit'), tokens_per_minute: (v) => (v ? fmt.int(v) : 'no limit') },
    }));
  }

  async function loadKeys() {
    try {
      keys = await ctx.api.get(ctx.can.teamId ? ctx.api.url('/admin/keys', { teamId: ctx.can.teamId }) : '/admin/keys');
      if (!ctx.isAlive()) return;
      error.replaceChildren();
      showKeys();
    } catch (err) {
      if (ctx.isAlive() && err.status !== 401) showError(error, err);
    }
  }

  (async () => {
    const all = await tryLoad('/admin/teams', teamsBox).catch(() => null);
    if (!ctx.isAlive()) return;
    teams = (all || []).filter((t) => !ctx.can.teamId || t.id === ctx.can.teamId);
    if (ctx.can.teamId && !teams.length) teams = [{ id: ctx.can.teamId, name: 'My team' }];
    teamSelect.replaceChildren(
      ...(teams.length === 1 ? [] : [el('option', { value: '', text: 'Choose a team' })]),
      ...teams.map((t) => el('option', { value: t.id, text: t.name })));
    if (all) showTeams();
    await loadKeys();
  })();
}
