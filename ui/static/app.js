// BlockHub console: plain JavaScript over the read-only API (/api/...).
"use strict";

const $ = (s, el = document) => el.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};
const short = (id) => id ? id.slice(0, 12) + "…" : "";

// ---- store settings: this tab's session storage only ----
function stores() {
  try { return JSON.parse(sessionStorage.getItem("bh.stores") || "{}"); } catch { return {}; }
}
function withCreds(urls, user, pass) {
  if (!user) return urls;
  return urls.split(",").map((u) => {
    u = u.trim();
    const m = u.match(/^([a-z0-9+]+):\/\/([^@/]*@)?(.*)$/i);
    if (!m) return u;
    return `${m[1]}://${encodeURIComponent(user)}:${encodeURIComponent(pass || "")}@${m[3]}`;
  }).join(",");
}
function storeHeaders() {
  const s = stores(), h = {};
  if (s.blocks) h["X-Block-Store"] = withCreds(s.blocks, s.user, s.password);
  if (s.assets || s.blocks) h["X-Asset-Store"] = withCreds(s.assets || s.blocks, s.user, s.password);
  return h;
}
function storeKey() { const s = stores(); return (s.blocks || "") + "|" + (s.assets || ""); }

class APIError extends Error {
  constructor(status, body) { super(body.error || ("HTTP " + status)); this.status = status; this.problem = body.problem; }
}
async function api(path, opts = {}) {
  const r = await fetch(path, { headers: storeHeaders(), signal: opts.signal, credentials: "same-origin" });
  if (!r.ok) {
    let body = {};
    try { body = await r.json(); } catch {}
    throw new APIError(r.status, body);
  }
  return opts.raw ? r : r.json();
}

// ---- IndexedDB cache of pages of linked blocks and verified assets ----
const cache = (() => {
  let dbp = null;
  const open = () => dbp || (dbp = new Promise((res) => {
    if (!window.indexedDB) return res(null);
    const rq = indexedDB.open("blockhub-console", 1);
    rq.onupgradeneeded = () => { rq.result.createObjectStore("pages"); rq.result.createObjectStore("assets"); };
    rq.onsuccess = () => res(rq.result);
    rq.onerror = () => res(null);
  }));
  const op = async (store, mode, f) => {
    const db = await open();
    if (!db) return undefined;
    return new Promise((res) => {
      const tx = db.transaction(store, mode), rq = f(tx.objectStore(store));
      rq.onsuccess = () => res(rq.result);
      rq.onerror = () => res(undefined);
    });
  };
  return {
    get: (store, key) => op(store, "readonly", (s) => s.get(storeKey() + "|" + key)),
    put: (store, key, v) => op(store, "readwrite", (s) => s.put(v, storeKey() + "|" + key)),
  };
})();

// ---- chains ----
let chainList = [];
async function loadChains() {
  const tb = $("#chains tbody"), sel = $("#q-chain");
  try {
    chainList = await api("/api/chains");
  } catch (e) {
    tb.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "bad", text: e.message })));
    return;
  }
  const keep = sel.value;
  tb.replaceChildren(...chainList.map((c) => {
    const tr = el("tr", { tabindex: 0, "data-id": c.id },
      el("td", { text: c.name }), el("td", { class: "id", title: c.id, text: short(c.id) }),
      el("td", { text: String(c.height) }), el("td", { class: "t", text: c.tail_time }));
    const pick = () => { sel.value = c.id; for (const r of tb.children) r.classList.toggle("sel", r === tr); };
    tr.addEventListener("click", pick);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
    return tr;
  }));
  if (!chainList.length) tb.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "hint", text: "No chains in these stores." })));
  sel.replaceChildren(...chainList.map((c) => el("option", { value: c.id, text: `${c.name} (${c.height + 1} blocks)` })));
  if (keep && chainList.some((c) => c.id === keep)) sel.value = keep;
}

// ---- block queries: several at once, one shown ----
const PAGE = 200;
let runs = [], shown = null, runSeq = 0;

