/**
 * The admin page: one self-contained document (no framework, nothing to
 * build, nothing fetched from elsewhere), kept as a string so the compiled
 * server carries it. Its script uses no template literals, so this file's
 * own template literal holds it verbatim. Everything from the server is put
 * in the page with textContent, never as HTML.
 *
 * Live updates come from /api/events (Server-Sent Events), read with fetch
 * rather than EventSource so the token can go in the Authorization header.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nfs-node</title>
<style>
  :root { --fg: #1d2330; --muted: #5b6475; --bg: #f4f6f9; --card: #fff; --line: #dde2ea;
          --ok: #1e7b3c; --okbg: #e3f4e8; --warn: #9a5b00; --warnbg: #fff1d6; --off: #5b6475; --offbg: #e9ecf1;
          --bad: #a32020; --badbg: #fde5e5; --accent: #2456c7; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .8rem 1.2rem; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.15rem; margin: 0; font-weight: 600; }
  #live { font-size: .85rem; padding: .1rem .55rem; border-radius: 1rem; background: #444c5e; }
  #live.on { background: #1e7b3c; }
  .totals { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; font-size: .9rem; margin-left: auto; }
  .totals b { font-variant-numeric: tabular-nums; }
  main { padding: 1rem; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 30rem), 1fr)); }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; padding: 1rem 1.1rem; min-width: 0; }
  .card h2 { font-size: 1.05rem; margin: 0 0 .5rem; word-break: break-all; font-family: ui-monospace, monospace; }
  .badges { display: flex; flex-wrap: wrap; gap: .4rem; margin-bottom: .6rem; }
  .badge { font-size: .8rem; font-weight: 600; padding: .15rem .6rem; border-radius: 1rem; }
  .state-attached { color: var(--ok); background: var(--okbg); }
  .state-detached { color: var(--off); background: var(--offbg); }
  .state-absent { color: var(--warn); background: var(--warnbg); }
  .storage { margin: 0 0 .7rem; padding: .45rem .7rem; border-radius: .4rem; font-size: .92rem; }
  .storage.free { color: var(--ok); background: var(--okbg); }
  .storage.busy { color: var(--warn); background: var(--warnbg); word-break: break-word; }
  dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .4rem 1rem; margin: 0 0 .7rem; }
  dt { font-size: .78rem; color: var(--muted); }
  dd { margin: 0; font-variant-numeric: tabular-nums; }
  table { width: 100%; border-collapse: collapse; font-size: .88rem; margin-bottom: .7rem; }
  th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
  td.addr { white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); font-size: .78rem; }
  .none { color: var(--muted); font-size: .88rem; margin: 0 0 .7rem; }
  .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
  button { font: inherit; padding: .4rem 1.1rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  button:disabled { opacity: .4; cursor: default; }
  .result { margin-top: .6rem; font-size: .88rem; padding: .45rem .7rem; border-radius: .4rem; word-break: break-word; }
  .result:empty { display: none; }
  .result.ok { color: var(--ok); background: var(--okbg); }
  .result.bad { color: var(--bad); background: var(--badbg); }
  #auth { display: none; padding: 1rem; max-width: 32rem; }
  #auth.show { display: block; }
  #auth input { font: inherit; padding: .4rem; width: 100%; margin: .4rem 0; }
  #error { display: none; margin: 1rem; padding: .6rem .8rem; border-radius: .4rem; color: var(--bad); background: var(--badbg); }
  #error.show { display: block; }
  footer { padding: 0 1.2rem 1rem; color: var(--muted); font-size: .8rem; }
</style>
</head>
<body>
<header>
  <h1>nfs-node</h1>
  <span id="live">connecting</span>
  <div class="totals" aria-label="totals">
    <span>ops <b id="t-ops">-</b>/s</span>
    <span>read <b id="t-read">-</b>/s</span>
    <span>written <b id="t-write">-</b>/s</span>
    <span>connections <b id="t-conns">-</b></span>
  </div>
</header>
<form id="auth">
  <p>This server's admin page needs its token (the file <code>admin-token</code> in the server's state directory, or the one given with <code>--admin-token</code>).</p>
  <input id="token" type="password" autocomplete="off" placeholder="token" aria-label="token">
  <button type="submit">Use token</button>
</form>
<div id="error" role="alert"></div>
<main id="exports" aria-live="polite"></main>
<footer>Locks are NLM locks of NFS clients: they hold nothing on the storage, and eject releases them. Metrics for Prometheus at <a href="metrics">/metrics</a>.</footer>
<script>
"use strict";
var token = sessionStorage.getItem("nfs-node-token") || "";
var m = /[#&]token=([^&]+)/.exec(location.hash);
if (m) { token = decodeURIComponent(m[1]); sessionStorage.setItem("nfs-node-token", token); history.replaceState(null, "", location.pathname); }
var cards = new Map();
var last = null;

function headers(extra) {
  var h = extra || {};
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function bytes(n) {
  var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 1 : 0)) + " " + u[i];
}
function rate(n) { return n < 10 ? n.toFixed(1) : String(Math.round(n)); }
function ago(t) {
  if (!t) return "never";
  var s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return new Date(t).toLocaleString();
}
function showError(msg) {
  var e = document.getElementById("error");
  e.textContent = msg || "";
  e.className = msg ? "show" : "";
}
function needToken() {
  document.getElementById("auth").className = "show";
  setLive(false, "token needed");
}
function setLive(on, text) {
  var l = document.getElementById("live");
  l.className = on ? "on" : "";
  l.textContent = text;
}

function card(path) {
  var c = cards.get(path);
  if (c) return c;
  var root = el("section", "card");
  root.setAttribute("data-export", path);
  var h = el("h2", "", path);
  var badges = el("div", "badges");
  var state = el("span", "badge state");
  badges.appendChild(state);
  var storage = el("p", "storage");
  var facts = el("dl");
  var clients = el("div", "clients");
  var actions = el("div", "actions");
  var eject = el("button", "eject", "Eject");
  var attach = el("button", "attach secondary", "Attach");
  eject.type = attach.type = "button";
  eject.onclick = function () { act(path, "eject"); };
  attach.onclick = function () { act(path, "attach"); };
  actions.appendChild(eject);
  actions.appendChild(attach);
  var result = el("div", "result");
  result.setAttribute("role", "status");
  [h, badges, storage, facts, clients, actions, result].forEach(function (x) { root.appendChild(x); });
  document.getElementById("exports").appendChild(root);
  c = { root: root, state: state, storage: storage, facts: facts, clients: clients, eject: eject, attach: attach, result: result, busy: false };
  cards.set(path, c);
  return c;
}

function fact(dl, name, value) {
  var d = el("div");
  d.appendChild(el("dt", "", name));
  d.appendChild(el("dd", "", value));
  dl.appendChild(d);
}

function render(snap) {
  var prev = last;
  last = snap;
  var dt = prev ? (snap.time - prev.time) / 1000 : 0;
  var t = snap.totals;
  if (prev && dt > 0) {
    document.getElementById("t-ops").textContent = rate((t.calls - prev.totals.calls) / dt);
    document.getElementById("t-read").textContent = bytes((t.bytesRead - prev.totals.bytesRead) / dt);
    document.getElementById("t-write").textContent = bytes((t.bytesWritten - prev.totals.bytesWritten) / dt);
  }
  document.getElementById("t-conns").textContent = String(t.connections);
  var seen = new Set();
  snap.exports.forEach(function (x) {
    seen.add(x.path);
    var c = card(x.path);
    c.root.setAttribute("data-state", x.state);
    c.state.textContent = x.state;
    c.state.className = "badge state state-" + x.state;
    c.storage.textContent = x.unmountable
      ? (x.state === "absent" ? "Its filesystem is not mounted" : "Storage can be unmounted now: nothing is held")
      : "Storage cannot be unmounted now: " + x.reason;
    c.storage.className = "storage " + (x.unmountable ? "free" : "busy");
    c.facts.replaceChildren();
    var prevX = prev && prev.exports.find(function (p) { return p.path === x.path; });
    var calls = x.activity ? x.activity.calls : 0;
    var prevCalls = prevX && prevX.activity ? prevX.activity.calls : 0;
    fact(c.facts, "open descriptors", String(x.openDescriptors));
    fact(c.facts, "uncommitted", bytes(x.uncommittedBytes));
    fact(c.facts, "calls running", String(x.inFlight));
    fact(c.facts, "locks", String(x.locks.held.length + x.locks.shares) + (x.locks.waiting.length ? " (+" + x.locks.waiting.length + " waiting)" : ""));
    fact(c.facts, "ops/s", prevX && dt > 0 ? rate((calls - prevCalls) / dt) : "-");
    fact(c.facts, "last activity", ago(x.activity && x.activity.lastActive));
    fact(c.facts, "when ejected", x.whileDetached === "hold" ? "clients wait" : "clients get STALE");
    renderClients(c.clients, x);
    c.eject.disabled = c.busy || x.state === "detached";
    c.attach.disabled = c.busy || x.state === "attached";
  });
  cards.forEach(function (c, path) { if (!seen.has(path)) { c.root.remove(); cards.delete(path); } });
}

function renderClients(box, x) {
  box.replaceChildren();
  var byAddress = new Map();
  x.clients.forEach(function (m) { byAddress.set(m.host, { address: m.host, path: m.path, lastSeen: m.lastSeen, locks: 0 }); });
  (x.activity ? x.activity.clients : []).forEach(function (a) {
    var addr = a.address.replace(/^::ffff:/, "");
    var e = byAddress.get(addr) || { address: addr, path: "", lastSeen: 0, locks: 0 };
    e.lastSeen = Math.max(e.lastSeen, a.lastSeen);
    byAddress.set(addr, e);
  });
  x.locks.held.forEach(function (l) {
    l.addresses.forEach(function (addr) {
      var e = byAddress.get(addr) || { address: addr, path: "", lastSeen: 0, locks: 0 };
      e.locks++;
      e.lockHost = l.host;
      byAddress.set(addr, e);
    });
  });
  if (byAddress.size === 0) { box.appendChild(el("p", "none", "No clients")); return; }
  var table = el("table");
  var head = el("tr");
  ["client", "mounted", "last activity", "locks"].forEach(function (h) { head.appendChild(el("th", "", h)); });
  table.appendChild(head);
  byAddress.forEach(function (e) {
    var tr = el("tr", "client");
    tr.appendChild(el("td", "addr", e.address));
    tr.appendChild(el("td", "", e.path || "(not in the mount list)"));
    tr.appendChild(el("td", "", ago(e.lastSeen)));
    tr.appendChild(el("td", "locks", e.locks ? e.locks + " (" + e.lockHost + ")" : "none"));
    table.appendChild(tr);
  });
  box.appendChild(table);
}

function act(path, what) {
  var c = card(path);
  c.busy = true;
  c.eject.disabled = c.attach.disabled = true;
  c.result.className = "result";
  c.result.textContent = (what === "eject" ? "Ejecting " : "Attaching ") + path + "...";
  fetch("api/exports/" + encodeURIComponent(path) + "/" + what, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: "{}",
  }).then(function (r) {
    return r.json().then(function (body) { return { status: r.status, body: body }; });
  }).then(function (r) {
    if (r.status === 401) { needToken(); throw new Error("token needed"); }
    if (r.status !== 200) throw new Error(r.body.error || ("HTTP " + r.status));
    var b = r.body;
    if (what === "attach") {
      c.result.className = "result ok";
      c.result.textContent = "Attached: " + b.path + " is served again";
    } else if (b.ok) {
      c.result.className = "result ok";
      c.result.textContent = "Ejected in " + b.waitedMs + " ms: nothing is held, the storage can be unmounted" +
        (b.locksReleased ? " (" + b.locksReleased + " client locks released)" : "") +
        (b.flushed ? "" : " (warning: not everything written was made durable: " + b.flushError + ")");
    } else {
      c.result.className = "result bad";
      c.result.textContent = "Ejected, but the storage is still held: " + b.holders.join("; ");
    }
  }).catch(function (err) {
    c.result.className = "result bad";
    c.result.textContent = (what === "eject" ? "Eject" : "Attach") + " failed: " + err.message;
  }).finally(function () {
    c.busy = false;
    if (last) render(last);
  });
}

/** Reads the event stream; reconnects after a pause when it ends. */
function stream() {
  var ctl = new AbortController();
  fetch("api/events", { headers: headers({ Accept: "text/event-stream" }), signal: ctl.signal, cache: "no-store" }).then(function (r) {
    if (r.status === 401) { needToken(); return; }
    if (r.status !== 200 || !r.body) throw new Error("events: HTTP " + r.status);
    setLive(true, "live");
    showError("");
    var reader = r.body.getReader();
    var dec = new TextDecoder();
    var buf = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) throw new Error("the server closed the stream");
        buf += dec.decode(chunk.value, { stream: true });
        var i;
        while ((i = buf.indexOf("\\n\\n")) >= 0) {
          var ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          var data = ev.split("\\n").filter(function (l) { return l.indexOf("data:") === 0; })
            .map(function (l) { return l.slice(5).replace(/^ /, ""); }).join("\\n");
          if (data) render(JSON.parse(data));
        }
        return pump();
      });
    }
    return pump();
  }).catch(function (err) {
    setLive(false, "reconnecting");
    showError("Lost contact with the server (" + err.message + "); retrying.");
    setTimeout(stream, 2000);
  });
}

document.getElementById("auth").addEventListener("submit", function (e) {
  e.preventDefault();
  token = document.getElementById("token").value.trim();
  sessionStorage.setItem("nfs-node-token", token);
  document.getElementById("auth").className = "";
  stream();
});
stream();
</script>
</body>
</html>
`;
