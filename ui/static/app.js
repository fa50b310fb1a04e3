// BlockHub console: plain JavaScript over the read-only API (/api/...;
// docs/api.openapi.yaml). No build step: this file is served as written.
"use strict";

const $ = (s, root = document) => root.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};
const short = (id) => id ? id.slice(0, 12) + "…" : "";
const num = (n) => Number(n).toLocaleString("en");
const when = (t) => (t || "").replace("T", " ").replace(/\.\d+Z$/, "Z");

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
// bare drops the user info (credentials) of store URLs.
const bare = (urls) => (urls || "").replace(/\/\/[^@/]*@/g, "//");
// storeKey names the stores in cache keys, which IndexedDB writes to disk:
// never with their credentials.
function storeKey() { const s = stores(); return bare(s.blocks) + "|" + bare(s.assets); }
function showStoreName() {
  const s = stores();
  $("#store-name").textContent = s.blocks ? bare(s.blocks) : "server's own stores";
}

class APIError extends Error {
  constructor(status, body) { super(body.error || ("HTTP " + status)); this.status = status; this.problem = body.problem; }
}
const sleep = (ms, signal) => new Promise((res) => { const t = setTimeout(res, ms); signal && signal.addEventListener("abort", () => { clearTimeout(t); res(); }, { once: true }); });
const retryable = (e) => e.name === "TypeError" || e.name === "TimeoutError" || [502, 503, 504].includes(e.status);

// api calls GET path with the store headers. A call that does not answer
// within the stores' TTL is cut; one that fails on the network or with a
// gateway error is tried again, up to the stores' attempts. A stream (the
// live feed) has no TTL.
async function api(path, opts = {}) {
  const s = stores(), attempts = Math.max(1, Math.min(10, Number(s.attempts) || 3)), ttl = (Number(s.ttl) || 30) * 1000;
  for (let i = 1; ; i++) {
    const sigs = [opts.signal, opts.stream ? null : AbortSignal.timeout(ttl)].filter(Boolean);
    try {
      const r = await fetch(path, { headers: storeHeaders(), signal: AbortSignal.any(sigs), credentials: "same-origin" });
      if (!r.ok) {
        let body = {};
        try { body = await r.json(); } catch {}
        throw new APIError(r.status, body);
      }
      return opts.raw ? r : await r.json();
    } catch (e) {
      if (opts.signal && opts.signal.aborted) throw e;
      if (i >= attempts || !retryable(e)) throw e.name === "TimeoutError" ? new Error(`no answer within ${ttl / 1000} s`) : e;
      await sleep(200 * i, opts.signal);
    }
  }
}

// ---- IndexedDB cache of pages of linked blocks and of checked assets ----
const cache = (() => {
  let dbp = null;
  const open = () => dbp || (dbp = new Promise((res) => {
    try {
      const rq = indexedDB.open("blockhub-console", 1);
      rq.onupgradeneeded = () => { rq.result.createObjectStore("pages"); rq.result.createObjectStore("assets"); };
      rq.onsuccess = () => res(rq.result);
      rq.onerror = () => res(null);
    } catch { res(null); }
  }));
  const op = async (store, mode, f) => {
    const db = await open();
    if (!db) return undefined;
    return new Promise((res) => {
      try {
        const tx = db.transaction(store, mode), rq = f(tx.objectStore(store));
        rq.onsuccess = () => res(rq.result);
        rq.onerror = (ev) => { ev.preventDefault(); res(undefined); };
      } catch { res(undefined); }
    });
  };
  return {
    hits: 0,
    async get(store, key) { const v = await op(store, "readonly", (s) => s.get(storeKey() + "|" + key)); if (v) this.hits++; return v; },
    put: (store, key, v) => op(store, "readwrite", (s) => s.put(v, storeKey() + "|" + key)),
  };
})();

