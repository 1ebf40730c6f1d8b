/**
 * The inbox page's script: polls `/inbox/data` every 2.5 s and keeps one card per item (a card being edited keeps its
 * text); builds every node with textContent, never HTML. Edited arguments are checked against the tool's JSON Schema
 * (the common keywords) before they are sent; the workflow checks them again in full.
 */
export const INBOX_SCRIPT = String.raw`
(() => {
  const main = document.querySelector('main');
  const ws = main.dataset.workspace, csrfToken = main.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (k === 'text') n.textContent = v; else n.setAttribute(k, v);
    for (const k of kids) if (k) n.append(k);
    return n;
  };
  const ago = (iso, now) => {
    const s = Math.round((Date.parse(now) - Date.parse(iso)) / 1000);
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  };
  const until = (iso, now) => {
    const s = Math.round((Date.parse(iso) - Date.parse(now)) / 1000);
    return s <= 0 ? 'now' : s < 60 ? 'in ' + s + ' s' : s < 3600 ? 'in ' + Math.round(s / 60) + ' min' : 'in ' + Math.round(s / 3600) + ' h';
  };
  const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  // The JSON Schema keywords tools use: type, required, properties, additionalProperties, enum, const, bounds, items.
  function check(schema, v, at, out) {
    if (!schema || typeof schema !== 'object') return out;
    const t = typeOf(v), where = at || '(arguments)';
    if (schema.type) {
      const types = [].concat(schema.type);
      const ok = types.some((x) => x === t || (x === 'integer' && t === 'number' && Number.isInteger(v)) || (x === 'number' && t === 'number'));
      if (!ok) { out.push(where + ': must be ' + types.join(' or ')); return out; }
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) out.push(where + ': must be one of ' + schema.enum.map((e) => JSON.stringify(e)).join(', '));
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) out.push(where + ': must be ' + JSON.stringify(schema.const));
    if (t === 'number') {
      if (schema.minimum !== undefined && v < schema.minimum) out.push(where + ': must be ≥ ' + schema.minimum);
      if (schema.maximum !== undefined && v > schema.maximum) out.push(where + ': must be ≤ ' + schema.maximum);
    }
    if (t === 'string') {
      if (schema.minLength !== undefined && v.length < schema.minLength) out.push(where + ': must have at least ' + schema.minLength + ' characters');
      if (schema.maxLength !== undefined && v.length > schema.maxLength) out.push(where + ': must have at most ' + schema.maxLength + ' characters');
    }
    if (t === 'array' && schema.items) v.forEach((x, i) => check(schema.items, x, where + '[' + i + ']', out));
    if (t === 'object') {
      for (const k of schema.required || []) if (!(k in v)) out.push((at ? at + '.' : '') + k + ': is required');
      const props = schema.properties || {};
      for (const [k, x] of Object.entries(v)) {
        const path = (at ? at + '.' : '') + k;
        if (props[k]) check(props[k], x, path, out);
        else if (schema.additionalProperties === false) out.push(path + ': is not an argument of this tool');
      }
    }
    return out;
  }
  async function send(url, body, errEl, done) {
    errEl.textContent = '';
    try {
      const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-hitl-csrf': csrfToken }, body: JSON.stringify(body) });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) { errEl.textContent = (json.error || 'failed') + (json.detail ? ': ' + json.detail : ''); return; }
      done(json);
      poll();
    } catch (e) { errEl.textContent = 'network error: ' + e.message; }
  }
  const cards = new Map();
  function approvalCard(a) {
    const base = '/workspaces/' + encodeURIComponent(ws) + '/approvals/' + encodeURIComponent(a.id) + '/decide';
    const args = el('textarea', { id: 'args-' + a.id, 'aria-label': 'Arguments (JSON)', spellcheck: 'false' });
    args.value = JSON.stringify(a.args || {}, null, 2);
    args.rows = Math.min(14, args.value.split('\n').length + 1);
    const msg = el('input', { type: 'text', 'aria-label': 'Message', placeholder: 'Message (optional; why, when denying)', maxlength: '2000' });
    const err = el('p', { class: 'err', role: 'alert' });
    const meta = el('p', { class: 'meta' });
    args.oninput = () => { err.textContent = ''; };
    const ok = (json) => { err.className = 'err ok'; err.textContent = json.status === 'pending' ? 'Counted: ' + json.approvals + ' of ' + json.required : 'Done: ' + json.status; };
    const approve = el('button', { class: 'approve', type: 'button', text: 'Approve' });
    approve.onclick = () => send(base, { decision: 'approved', ...(msg.value && { message: msg.value }) }, err, ok);
    const edit = el('button', { class: 'edit', type: 'button', text: 'Approve with edits' });
    edit.onclick = () => {
      let edited;
      try { edited = JSON.parse(args.value); } catch (e) { err.textContent = 'Arguments are not valid JSON: ' + e.message; return; }
      if (typeOf(edited) !== 'object') { err.textContent = 'Arguments must be a JSON object'; return; }
      const problems = check(a.argsSchema, edited, '', []);
      if (problems.length) { err.textContent = 'Does not match the tool\'s schema: ' + problems.slice(0, 3).join('; '); return; }
      send(base, { decision: 'approved', edited_args: edited, ...(msg.value && { message: msg.value }) }, err, ok);
    };
    const deny = el('button', { class: 'deny', type: 'button', text: 'Deny' });
    deny.onclick = () => send(base, { decision: 'denied', ...(msg.value && { message: msg.value }) }, err, ok);
    const card = el('div', { class: 'card', 'data-approval-id': a.id },
      el('h3', { text: a.action }), el('p', { class: 'reason', text: a.reason || '(no reason given)' }), meta,
      el('label', { for: 'args-' + a.id, text: 'Arguments (JSON)' }), args, msg,
      el('div', { class: 'row' }, approve, edit, deny), err);
    card.update = (x, now) => {
      meta.textContent = 'Requested by ' + (x.requestedBy || 'unknown') + ' · ' + ago(x.createdAt, now) + ' · deadline ' + until(x.deadline, now) +
        (x.required > 1 ? ' · ' + x.approvals + ' of ' + x.required + ' approvals' : '') + (x.taskId ? ' · task ' + x.taskId : '');
      meta.title = 'created ' + x.createdAt + ', deadline ' + x.deadline;
    };
    return card;
  }
  function pauseCard(p) {
    const msg = el('input', { type: 'text', 'aria-label': 'Message', placeholder: 'A note for the agent (optional)', maxlength: '2000' });
    const err = el('p', { class: 'err', role: 'alert' });
    const meta = el('p', { class: 'meta' });
    const resume = el('button', { class: 'approve', type: 'button', text: 'Resume' });
    resume.onclick = () => send('/workspaces/' + encodeURIComponent(ws) + '/tasks/' + encodeURIComponent(p.taskId) + '/resume', msg.value ? { message: msg.value } : {}, err, () => { err.className = 'err ok'; err.textContent = 'Resumed'; });
    const card = el('div', { class: 'card', 'data-task-id': p.taskId }, el('h3', { text: p.taskId }), el('p', { class: 'reason', text: p.reason || '(no reason given)' }), meta, msg, el('div', { class: 'row' }, resume), err);
    card.update = (x, now) => { meta.textContent = 'Paused ' + ago(x.pausedAt, now) + ' · deadline ' + until(x.deadline, now); };
    return card;
  }
  function sync(box, items, key, make, now) {
    const live = new Set(items.map(key));
    for (const [k, card] of cards) if (card.parentNode === box && !live.has(k)) { card.remove(); cards.delete(k); }
    for (const item of items) {
      let card = cards.get(key(item));
      if (!card) { card = make(item); cards.set(key(item), card); box.append(card); }
      card.update(item, now);
    }
    const empty = box.querySelector('.empty');
    if (items.length && empty) empty.remove();
    if (!items.length && !empty) box.append(el('p', { class: 'empty', text: 'Nothing here.' }));
    else if (!items.length) empty.textContent = 'Nothing here.';
  }
  async function poll() {
    try {
      const res = await fetch('/inbox/data', { credentials: 'same-origin' });
      if (res.status === 401) { location.reload(); return; }
      const d = await res.json();
      sync($('pending'), d.pending, (a) => 'a:' + a.id, approvalCard, d.now);
      sync($('paused'), d.paused, (p) => 't:' + p.taskId, pauseCard, d.now);
      $('recent').replaceChildren(...d.recent.map((r) => el('li', { 'data-approval-id': r.id, text: r.action + ' — ' + r.outcome + (r.decided_by ? ' by ' + r.decided_by : '') + (r.decided_at ? ' at ' + r.decided_at.replace('T', ' ').slice(0, 19) : '') })));
      if (!d.recent.length) $('recent').append(el('li', { class: 'empty', text: 'Nothing yet.' }));
      $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (e) { $('status').textContent = 'Offline, retrying… (' + e.message + ')'; }
  }
  poll();
  setInterval(poll, 2500);
})();
`;