class Run {
  constructor(chain, from, to, verify) {
    this.n = ++runSeq;
    this.chain = chain; this.from = from; this.live = to === "live"; this.to = this.live ? "" : to; this.verify = verify;
    this.state = "not started"; this.blocks = []; this.assets = 0; this.cursor = from; this.done = false; this.loading = false;
    this.ctl = new AbortController(); this.error = "";
    const c = chainList.find((x) => x.id === chain);
    this.name = c ? c.name : short(chain);
    this.total = c ? c.height + 1 : 0;
  }
  label() { return `#${this.n} ${this.name} ${this.from || "root"}…${this.live ? "live" : (this.to || "tail")}${this.verify ? "" : " (no verify)"}`; }
  setState(s) { this.state = s; renderRuns(); if (shown === this) renderCounts(); }
  stop() { this.ctl.abort(); if (this.state === "running" || this.state === "live" || this.state === "not started") this.setState("stopped"); }
  async more() {
    if (this.done || this.loading || this.ctl.signal.aborted) return;
    this.loading = true;
    if (this.state === "not started") this.setState("running");
    const q = new URLSearchParams({ limit: PAGE });
    if (this.cursor) q.set("cursor", this.cursor);
    if (this.to) q.set("to", this.to);
    if (!this.verify) q.set("verify", "false");
    const key = `${this.chain}|${q}`;
    try {
      let page = await cache.get("pages", key);
      if (!page) {
        page = await api(`/api/chains/${encodeURIComponent(this.chain)}/blocks?${q}`, { signal: this.ctl.signal });
        if (page.next) cache.put("pages", key, page); // every block in it is linked: it never changes
      }
      this.add(page.blocks);
      this.cursor = page.next;
      if (!page.next) {
        this.done = true;
        if (this.live) this.follow(); else this.setState("finished");
      }
    } catch (e) {
      if (!this.ctl.signal.aborted) { this.error = e.message; this.setState("stopped"); }
    } finally { this.loading = false; }
    if (shown === this) { renderCounts(); fill(); }
  }
  add(blocks) {
    for (const b of blocks) { this.blocks.push(b); this.assets += b.assets.length; }
    if (shown === this) appendRows(blocks);
  }
  async follow() {
    this.setState("live");
    const last = this.blocks.length ? this.blocks[this.blocks.length - 1].id : "";
    const q = last ? `?after=${last}` : "";
    try {
      const r = await api(`/api/chains/${encodeURIComponent(this.chain)}/live${q}`, { signal: this.ctl.signal, raw: true });
      const rd = r.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const evt = buf.slice(0, i); buf = buf.slice(i + 2);
          let type = "message", data = "";
          for (const line of evt.split("\n")) {
            if (line.startsWith("event: ")) type = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (type === "block") { const b = JSON.parse(data); this.total = Math.max(this.total, b.height + 1); this.add([b]); if (shown === this) renderCounts(); }
          if (type === "fault") { this.error = JSON.parse(data).error; this.setState("stopped"); }
        }
      }
      if (this.state === "live") this.setState("stopped");
    } catch (e) {
      if (!this.ctl.signal.aborted) { this.error = e.message; this.setState("stopped"); }
    }
  }
}

function renderRuns() {
  $("#runs").replaceChildren(...runs.map((r) => el("li", { class: r === shown ? "cur" : "" },
    el("button", { type: "button", title: "Show these results", onclick: () => show(r), text: "Show" }),
    el("span", { text: r.label() }),
    el("span", { class: "state " + r.state.replace(" ", "-"), text: r.state }),
    r.error ? el("span", { class: "bad", text: r.error }) : null,
    (r.state === "running" || r.state === "live" || r.state === "not started") ? el("button", { type: "button", class: "stop", onclick: () => r.stop(), text: "Stop" }) : null)));
}
function renderCounts() {
  const r = shown;
  if (!r) { $("#counts").textContent = ""; return; }
  $("#counts").textContent = `blocks ${r.blocks.length} / ${r.total} · assets ${r.assets} · ${r.state}`;
}
function show(r) {
  shown = r;
  const box = $("#results");
  box.replaceChildren();
  appendRows(r.blocks);
  renderRuns(); renderCounts(); fill();
}
function appendRows(blocks) {
  const box = $("#results"), frag = document.createDocumentFragment();
  for (const b of blocks) frag.append(blockRow(b));
  box.append(frag);
}
function blockRow(b) {
  const marks = el("div", { class: "marks" });
  b.assets.forEach((a, i) => {
    let meta = "";
    try { meta = a.meta ? JSON.stringify(a.meta) : ""; } catch {}
    marks.append(el("button", { type: "button", class: "mark", "data-block": b.id, "data-index": i,
      title: `${a.hash}\n${a.type}\n${a.length} bytes${meta ? "\n" + meta : ""}`, "aria-label": `asset ${i}: ${a.type}, ${a.length} bytes`,
      onclick: (ev) => openAsset(b, i, ev.currentTarget), text: String(i) }));
  });
  return el("div", { class: "row", "data-height": b.height, "data-id": b.id },
    el("span", { text: String(b.height) }), el("span", { class: "id", title: b.id, text: b.id }),
    el("span", { class: "t", text: b.time }), marks);
}
// fill loads pages while the shown results do not fill their box, and as
// the box is scrolled near its end (infinite scroll).
function fill() {
  const r = shown, box = $("#results");
  if (r && !r.done && box.scrollHeight - box.scrollTop - box.clientHeight < 600) r.more();
}