// ---- chains ----
let chainList = [];
async function loadChains() {
  const tb = $("#chains tbody"), sel = $("#q-chain");
  tb.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "hint", text: "Loading…" })));
  try {
    chainList = await api("/api/chains");
  } catch (e) {
    chainList = [];
    tb.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "bad", text: e.message })));
    sel.replaceChildren();
    return;
  }
  const keep = sel.value;
  tb.replaceChildren(...chainList.map((c) => {
    const tr = el("tr", { tabindex: 0, "data-id": c.id, title: "Pick this chain (Enter)" },
      el("td", { class: "name", text: c.name || "(no name)" }), el("td", { class: "id", title: c.id, text: short(c.id) }),
      el("td", { class: "num", text: num(c.height) }), el("td", { class: "t", text: when(c.tail_time) }));
    const pick = () => { sel.value = c.id; markChain(); };
    tr.addEventListener("click", pick);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
    return tr;
  }));
  if (!chainList.length) tb.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "hint", text: "No chains in these stores." })));
  sel.replaceChildren(...chainList.map((c) => el("option", { value: c.id, text: `${c.name || short(c.id)} (${num(c.height + 1)} blocks)` })));
  if (keep && chainList.some((c) => c.id === keep)) sel.value = keep;
  markChain();
}
function markChain() {
  const id = $("#q-chain").value;
  for (const r of $("#chains tbody").children) r.classList.toggle("sel", r.dataset.id === id);
}

// ---- block queries: several at once, one shown ----
const PAGE = 100;
let runs = [], shown = null, runSeq = 0;
const isHeight = (v) => /^\d+$/.test(v);

class Run {
  constructor(chain, from, to, live, verify) {
    this.n = ++runSeq;
    this.chain = chain; this.from = from; this.live = live; this.to = live ? "" : to; this.verify = verify;
    this.state = "not started"; this.blocks = []; this.assets = 0; this.cursor = from; this.done = false; this.loading = false;
    this.ctl = new AbortController(); this.error = "";
    const c = chainList.find((x) => x.id === chain);
    this.name = c ? (c.name || short(c.id)) : short(chain);
    this.height = c ? c.height : 0;
  }
  // total is how many blocks the range holds, when its ends are heights.
  get total() {
    const lo = this.from === "" ? 0 : isHeight(this.from) ? Number(this.from) : null;
    const hi = this.to === "" ? this.height : isHeight(this.to) ? Math.min(Number(this.to), this.height) : null;
    return lo == null || hi == null ? null : Math.max(0, hi - lo + 1);
  }
  label() { return `#${this.n} ${this.name} · ${this.from || "root"} → ${this.live ? "live" : (this.to || "tail")}${this.verify ? "" : " · no verify"}`; }
  active() { return this.state === "running" || this.state === "live" || this.state === "not started"; }
  setState(s) { this.state = s; renderRuns(); if (shown === this) renderCounts(); }
  stop() { this.ctl.abort(); if (this.active()) this.setState("stopped"); }
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
      if (this.ctl.signal.aborted) return;
      this.add(page.blocks);
      this.cursor = page.next;
      if (!page.next) {
        this.done = true;
        if (this.live) this.follow(); else this.setState("finished");
      }
    } catch (e) {
      if (!this.ctl.signal.aborted) { this.error = e.message; this.setState("stopped"); }
    } finally { this.loading = false; }
    if (shown === this) { renderCounts(); requestAnimationFrame(fill); }
  }
  add(blocks) {
    for (const b of blocks) { this.blocks.push(b); this.assets += b.assets.length; this.height = Math.max(this.height, b.height); }
    if (shown === this) appendRows(blocks);
  }
  // follow reads the live feed (Server-Sent Events over fetch, so the
  // store headers go with it) and appends each block as it is linked.
  async follow() {
    this.setState("live");
    const last = this.blocks.length ? this.blocks[this.blocks.length - 1].id : "";
    const q = last ? `?after=${last}` : "";
    try {
      const r = await api(`/api/chains/${encodeURIComponent(this.chain)}/live${q}`, { signal: this.ctl.signal, raw: true, stream: true });
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
          if (type === "block") { this.add([JSON.parse(data)]); if (shown === this) { renderCounts(); followTail(); } }
          if (type === "fault") { this.error = JSON.parse(data).error; this.setState("stopped"); }
        }
      }
      if (this.state === "live") this.setState("stopped");
    } catch (e) {
      if (!this.ctl.signal.aborted) { this.error = e.message; this.setState("stopped"); }
    }
  }
}

// resetRuns stops and forgets every query: they read the stores that
// were set when they started.
function resetRuns() {
  for (const r of runs) r.stop();
  runs = []; shown = null; runSeq = 0;
  renderRuns(); renderCounts();
  $("#results").replaceChildren(el("p", { class: "hint", text: "Run a query to see blocks." }));
  $("#asset-panel").hidden = true; $("#browse").classList.remove("open");
  $("#doc-results tbody").replaceChildren(); $("#doc-status").textContent = "";
  $("#faults").replaceChildren(); $("#verify-status").textContent = "";
}

