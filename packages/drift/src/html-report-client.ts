/**
 * The report's only script, inlined: reads the embedded payload (`html-report-payload.ts`) and builds the
 * trajectory list and the call table; token chips are created only when a section is opened (and long
 * context runs only when their fold chip is clicked), so a 2,000-call page opens at once. Plain ES2017
 * with DOM calls only (textContent, never innerHTML with data), no template literals, no dependencies.
 */
export const REPORT_SCRIPT = String.raw`(function () {
'use strict';
var data = JSON.parse(document.getElementById('drift-data').textContent);
var DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
var VALUE = {};
for (var q = 0; q < DIGITS.length; q++) VALUE[DIGITS.charCodeAt(q)] = q;
var OPEN_ALL = 12, FOLD_MIN = 8, FOLD_KEEP = 12, NEAR = 6;
var idCache = [];

function decode(s) {
  var w = data.w, out = new Array(s.length / w);
  for (var i = 0, j = 0; i < s.length; i += w, j++) {
    var n = 0;
    for (var k = 0; k < w; k++) n = n * 64 + VALUE[s.charCodeAt(i + k)];
    out[j] = n;
  }
  return out;
}
function trajectoryIds(t) {
  if (idCache[t]) return idCache[t];
  var tr = data.t[t], own = decode(tr.x);
  var ids = tr.b ? trajectoryIds(tr.b[0]).slice(0, tr.b[1]).concat(own) : own;
  idCache[t] = ids;
  return ids;
}
function expandMask(runs, length) {
  var mask = new Uint8Array(length), at = 0;
  for (var i = 0; i < runs.length; i++) {
    if (i % 2 === 1) mask.fill(1, at, at + runs[i]);
    at += runs[i];
  }
  return mask;
}
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function fmt(n) { return n === null || n === undefined ? '\u2014' : Number(n).toLocaleString('en-US'); }
function piece(id) {
  var p = data.v[id];
  if (p === undefined) return ['<' + id + '>', '<' + id + '>'];
  return typeof p === 'string' ? [p, p] : p;
}
function isNewline(id) { var raw = piece(id)[1]; return raw.length > 0 && (raw.charAt(raw.length - 1) === '\u010a' || raw.charAt(raw.length - 1) === '\n'); }
function chip(id, cls, role) {
  var p = piece(id), e = el('span', 'tok ' + cls, p[0] || '\u2205');
  e.title = 'id ' + id + ' \u00b7 ' + JSON.stringify(p[1]) + ' \u00b7 ' + role;
  e.setAttribute('data-id', id);
  return e;
}
function appendChip(strip, id, cls, role) {
  strip.appendChild(chip(id, cls, role));
  if (isNewline(id)) strip.appendChild(el('span', 'nl'));
}
function rollout(i) { return i < 0 ? '\u2014' : data.r[i]; }

/** The loss-mask strip of a whole trajectory, uninteresting context runs folded. */
function trajectoryStrip(t) {
  var tr = data.t[t], ids = trajectoryIds(t), mask = expandMask(tr.m, ids.length);
  var drift = new Set(tr.d), rw = new Set(tr.rw), keep = new Uint8Array(ids.length);
  for (var i = 0; i < ids.length; i++) {
    if (mask[i] || drift.has(i) || rw.has(i)) keep[i] = 1;
    if (i > 0 && mask[i] !== mask[i - 1]) {
      for (var a = Math.max(0, i - FOLD_KEEP); a < Math.min(ids.length, i + FOLD_KEEP); a++) keep[a] = 1;
    }
  }
  for (var b = 0; b < Math.min(FOLD_KEEP, ids.length); b++) keep[b] = 1;
  for (var c = Math.max(0, ids.length - FOLD_KEEP); c < ids.length; c++) keep[c] = 1;
  drift.forEach(mark); rw.forEach(mark);
  function mark(p) { for (var n = Math.max(0, p - NEAR); n < Math.min(ids.length, p + NEAR); n++) keep[n] = 1; }
  var strip = el('div', 'strip');
  strip.setAttribute('data-trajectory-strip', t);
  function classOf(p) {
    var cls = mask[p] ? 'gen' : 'ctx';
    if (drift.has(p)) cls += ' drift';
    if (rw.has(p)) cls += ' rw';
    return cls;
  }
  function roleOf(p) {
    var role = mask[p] ? 'sampled (mask 1)' : 'context (mask 0)';
    if (drift.has(p)) role += ' \u00b7 changes if re-tokenized';
    if (rw.has(p)) role += ' \u00b7 the next prompt rewrites it';
    return role + ' \u00b7 position ' + p;
  }
  var p = 0;
  while (p < ids.length) {
    if (keep[p]) { appendChip(strip, ids[p], classOf(p), roleOf(p)); p++; continue; }
    var end = p;
    while (end < ids.length && !keep[end]) end++;
    if (end - p < FOLD_MIN) {
      for (; p < end; p++) appendChip(strip, ids[p], classOf(p), roleOf(p));
      continue;
    }
    strip.appendChild(foldChip(p, end));
    p = end;
  }
  function foldChip(from, to) {
    var f = el('span', 'tok fold', '\u22ef ' + fmt(to - from) + ' context tokens');
    f.title = 'positions ' + from + '\u2013' + (to - 1) + ' (loss mask 0): click to show';
    f.setAttribute('role', 'button');
    f.tabIndex = 0;
    function unfold() {
      var frag = document.createDocumentFragment(), holder = el('span');
      for (var x = from; x < to; x++) appendChip(holder, ids[x], classOf(x), roleOf(x));
      while (holder.firstChild) frag.appendChild(holder.firstChild);
      f.replaceWith(frag);
    }
    f.addEventListener('click', unfold);
    f.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); unfold(); } });
    return f;
  }
  return strip;
}

function windowIds(w) { return w.x !== undefined ? decode(w.x) : trajectoryIds(w.t).slice(w.o, w.o + w.n); }
/** A window of ids: marked positions get markClass, the rest baseClass (or a function of the position). */
function windowStrip(w, baseClass, markClass, role, isMarked) {
  var ids = windowIds(w), marks = new Set(w.mk || []), strip = el('div', 'strip');
  for (var i = 0; i < ids.length; i++) {
    var marked = isMarked ? isMarked(w.s + i) : marks.has(i);
    var base = typeof baseClass === 'function' ? baseClass(w.s + i) : baseClass;
    appendChip(strip, ids[i], base + (marked ? ' ' + markClass : ''), role(w.s + i, marked));
  }
  return strip;
}

function bpeCell(c) {
  if (c.n === null || c.s !== 'exact') return el('span', 'hint', '\u2014');
  if (!c.b) return el('span', 'ok', 'stable');
  var h = c.b.h, text = 'drifts at token ' + h[0] + ': ' + h[1] + (h[1] === 1 ? ' token changes' : ' tokens change');
  if (h[2]) text += ' \u00b7 text changes';
  if (h[3]) text += ' \u00b7 creates control tokens';
  return el('span', 'bad-text', text);
}
function breakCell(c) {
  if (c.x === undefined) return el('span', 'hint', '\u2014');
  if (c.x === 1) return el('span', 'ok', 'extends it');
  var e = c.e, where = e.off >= 0 ? 'sampled token ' + e.off + ' of call ' + e.prev : 'the earlier prompt';
  var span = el('span', 'bad-text', 'breaks at token ' + fmt(e.at) + ' (' + where + '): ');
  span.appendChild(el('code', 'cause', data.s[e.cause]));
  return span;
}
function logprobCell(c) { return c.l ? c.l[1].toFixed(3) + ' / ' + c.l[2].toFixed(3) : '\u2014'; }

function callTable(positions, withTrajectory) {
  var table = el('table', 'calls'), head = el('tr');
  var cols = ['rollout', 'call', 'try', 'status', 'finish', 'prompt', 'sampled', 'logprob mean / min', 'BPE re-encode', 'prompt vs previous call'];
  if (withTrajectory) cols.push('trajectory');
  cols.forEach(function (name) { head.appendChild(el('th', /prompt$|sampled/.test(name) ? 'num' : '', name)); });
  var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
  var body = el('tbody');
  positions.forEach(function (pos) {
    var c = data.c[pos], tr = el('tr', c.b || c.x === 0 || c.s !== 'exact' ? 'problem' : '');
    tr.setAttribute('data-call', pos);
    [rollout(c.r), 'call ' + c.k, c.a === null ? '\u2014' : c.a, c.s, c.f === null ? '\u2014' : c.f, fmt(c.p), fmt(c.n), logprobCell(c)]
      .forEach(function (v, i) { tr.appendChild(el('td', i === 5 || i === 6 ? 'num' : '', v)); });
    var b = el('td'); b.appendChild(bpeCell(c)); tr.appendChild(b);
    var r = el('td', 'wrap'); r.appendChild(breakCell(c)); tr.appendChild(r);
    if (withTrajectory) {
      var cell = el('td');
      if (c.t >= 0) {
        var a = el('a', '', 'trajectory ' + c.t); a.href = '#trajectory-' + c.t;
        a.addEventListener('click', function () { openTrajectory(c.t); });
        cell.appendChild(a);
      } else cell.appendChild(el('span', 'hint', 'not trained on'));
      tr.appendChild(cell);
    }
    body.appendChild(tr);
  });
  table.appendChild(body);
  return table;
}

/** A call's BPE drift (in the trajectory holding its sampled tokens) and/or its prompt break (in the one it ends). */
function callDetails(pos, part) {
  var c = data.c[pos], box = el('div', 'call-detail');
  box.setAttribute('data-call-detail', pos);
  if (c.b && part === 'bpe') {
    box.appendChild(el('h3', '', 'call ' + c.k + ' \u00b7 BPE drift from sampled token ' + c.b.h[0]));
    box.appendChild(el('p', 'label', 'sampled (from token ' + c.b.a.s + ')'));
    box.appendChild(windowStrip(c.b.a, 'gen', 'drift', function (p, m) { return 'sampled (mask 1) \u00b7 token ' + p + (m ? ' \u00b7 changes if re-tokenized' : ''); }));
    box.appendChild(el('p', 'label', 're-encoded from the decoded text'));
    box.appendChild(windowStrip(c.b.z, 'reenc', 'drift', function (p, m) { return 're-encoded \u00b7 token ' + p + (m ? ' \u00b7 differs from what was sampled' : ''); }));
    if (c.b.eos !== null) {
      var eos = el('div', 'strip'); eos.appendChild(chip(c.b.eos, 'gen eos', 'end token, left out of the re-encode check'));
      box.appendChild(el('p', 'label', 'end token (kept as an id, not re-encoded)')); box.appendChild(eos);
    }
  }
  if (c.e && part === 'break') {
    var e = c.e, sampledFrom = e.at - e.off, fromBreak = function (p) { return p >= e.at; };
    box.appendChild(el('h3', '', 'call ' + c.k + ' \u00b7 prompt stops extending call ' + e.prev + ' at token ' + fmt(e.at) + ': ' + data.s[e.cause]));
    if (data.s[e.detail]) box.appendChild(el('p', 'hint', data.s[e.detail]));
    box.appendChild(el('p', 'label', 'what the model saw and sampled (call ' + e.prev + ')'));
    box.appendChild(windowStrip(e.held, function (p) { return p >= sampledFrom ? 'gen' : 'ctx'; }, 'diverge', function (p, m) { return (p >= sampledFrom ? 'sampled (mask 1)' : 'context (mask 0)') + ' \u00b7 position ' + p + (m ? ' \u00b7 the next prompt differs from here' : ''); }, fromBreak));
    box.appendChild(el('p', 'label', 'the next prompt as the template rendered it (call ' + c.k + ')'));
    box.appendChild(windowStrip(e.rendered, 'ctx', 'diverge', function (p, m) { return 'context (mask 0) \u00b7 position ' + p + (m ? ' \u00b7 differs from what the model saw' : ''); }, fromBreak));
    if (e.lost > 0) box.appendChild(el('p', 'hint', e.lost + ' sampled tokens of call ' + e.prev + ' are not reproduced in place'));
  }
  return box;
}

function summaryLine(t) {
  var tr = data.t[t], length = 0, sampled = 0;
  tr.m.forEach(function (n, i) { length += n; if (i % 2 === 1) sampled += n; });
  var s = el('summary');
  s.appendChild(document.createTextNode('trajectory ' + t + ' \u00b7 ' + (tr.r >= 0 ? 'rollout ' + data.r[tr.r] + ' \u00b7 ' : '') +
    (tr.k.length === 1 ? 'call ' : 'calls ') + tr.k.join(', ') + ' \u00b7 ' + fmt(length) + ' tokens: ' + fmt(sampled) + ' sampled (mask 1), ' + fmt(length - sampled) + ' context (mask 0)'));
  if (tr.d.length) s.appendChild(el('span', 'badge drift', tr.d.length + ' drifted'));
  if (tr.rw.length) s.appendChild(el('span', 'badge rw', tr.rw.length + ' rewritten'));
  if (tr.e) s.appendChild(el('span', 'badge split', 'split: call ' + tr.e[0] + ' ' + tr.e[2]));
  if (!tr.d.length && !tr.rw.length && !tr.e) s.appendChild(el('span', 'badge ok', 'clean'));
  return s;
}

function fillTrajectory(details) {
  if (details.getAttribute('data-rendered')) return;
  details.setAttribute('data-rendered', '1');
  var t = Number(details.getAttribute('data-trajectory')), tr = data.t[t], body = el('div', 'traj-body');
  body.appendChild(callTable(tr.cs, false));
  body.appendChild(el('p', 'label', 'token ids in training order (hover a token for its id; click a \u22ef chip to unfold context)'));
  body.appendChild(trajectoryStrip(t));
  tr.cs.forEach(function (pos) { if (data.c[pos].b) body.appendChild(callDetails(pos, 'bpe')); });
  if (tr.e) {
    for (var i = 0; i < data.c.length; i++) {
      var c = data.c[i];
      if (c.e && c.k === tr.e[0] && c.r === tr.r && c.e.prev === tr.k[tr.k.length - 1]) { body.appendChild(callDetails(i, 'break')); break; }
    }
  }
  details.appendChild(body);
}
function openTrajectory(t) {
  var d = document.getElementById('trajectory-' + t);
  if (!d) return;
  d.hidden = false;
  d.open = true;
  fillTrajectory(d);
}

function renderTrajectories() {
  var root = document.getElementById('trajectories');
  if (!root) return;
  var list = el('div', 'traj-list'), filter = document.getElementById('trajectory-filter'), count = document.getElementById('trajectory-count');
  data.t.forEach(function (tr, t) {
    var d = el('details', 'traj');
    d.id = 'trajectory-' + t;
    d.setAttribute('data-trajectory', t);
    d.setAttribute('data-kind', tr.d.length || tr.rw.length || tr.e ? 'problem' : 'clean');
    d.appendChild(summaryLine(t));
    d.addEventListener('toggle', function () { if (d.open) fillTrajectory(d); });
    list.appendChild(d);
  });
  root.appendChild(list);
  function apply() {
    var only = filter && filter.value === 'problem', shown = 0;
    Array.prototype.forEach.call(list.children, function (d) {
      d.hidden = only && d.getAttribute('data-kind') !== 'problem';
      if (!d.hidden) shown++;
    });
    if (count) count.textContent = shown + ' of ' + data.t.length + ' shown';
  }
  if (filter) filter.addEventListener('change', apply);
  apply();
  if (data.t.length <= OPEN_ALL) Array.prototype.forEach.call(list.children, function (d) { d.open = true; fillTrajectory(d); });
}

function renderCalls() {
  var section = document.getElementById('calls-section'), root = document.getElementById('calls');
  if (!section || !root) return;
  function fill() {
    if (root.getAttribute('data-rendered')) return;
    root.setAttribute('data-rendered', '1');
    root.appendChild(callTable(data.c.map(function (_, i) { return i; }), true));
  }
  section.addEventListener('toggle', function () { if (section.open) fill(); });
  if (section.open) fill();
}

renderTrajectories();
renderCalls();
if (location.hash.indexOf('#trajectory-') === 0) openTrajectory(Number(location.hash.slice(12)));
document.documentElement.setAttribute('data-ready', '1');
})();`
