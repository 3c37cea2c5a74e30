// Keys and teams: the gateway keys (issue, rotate, revoke for admins and key managers) and the teams.
import { el, fmt, field, alertBox, showError, renderTable, tryLoad, withReason, note, toLocalInput, reasonProblem, sequence } from '../lib.js';

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
  const teamsHead = el('div.section-head', null, el('h2', { id: 'teams-h', text: 'Teams' }));
  const createTeamSection = el('div');
  root.append(
    el('h1', { text: 'Keys and teams' }),
    error, secretBox,
    el('section', null, head, issueSection, keysBox),
    el('section', null, teamsHead, createTeamSection, teamsBox),
  );

  /** A reason for the audit trail: the problem with it, or null when it will do. */

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
      const bad = reasonProblem(why);
      if (bad) problems.push(bad);
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
        // The page was left while the key was being issued: its secret cannot be shown anywhere now.
        if (!ctx.isAlive()) { ctx.announce(`Key ${issued.name} issued, but the page was left before its secret could be shown: rotate the key to get a new secret.`); return; }
        for (const input of [name, owner, expires, models, rpm, tpm, reason]) input.value = '';
        byok.checked = false;
        form.hidden = true;
        toggleButton.setAttribute('aria-expanded', 'false');
        showSecret(`Key "${issued.name}" issued`, issued.key, `Prefix ${issued.prefix}.`);
        ctx.announce(`Key ${issued.name} issued.`);
        await loadKeys();
      } catch (err) {
        if (ctx.isAlive() && err.status !== 401) showError(formError, err);
      } finally {
        submit.disabled = false;
      }
    });
  }

  // ---------- the create-team form (admin only) ----------
  if (ctx.can.admin) {
    const toggleButton = el('button.primary', { type: 'button', testid: 'create-team', 'aria-expanded': 'false', 'aria-controls': 'create-team-form', text: 'Create team' });
    teamsHead.append(toggleButton);
    const name = el('input', { type: 'text', id: 'team-name', testid: 'team-name', required: true, maxlength: '200', autocomplete: 'off' });
    const account = el('select', { id: 'team-account', testid: 'team-account' }, el('option', { value: '', text: 'None' }));
    const reason = el('input', { type: 'text', id: 'team-reason', testid: 'team-reason', required: true, maxlength: '500', autocomplete: 'off' });
    const formError = alertBox('team-create-error');
    const submit = el('button.primary', { type: 'submit', testid: 'create-team-submit', text: 'Create team' });
    const form = el('form.panel', { id: 'create-team-form', testid: 'create-team-form', 'aria-labelledby': 'create-team-h', novalidate: true, hidden: true },
      el('h3', { id: 'create-team-h', text: 'Create a team' }),
      el('div.grid', null, field('Team name', name).wrap, field('Account (optional)', account, 'The account the team belongs to, for account budgets.').wrap),
      field('Reason', reason, 'Recorded in the audit trail.').wrap,
      formError,
      el('div.actions', null, submit, el('button', { type: 'button', text: 'Cancel', onclick: () => close() })));
    createTeamSection.append(form);
    const close = () => { form.hidden = true; toggleButton.setAttribute('aria-expanded', 'false'); formError.replaceChildren(); toggleButton.focus(); };
    let accountsLoaded = false;
    toggleButton.addEventListener('click', async () => {
      const open = form.hidden;
      form.hidden = !open;
      toggleButton.setAttribute('aria-expanded', String(open));
      if (!open) return;
      name.focus();
      if (accountsLoaded) return;
      accountsLoaded = true;
      const accounts = await tryLoad('/admin/accounts').catch(() => null);
      if (!ctx.isAlive() || !accounts) return;
      const chosen = account.value;
      account.replaceChildren(el('option', { value: '', text: 'None' }), ...accounts.map((a) => el('option', { value: a.id, text: a.name })));
      account.value = chosen;
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.replaceChildren();
      const why = reason.value.trim();
      const problems = [];
      if (!name.value.trim()) problems.push('Team name: required.');
      const bad = reasonProblem(why);
      if (bad) problems.push(bad);
      if (problems.length) { showError(formError, new Error(problems.join(' '))); return; }
      submit.disabled = true;
      try {
        const created = await ctx.api.send('POST', '/admin/teams', { name: name.value.trim(), accountId: account.value || null }, why);
        ctx.announce(`Team ${created.name} created.`);
        if (!ctx.isAlive()) return;
        name.value = '';
        reason.value = '';
        account.value = '';
        close();
        await loadTeams();
      } catch (err) {
        if (ctx.isAlive() && err.status !== 401) showError(formError, err);
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
    const edit = el('button', { type: 'button', testid: `edit-${k.id}`, text: 'Edit', 'aria-label': `Edit ${k.name}` });
    edit.addEventListener('click', () => editKey(k));
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
      // Never into a page that was left meanwhile (closing the dialog on leaving stops a rotation not yet sent).
      if (!ctx.isAlive()) { ctx.announce(`Key ${k.name} rotated, but the page was left before its new secret could be shown: rotate it again for a new one.`); return; }
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
      if (ctx.isAlive()) await loadKeys();
    }));
    return [edit, rotate, revoke];
  }

  /**
   * Change a key's scope (allowed models and rate limits: PUT /admin/keys/{id}/scope, replaced as a whole, null = all
   * models / no limit) and its expiry (PUT /admin/keys/{id}/expiry, null = never), with one reason for both. Only
   * what changed is sent; after a partial failure, confirming again sends what is still to do.
   */
  function editKey(k) {
    let current = k;
    const expiresValue = (key) => (key.expiresAt ? toLocalInput(new Date(key.expiresAt)) : '');
    const sameList = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);
    withReason({
      title: `Edit key "${k.name}"`,
      description: 'Scope and limits apply from the next request on. An empty field means all models, no limit or no expiry.',
      confirmLabel: 'Save changes',
      fields: [
        { name: 'models', label: 'Allowed models', value: (k.allowedModels || []).join(', '), hint: 'Comma-separated model or route names; empty allows all.' },
        { name: 'rpm', label: 'Requests per minute', type: 'number', value: k.requestsPerMinute ?? '', min: 1, step: 1, hint: 'Empty: no limit.' },
        { name: 'tpm', label: 'Tokens per minute', type: 'number', value: k.tokensPerMinute ?? '', min: 1, step: 1, hint: 'Empty: no limit.' },
        { name: 'expires', label: 'Expires', type: 'datetime-local', value: expiresValue(k), hint: 'Your local time. Empty: never expires.' },
      ],
    }, async (reason, values) => {
      const limit = (text, label) => {
        const v = String(text ?? '').trim();
        if (!v) return null;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`${label}: a whole number of at least 1, or empty for no limit.`);
        return n;
      };
      const list = String(values.models || '').split(',').map((x) => x.trim()).filter(Boolean);
      const scope = {
        allowedModels: list.length ? list : null,
        requestsPerMinute: limit(values.rpm, 'Requests per minute'),
        tokensPerMinute: limit(values.tpm, 'Tokens per minute'),
      };
      const expiresText = String(values.expires || '');
      let expiresAt = null;
      if (expiresText) {
        const d = new Date(expiresText);
        if (Number.isNaN(d.getTime())) throw new Error('Expires: give a date and time, or leave it empty for no expiry.');
        expiresAt = d.toISOString();
      }
      const scopeChanged = !sameList(scope.allowedModels, current.allowedModels)
        || scope.requestsPerMinute !== (current.requestsPerMinute ?? null) || scope.tokensPerMinute !== (current.tokensPerMinute ?? null);
      const expiryChanged = expiresText !== expiresValue(current);
      if (!scopeChanged && !expiryChanged) throw new Error('Nothing changed.');
      const id = encodeURIComponent(k.id);
      if (scopeChanged) current = (await ctx.api.send('PUT', `/admin/keys/${id}/scope`, scope, reason)) || { ...current, ...scope };
      if (expiryChanged) current = (await ctx.api.send('PUT', `/admin/keys/${id}/expiry`, { expiresAt }, reason)) || { ...current, expiresAt };
      ctx.announce(`Key ${k.name} changed.`);
      if (ctx.isAlive()) await loadKeys();
    });
  }

  function showTeams() {
    const rows = teams.map((t) => [t.name, t.id, t.accountId, t.allowedModels ? t.allowedModels.join(', ') : 'all',
      t.requestsPerMinute, t.tokensPerMinute, t.bodyRetentionDays === null || t.bodyRetentionDays === undefined ? 'until erased' : `${t.bodyRetentionDays} days`, t.createdAt]);
    teamsBox.replaceChildren(renderTable(['name', 'id', 'account_id', 'allowed_models', 'requests_per_minute', 'tokens_per_minute', 'body_retention', 'created_at'], rows, {
      testid: 'teams-table', caption: 'Teams', empty: 'No teams yet.', rowAttrs: (row) => ({ 'data-team-id': row[1] }),
      format: { requests_per_minute: (v) => (v ? fmt.int(v) : 'no limit'), tokens_per_minute: (v) => (v ? fmt.int(v) : 'no limit') },
    }));
  }

  // Only the latest load of each list is shown (a reload after a write may overtake an earlier one).
  const keyLoads = sequence();
  async function loadKeys() {
    const n = keyLoads.begin();
    try {
      const list = await ctx.api.get(ctx.can.teamId ? ctx.api.url('/admin/keys', { teamId: ctx.can.teamId }) : '/admin/keys');
      if (!ctx.isAlive() || !keyLoads.latest(n)) return;
      keys = list;
      error.replaceChildren();
      showKeys();
    } catch (err) {
      if (ctx.isAlive() && keyLoads.latest(n) && err.status !== 401) showError(error, err);
    } finally {
      keyLoads.end();
    }
  }

  const teamLoads = sequence();
  async function loadTeams() {
    const n = teamLoads.begin();
    try {
      const all = await tryLoad('/admin/teams', teamsBox).catch(() => null);
      if (!ctx.isAlive() || !teamLoads.latest(n)) return;
      teams = (all || []).filter((t) => !ctx.can.teamId || t.id === ctx.can.teamId);
      if (ctx.can.teamId && !teams.length) teams = [{ id: ctx.can.teamId, name: 'My team' }];
      const chosen = teamSelect.value;
      teamSelect.replaceChildren(
        ...(teams.length === 1 ? [] : [el('option', { value: '', text: 'Choose a team' })]),
        ...teams.map((t) => el('option', { value: t.id, text: t.name })));
      if (chosen && teams.some((t) => t.id === chosen)) teamSelect.value = chosen;
      if (all) showTeams();
      if (keys.length) showKeys(); // team names in the keys table
    } finally {
      teamLoads.end();
    }
  }

  (async () => {
    await loadTeams();
    if (!ctx.isAlive()) return;
    await loadKeys();
  })();
}