function renderRuns() {
  $("#runs").replaceChildren(...runs.map((r) => el("li", { class: r === shown ? "cur" : "", "data-run": r.n, "data-state": r.state },
    el("button", { type: "button", class: "plain", title: "Show these results", "aria-pressed": String(r === shown), onclick: () => show(r), text: r === shown ? "Shown" : "Show" }),
    el("span", { class: "label", text: r.label() }),
    el("span", { class: "state " + r.state.replace(" ", "-"), text: r.state }),
    r.active() ? el("button", { type: "button", class: "stop", onclick: () => r.stop(), text: "Stop", "aria-label": `Stop query ${r.n}` }) : null,
    r.error ? el("span", { class: "bad err", text: r.error }) : null)));
}
function renderCounts() {
  const r = shown;
  if (!r) { $("#counts").textContent = ""; return; }
  const t = r.total;
  $("#counts").replaceChildren(
    el("span", { class: "count", "data-count": "blocks", text: `${num(r.blocks.length)} / ${t == null ? "?" : num(t)} blocks` }),
    el("span", { class: "count", "data-count": "assets", text: `${num(r.assets)} / ${r.done ? num(r.assets) : "…"} assets` }),
    el("span", { class: "count muted", text: `chain ${num(r.height + 1)} blocks` }));
}
function show(r) {
  shown = r;
  const box = $("#results");
  box.replaceChildren();
  if (!r.blocks.length) box.append(el("p", { class: "hint empty", text: r.active() ? "Loading…" : "No blocks." }));
  appendRows(r.blocks);
  renderRuns(); renderCounts(); fill();
}
function appendRows(blocks) {
  if (!blocks.length) return;
  const box = $("#results"), frag = document.createDocumentFragment();
  for (const b of blocks) frag.append(blockRow(b));
  const empty = $(".empty", box);
  if (empty) empty.remove();
  box.append(frag);
}
// followTail keeps a live list scrolled to its end when it was there.
function followTail() {
  const box = $("#results"), last = box.lastElementChild;
  if (last && box.scrollHeight - box.scrollTop - box.clientHeight < last.offsetHeight * 3) box.scrollTop = box.scrollHeight;
}
// MARKS is how many asset marks a row shows before a "+N" button that
// shows the rest (a block may hold a thousand receipts).
const MARKS = 24;
function addMarks(marks, b, from, to) {
  for (let i = from; i < to; i++) {
    const a = b.assets[i];
    marks.append(el("button", { type: "button", class: "mark", "data-block": b.id, "data-index": i,
      "aria-label": `asset ${i}: ${a.type}, ${a.length} bytes`, text: String(i) }));
  }
}
function blockRow(b) {
  const marks = el("div", { class: "marks" });
  addMarks(marks, b, 0, Math.min(b.assets.length, MARKS));
  if (b.assets.length > MARKS) {
    const more = el("button", { type: "button", class: "more", title: "Show every asset of this block", text: `+${num(b.assets.length - MARKS)}` });
    more.addEventListener("click", (ev) => { ev.stopPropagation(); more.remove(); addMarks(marks, b, MARKS, b.assets.length); });
    marks.append(more);
  }
  const row = el("div", { class: "row", "data-height": b.height, "data-id": b.id },
    el("span", { class: "h", text: String(b.height) }), el("span", { class: "id", title: b.id, text: b.id }),
    el("span", { class: "t", text: when(b.time) }), marks);
  row._block = b;
  return row;
}
// fill loads pages while the shown results do not fill their box, and as
// the box is scrolled near its end (infinite scroll): a long chain is
// read a page at a time, never whole.
function fill() {
  const r = shown, box = $("#results");
  if (r && !r.done && box.scrollHeight - box.scrollTop - box.clientHeight < 800) r.more();
}