// ---- asset view ----
function parseCSV(text) {
  const rows = []; let row = [], f = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { f += '"'; i++; } else q = false; } else f += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(f); f = ""; }
    else if (c === "\n" || c === "\r") { if (c === "\r" && text[i + 1] === "\n") i++; row.push(f); rows.push(row); row = []; f = ""; }
    else f += c;
  }
  if (f !== "" || row.length) { row.push(f); rows.push(row); }
  return rows;
}
function prettyXML(text) {
  try {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    if (doc.querySelector("parsererror")) return text;
    const out = [];
    const walk = (n, d) => {
      if (n.nodeType === 3) { const t = n.textContent.trim(); if (t) out.push("  ".repeat(d) + t); return; }
      if (n.nodeType !== 1) return;
      const attrs = [...n.attributes].map((a) => ` ${a.name}="${a.value}"`).join("");
      if (n.childNodes.length === 1 && n.firstChild.nodeType === 3) { out.push(`${"  ".repeat(d)}<${n.nodeName}${attrs}>${n.textContent.trim()}</${n.nodeName}>`); return; }
      out.push(`${"  ".repeat(d)}<${n.nodeName}${attrs}>`);
      for (const c of n.childNodes) walk(c, d + 1);
      out.push(`${"  ".repeat(d)}</${n.nodeName}>`);
    };
    walk(doc.documentElement, 0);
    return out.join("\n");
  } catch { return text; }
}
async function openAsset(b, i, mark) {
  const a = b.assets[i], panel = $("#asset-panel"), body = $("#asset-body");
  panel.hidden = false;
  $("#asset-meta").replaceChildren(el("div", { class: "id", text: `block ${b.id} · height ${b.height} · asset ${i}` }),
    el("div", { class: "id", text: `${a.hash} · ${a.type} · ${a.length} bytes` }), a.meta ? el("div", { class: "id", text: JSON.stringify(a.meta) }) : null);
  body.replaceChildren(el("p", { class: "hint", text: "Reading and checking…" }));
  let data = await cache.get("assets", a.hash);
  if (!data) {
    try {
      const r = await api(`/api/blocks/${b.id}/assets/${i}`, { raw: true });
      data = { bytes: await r.arrayBuffer() };
      if (data.bytes.byteLength === a.length) cache.put("assets", a.hash, data);
    } catch (e) {
      if (e.problem === "hash mismatch" || e.status === 409) {
        mark && mark.classList.add("tampered");
        body.replaceChildren(el("p", { class: "bad mismatch", text: `Hash mismatch: the stored bytes of this asset do not match ${a.hash}. ${e.message}` }));
      } else body.replaceChildren(el("p", { class: "bad", text: e.message }));
      panel.scrollIntoView({ block: "nearest" });
      return;
    }
  }
  const ok = el("p", { class: "ok", text: "✓ checked against its hash (sha256) and length" });
  const type = (a.type || "").split(";")[0].trim().toLowerCase();
  const text = () => new TextDecoder().decode(data.bytes);
  let view;
  if (type === "text/csv" || type === "application/csv") {
    const rows = parseCSV(text());
    const [head, ...rest] = rows;
    view = el("table", { class: "csv" }, el("thead", {}, el("tr", {}, ...(head || []).map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rest.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c }))))));
  } else if (type === "application/json") {
    let t = text(); try { t = JSON.stringify(JSON.parse(t), null, 2); } catch {}
    view = el("pre", { text: t });
  } else if (type === "application/x-ndjson" || type === "application/jsonl") {
    view = el("pre", { text: text().split("\n").filter((l) => l.trim()).map((l) => { try { return JSON.stringify(JSON.parse(l), null, 2); } catch { return l; } }).join("\n") });
  } else if (type.endsWith("xml")) {
    view = el("pre", { text: prettyXML(text()) });
  } else if (type.startsWith("image/") && type !== "image/svg+xml") {
    view = el("img", { alt: `asset ${i} (${type})`, src: URL.createObjectURL(new Blob([data.bytes], { type })) });
  } else if (type.startsWith("text/") || type.includes("yaml") || type.endsWith("+json")) {
    view = el("pre", { text: text() });
  } else {
    const url = URL.createObjectURL(new Blob([data.bytes], { type: "application/octet-stream" }));
    view = el("p", {}, el("span", { class: "blob", text: `<blob ${a.length} bytes>` }), " ", el("a", { href: url, download: a.hash + ".blob", text: "Download" }));
  }
  body.replaceChildren(ok, view);
  panel.scrollIntoView({ block: "nearest" });
}