// ---- asset marks: hover, focus or tap shows hash, type, length, meta ----
function markInfo(m) {
  const b = m.closest(".row")._block, a = b.assets[Number(m.dataset.index)];
  return { b, a, i: Number(m.dataset.index) };
}
function showTip(m) {
  const { a, i } = markInfo(m), tip = $("#tip");
  const rows = [["asset", String(i)], ["hash", a.hash], ["type", a.type], ["length", `${num(a.length)} bytes`]];
  if (a.meta && Object.keys(a.meta).length) rows.push(["meta", JSON.stringify(a.meta)]);
  tip.replaceChildren(...rows.map(([k, v]) => el("div", {}, el("b", { text: k + " " }), el("span", { class: k === "hash" || k === "meta" ? "id" : "", text: v }))));
  tip.hidden = false;
  const rc = m.getBoundingClientRect(), w = Math.min(tip.offsetWidth, window.innerWidth - 16);
  tip.style.left = Math.max(8, Math.min(rc.left, window.innerWidth - w - 8)) + "px";
  const below = rc.bottom + 6, h = tip.offsetHeight;
  tip.style.top = (below + h > window.innerHeight && rc.top - h - 6 > 0 ? rc.top - h - 6 : below) + "px";
}
const hideTip = () => { $("#tip").hidden = true; };

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
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.querySelector("parsererror")) return text;
  const out = [], esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const walk = (n, d) => {
    const ind = "  ".repeat(d);
    if (n.nodeType === 3 || n.nodeType === 4) { const t = n.textContent.trim(); if (t) out.push(ind + esc(t)); return; }
    if (n.nodeType === 8) { out.push(`${ind}<!--${n.textContent}-->`); return; }
    if (n.nodeType !== 1) return;
    const attrs = [...n.attributes].map((a) => ` ${a.name}="${esc(a.value)}"`).join("");
    if (!n.childNodes.length) { out.push(`${ind}<${n.nodeName}${attrs}/>`); return; }
    if (n.childNodes.length === 1 && n.firstChild.nodeType === 3) { out.push(`${ind}<${n.nodeName}${attrs}>${esc(n.textContent.trim())}</${n.nodeName}>`); return; }
    out.push(`${ind}<${n.nodeName}${attrs}>`);
    for (const c of n.childNodes) walk(c, d + 1);
    out.push(`${ind}</${n.nodeName}>`);
  };
  walk(doc.documentElement, 0);
  return out.join("\n");
}
// prettyYAML re-indents with two spaces per level and drops trailing
// blanks; YAML has no second way to write it that a page could pick.
function prettyYAML(text) {
  return text.replace(/\t/g, "  ").split(/\r?\n/).map((l) => l.replace(/\s+$/, "")).join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
function assetView(type, bytes, a, i) {
  const text = () => new TextDecoder().decode(bytes);
  if (type === "text/csv" || type === "application/csv" || type === "text/tab-separated-values") {
    let t = text();
    if (type === "text/tab-separated-values") t = t.split("\n").map((l) => l.split("\t").map((c) => `"${c.replace(/"/g, '""')}"`).join(",")).join("\n");
    const [head, ...rest] = parseCSV(t);
    return el("div", { class: "scroll-x" }, el("table", { class: "csv" }, el("thead", {}, el("tr", {}, ...(head || []).map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rest.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c })))))));
  }
  if (type === "application/json" || type.endsWith("+json")) {
    let t = text(); try { t = JSON.stringify(JSON.parse(t), null, 2); } catch {}
    return el("pre", { class: "json", text: t });
  }
  if (type === "application/x-ndjson" || type === "application/jsonl" || type === "application/json-seq") {
    return el("pre", { class: "json", text: text().split("\n").filter((l) => l.trim()).map((l) => { try { return JSON.stringify(JSON.parse(l), null, 2); } catch { return l; } }).join("\n") });
  }
  if (type.endsWith("/xml") || (type.endsWith("+xml") && type !== "image/svg+xml")) return el("pre", { class: "xml", text: prettyXML(text()) });
  if (type === "image/svg+xml") return el("pre", { class: "xml", text: prettyXML(text()) }); // shown as text: it can carry script
  if (type.includes("yaml")) return el("pre", { class: "yaml", text: prettyYAML(text()) });
  if (type.startsWith("image/") && type !== "image/svg+xml") {
    return el("img", { alt: `asset ${i} (${type}, ${a.length} bytes)`, src: URL.createObjectURL(new Blob([bytes], { type })) });
  }
  if (type.startsWith("text/")) return el("pre", { text: text() });
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  return el("p", {}, el("span", { class: "blob", text: `<blob ${num(a.length)} bytes>` }), " ",
    el("a", { href: url, download: a.hash + ".blob", text: "Download" }));
}
let assetSeq = 0;
// MAX_SHOWN is the largest asset the page reads whole to check and show
// (the server's own limit for checking before it sends: ui.MaxVerified).
const MAX_SHOWN = 64 << 20;
async function openAsset(b, i, mark) {
  const a = b.assets[i], panel = $("#asset-panel"), body = $("#asset-body"), seq = ++assetSeq;
  panel.hidden = false;
  $("#browse").classList.add("open");
  const dd = (k, v, cls) => [el("dt", { text: k }), el("dd", { class: cls, text: v })];
  $("#asset-meta").replaceChildren(...dd("block", b.id, "id"), ...dd("height", String(b.height)), ...dd("asset", String(i)),
    ...dd("hash", `${a.crypt || "sha256"} ${a.hash}`, "id"), ...dd("type", a.type), ...dd("length", `${num(a.length)} bytes`),
    ...(a.meta && Object.keys(a.meta).length ? dd("meta", JSON.stringify(a.meta), "id") : []));
  body.replaceChildren(el("p", { class: "hint", text: "Reading and checking…" }));
  panel.scrollIntoView({ block: "nearest" });
  const bad = (msg, detail) => {
    mark && mark.classList.add("tampered");
    body.replaceChildren(el("div", { class: "mismatch", role: "alert" }, el("p", { class: "bad", text: msg }), detail ? el("p", { class: "id", text: detail }) : null));
  };
  if (a.length > MAX_SHOWN) {
    // Too big to hold in the page: the server streams it, checking as it
    // goes, and cuts the download if the bytes do not match.
    const own = !stores().blocks;
    body.replaceChildren(el("p", { class: "hint", text: `Larger than ${num(MAX_SHOWN / (1 << 20))} MiB: not shown here.` }),
      el("p", {}, el("span", { class: "blob", text: `<blob ${num(a.length)} bytes>` }), " ",
        own ? el("a", { href: `/api/blocks/${b.id}/assets/${i}?download=1`, text: "Download (checked by the server as it streams)" })
          : el("span", { class: "hint", text: "bhctl asset can fetch it from these stores." })));
    return;
  }
  let data = await cache.get("assets", a.hash);
  if (!data) {
    try {
      const r = await api(`/api/blocks/${b.id}/assets/${i}`, { raw: true });
      data = { bytes: await r.arrayBuffer() };
    } catch (e) {
      if (seq !== assetSeq) return;
      if (e.problem === "hash mismatch" || e.status === 409) bad("Hash mismatch: the stored bytes of this asset are not the ones its block names. Not shown.", e.message);
      else body.replaceChildren(el("p", { class: "bad", text: e.message }));
      return;
    }
  }
  // Checked here too, whatever the server said: the bytes shown are the
  // ones whose hash the block holds.
  let got;
  try { got = await bhHash.digest(a.crypt, data.bytes); } catch (e) { got = e.message; }
  if (seq !== assetSeq) return;
  if (got !== a.hash || data.bytes.byteLength !== a.length) {
    bad("Hash mismatch: the bytes read are not the ones the block names. Not shown.", `${num(data.bytes.byteLength)} bytes hashing to ${got}; the block names ${a.hash} (${num(a.length)} bytes)`);
    return;
  }
  cache.put("assets", a.hash, data);
  mark && mark.classList.add("checked");
  const type = (a.type || "").split(";")[0].trim().toLowerCase();
  body.replaceChildren(el("p", { class: "ok verified", text: `✓ checked in this browser: ${a.crypt || "sha256"} and length match the block` }), assetView(type, data.bytes, a, i));
}