// ---- document query and verify ----
async function docQuery(form) {
  const chain = $("#q-chain").value, st = $("#doc-status"), tb = $("#doc-results tbody");
  if (!chain) { st.textContent = "Pick a chain first."; return; }
  const q = new URLSearchParams({ expr: form.expr.value, limit: form.limit.value || 100 });
  if (form.invert.checked) q.set("invert", "true");
  const qf = $("#query-form");
  if (qf.from.value) q.set("from", qf.from.value);
  if (qf.to.value && qf.to.value !== "live") q.set("to", qf.to.value);
  st.textContent = "Running…"; st.className = "";
  try {
    const res = await api(`/api/chains/${encodeURIComponent(chain)}/query?${q}`);
    tb.replaceChildren(...res.records.map((r) => el("tr", {}, el("td", { text: String(r.height) }), el("td", { class: "id", title: r.block, text: short(r.block) }),
      el("td", { text: String(r.index) }), el("td", { text: String(r.record) }), el("td", { class: "id", text: JSON.stringify(r.fields) }))));
    st.textContent = `${res.records.length} record(s)${res.more ? " (limit reached)" : ""}`;
  } catch (e) { st.textContent = e.message; st.className = "bad"; tb.replaceChildren(); }
}
async function verify(form) {
  const chain = $("#q-chain").value, st = $("#verify-status"), ul = $("#faults");
  if (!chain) { st.textContent = "Pick a chain first."; return; }
  const q = new URLSearchParams({ assets: form.assets.checked ? "true" : "false" });
  if (form.from.value) q.set("from", form.from.value);
  if (form.to.value) q.set("to", form.to.value);
  st.textContent = "Verifying…"; st.className = ""; ul.replaceChildren();
  try {
    const res = await api(`/api/chains/${encodeURIComponent(chain)}/verify?${q}`);
    ul.replaceChildren(...res.faults.map((f) => el("li", { class: "id", text: `${f.problem}: ${f.error}` })));
    st.textContent = `${res.blocks} block(s), ${res.assets} asset(s) checked: ${res.faults.length ? res.faults.length + " fault(s)" : "no faults"}`;
    st.className = res.faults.length ? "bad" : "ok";
  } catch (e) { st.textContent = e.message; st.className = "bad"; }
}

// ---- wiring ----
document.addEventListener("DOMContentLoaded", () => {
  const sf = $("#store-form"), s = stores();
  for (const k of ["blocks", "assets", "user", "password"]) if (s[k]) sf[k].value = s[k];
  sf.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("bh.stores", JSON.stringify({ blocks: sf.blocks.value.trim(), assets: sf.assets.value.trim(), user: sf.user.value, password: sf.password.value }));
    $("#stores").open = false; loadChains();
  });
  $("#store-reset").addEventListener("click", () => { sessionStorage.removeItem("bh.stores"); sf.reset(); $("#stores").open = false; loadChains(); });
  $("#chains-reload").addEventListener("click", loadChains);
  $("#query-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target;
    if (!f.chain.value) return;
    const r = new Run(f.chain.value, f.from.value.trim(), f.to.value.trim(), f.verify.checked);
    runs.push(r); show(r); r.more();
  });
  $("#results").addEventListener("scroll", fill);
  $("#doc-form").addEventListener("submit", (ev) => { ev.preventDefault(); docQuery(ev.target); });
  $("#verify-form").addEventListener("submit", (ev) => { ev.preventDefault(); verify(ev.target); });
  $("#asset-close").addEventListener("click", () => { $("#asset-panel").hidden = true; });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") $("#asset-panel").hidden = true; });
  loadChains();
});