// ---- document query and verify ----
async function docQuery(form) {
  const chain = $("#q-chain").value, st = $("#doc-status"), tb = $("#doc-results tbody");
  if (!chain) { st.textContent = "Pick a chain first."; return; }
  const q = new URLSearchParams({ expr: form.expr.value, limit: form.limit.value || 100 });
  if (form.invert.checked) q.set("invert", "true");
  if (form.source.value.trim()) q.set("source", form.source.value.trim());
  const qf = $("#query-form");
  if (qf.from.value.trim()) q.set("from", qf.from.value.trim());
  if (qf.to.value.trim() && qf.to.value.trim() !== "live") q.set("to", qf.to.value.trim());
  st.textContent = "Running…"; st.className = "";
  try {
    const res = await api(`/api/chains/${encodeURIComponent(chain)}/query?${q}`);
    tb.replaceChildren(...res.records.map((r) => el("tr", { "data-block": r.block },
      el("td", { class: "num", text: String(r.height) }), el("td", { class: "id", title: r.block, text: short(r.block) }),
      el("td", { class: "num", text: String(r.index) }), el("td", { class: "num", text: String(r.record) }),
      el("td", {}, el("div", { class: "fields" }, ...Object.entries(r.fields || {}).map(([k, v]) => el("span", { class: "field" }, el("b", { text: k }), " ", String(v === null ? "∅" : typeof v === "object" ? JSON.stringify(v) : v))))))));
    if (!res.records.length) tb.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "hint", text: "No record matches." })));
    st.textContent = `${num(res.records.length)} record(s)${res.more ? " (limit reached: there are more)" : ""}`;
  } catch (e) { st.textContent = e.message; st.className = "bad"; tb.replaceChildren(); }
}
async function verify(form) {
  const chain = $("#q-chain").value, st = $("#verify-status"), ul = $("#faults");
  if (!chain) { st.textContent = "Pick a chain first."; return; }
  const q = new URLSearchParams({ assets: form.assets.checked ? "true" : "false" });
  if (form.from.value.trim()) q.set("from", form.from.value.trim());
  if (form.to.value.trim()) q.set("to", form.to.value.trim());
  st.textContent = "Verifying…"; st.className = ""; ul.replaceChildren();
  try {
    const res = await api(`/api/chains/${encodeURIComponent(chain)}/verify?${q}`);
    ul.replaceChildren(...res.faults.map((f) => el("li", {},
      el("span", { class: "problem", text: f.problem }), ` height ${f.height} block `, el("span", { class: "id", title: f.block, text: short(f.block) }),
      f.asset ? el("span", {}, " asset ", el("span", { class: "id", title: f.asset, text: short(f.asset) })) : null,
      el("div", { class: "err", text: f.error }))));
    st.textContent = `${num(res.blocks)} block(s), ${num(res.assets)} asset(s) checked: ${res.faults.length ? res.faults.length + " fault(s)" : "no faults"}`;
    st.className = res.faults.length ? "bad" : "ok";
  } catch (e) { st.textContent = e.message; st.className = "bad"; }
}

// ---- wiring ----
document.addEventListener("DOMContentLoaded", () => {
  const sf = $("#store-form"), s = stores();
  for (const k of ["blocks", "assets", "user", "password", "ttl", "attempts"]) if (s[k]) sf[k].value = s[k];
  showStoreName();
  sf.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = {};
    for (const k of ["blocks", "assets", "user", "password", "ttl", "attempts"]) v[k] = sf[k].value.trim();
    sessionStorage.setItem("bh.stores", JSON.stringify(v));
    $("#stores").open = false; showStoreName(); resetRuns(); loadChains();
  });
  $("#store-reset").addEventListener("click", () => { sessionStorage.removeItem("bh.stores"); sf.reset(); $("#stores").open = false; showStoreName(); resetRuns(); loadChains(); });
  $("#chains-reload").addEventListener("click", loadChains);
  $("#q-chain").addEventListener("change", markChain);
  $("#query-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target, to = f.to.value.trim();
    if (!f.chain.value) return;
    const live = to === "live" || (to === "" && !f.stop.checked);
    const r = new Run(f.chain.value, f.from.value.trim(), to === "live" ? "" : to, live, f.verify.checked);
    runs.push(r); show(r); r.more();
  });
  const box = $("#results");
  box.addEventListener("scroll", fill, { passive: true });
  box.addEventListener("click", (ev) => {
    const m = ev.target.closest(".mark");
    if (!m) return;
    const { b, i } = markInfo(m);
    showTip(m); openAsset(b, i, m);
  });
  box.addEventListener("mouseover", (ev) => { const m = ev.target.closest(".mark"); if (m) showTip(m); });
  box.addEventListener("mouseout", (ev) => { if (ev.target.closest(".mark")) hideTip(); });
  box.addEventListener("focusin", (ev) => { const m = ev.target.closest(".mark"); if (m) showTip(m); });
  box.addEventListener("focusout", hideTip);
  box.addEventListener("scroll", hideTip, { passive: true });
  // Arrow keys move between block rows' first marks (or the rows).
  box.addEventListener("keydown", (ev) => {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const row = ev.target.closest(".row");
    const next = row ? (ev.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling) : box.querySelector(".row");
    if (!next) return;
    ev.preventDefault();
    const target = next.querySelector(".mark") || next;
    if (target === next) next.tabIndex = -1;
    target.focus();
  });
  $("#doc-form").addEventListener("submit", (ev) => { ev.preventDefault(); docQuery(ev.target); });
  $("#verify-form").addEventListener("submit", (ev) => { ev.preventDefault(); verify(ev.target); });
  const closeAsset = () => { $("#asset-panel").hidden = true; $("#browse").classList.remove("open"); };
  $("#asset-close").addEventListener("click", closeAsset);
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { closeAsset(); hideTip(); } });
  window.addEventListener("resize", hideTip);
  window.addEventListener("scroll", hideTip, { passive: true });
  loadChains();
});
