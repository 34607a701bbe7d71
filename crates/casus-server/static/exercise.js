// The exercise page: every role opens it from its join link.
//
// The browser creates the role's Ed25519 key with WebCrypto (not
// extractable: the private key never leaves the browser), keeps it in
// IndexedDB, and registers the public key once through the join link. Every
// act is signed here over the exact bytes the server prepares
// (/exercise/api/prepare) and written through the normal POST /api/acts.
// The view is refreshed on each ledger event (server-sent events) and every
// few seconds (clock changes).
"use strict";

const TOKEN = decodeURIComponent(location.pathname.split("/").pop() || "");
const REFRESH_MS = 5000;
const NEAR_WALL_SECS = 120;
let view = null;
let fetchedAt = 0;
let known = null;

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined && k !== false) e.append(k.nodeType ? k : String(k));
  return e;
}

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

// IndexedDB: one object store of key pairs, by token.
function db() {
  return new Promise((ok, fail) => {
    const r = indexedDB.open("casus-exercise", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("keys");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

async function idb(mode, f) {
  const d = await db();
  return new Promise((ok, fail) => {
    const t = d.transaction("keys", mode);
    const r = f(t.objectStore("keys"));
    t.oncomplete = () => ok(r.result);
    t.onerror = () => fail(t.error);
  });
}

const loadKey = () => idb("readonly", (s) => s.get(TOKEN));
const storeKey = (pair) => idb("readwrite", (s) => s.put(pair, TOKEN));

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: Object.assign({ "x-exercise-token": TOKEN }, body ? { "content-type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  if (!r.ok) {
    const e = (json && json.error) || { code: String(r.status), message: text };
    const err = new Error(e.message + (e.details && e.details.length ? "\n" + e.details.join("\n") : ""));
    err.code = e.code;
    throw err;
  }
  return json;
}

function alertBox(text, ok, key) {
  const box = document.getElementById("x-alerts");
  const a = h("div", { class: ok ? "alert ok" : "alert", "data-key": key || "" }, text);
  box.prepend(a);
  while (box.children.length > 5) box.lastChild.remove();
  setTimeout(() => a.remove(), 15000);
}

async function join() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const pub = await crypto.subtle.exportKey("raw", pair.publicKey);
  await api("POST", "/exercise/api/join", { public_key: hex(pub) });
  await storeKey(pair);
  alertBox("Your key was created in this browser and registered for " + view.role + ".", true);
}

// Prepare, sign the statement here, and write through the normal
// POST /api/acts; the ledger gives it its place. Prepared again only when
// the server is busy, this key signed elsewhere at the same moment
// (sequence), or another act took the id prepared for this one.
async function submit(body) {
  const pair = await loadKey();
  if (!pair) throw new Error("This browser holds no key for this link.");
  let last;
  for (let attempt = 0; attempt < 8; attempt++) {
    const p = await api("POST", "/exercise/api/prepare", body);
    const sig = await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, unhex(p.to_sign));
    try {
      return await api("POST", "/api/acts", { name: p.name, text: p.text, statements: [p.to_sign + hex(sig)] });
    } catch (e) {
      if (e.code !== "sequence" && e.code !== "busy" && !(e.code === "duplicate_id" && body.act)) throw e;
      last = e;
      await new Promise((ok) => setTimeout(ok, 100 + Math.random() * 300));
    }
  }
  throw last;
}

async function act(body, what) {
  try {
    await submit(body);
    alertBox(what + ": signed and recorded.", true);
  } catch (e) {
    alertBox(what + " refused: " + e.message);
  }
  await refresh();
}

function scenarioNow() {
  if (!view) return 0;
  const c = view.clock;
  const elapsed = Math.max(0, Date.now() / 1000 - fetchedAt);
  return c.paused ? c.scenario : c.scenario + elapsed * c.rate;
}

function countdown(wallSecs) {
  if (wallSecs === null || wallSecs === undefined) return "";
  const left = Math.max(0, Math.round(wallSecs - (Date.now() / 1000 - fetchedAt)));
  const m = Math.floor(left / 60), s = left % 60;
  return " (" + m + " min " + String(s).padStart(2, "0") + " s left at this rate)";
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

// A scenario time in words, to the minute: "6 March 2031, 09:00 UTC".
function timeWords(secs) {
  const d = new Date(secs * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + " UTC";
}

/// A time the server sends as ISO 8601 ("2031-03-03T12:00:00Z", or a bare
/// date), in the words the scenario clock uses.
function isoWords(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : timeWords(t / 1000);
}

/// A party's name, from its code (the view lists the alliance's parties).
function nameOf(code) {
  const p = view && view.parties.find((x) => x.code === code);
  return p ? p.name : code;
}

function tick() {
  if (!view) return;
  document.getElementById("x-clock").textContent = "Scenario time " + timeWords(scenarioNow());
  document.getElementById("x-rate").textContent = view.clock.paused ? "paused" : "×" + view.clock.rate;
  document.getElementById("x-turn").textContent = "turn " + view.turn;
  for (const el of document.querySelectorAll("[data-wall]")) {
    el.textContent = el.dataset.wall === "" ? "" : countdown(Number(el.dataset.wall));
  }
}

function field(label, name, attrs) {
  return h("label", {}, label + " ", h(attrs && attrs.textarea ? "textarea" : "input", Object.assign({ name }, attrs || {})));
}

function formValues(form) {
  const out = {};
  for (const el of form.elements) if (el.name) out[el.name] = el.value.trim();
  return out;
}

/// A document; `mine` is the delegation's party code where the page is its own.
function docItem(d, mine) {
  const reasonForm = h("form", { class: "refuse", hidden: true },
    field("Reason", "reason", { textarea: true, required: true }),
    field("Condition", "condition", { textarea: true }),
    h("button", { type: "submit", class: "danger" }, "Refuse and sign the refusal"));
  reasonForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = formValues(reasonForm);
    act({ act: { kind: "refuse", fields: [["document", d.id], ["reason", v.reason], ["condition", v.condition]] } }, "Refusal of " + d.title);
  });
  const pending = mine && d.status === "pending" && d.position === "pending";
  return h("div", { class: "item" + (pending ? " due" : ""), "data-document": d.id },
    h("h3", { title: d.id }, d.title + " ", h("small", { class: "muted" }, "(" + d.procedure.replace(/_/g, " ") + ")")),
    h("div", {}, "Verdict: ", h("span", { class: "v-" + d.status }, d.status), d.blocked_by.length ? " by " + d.blocked_by.map(nameOf).join(", ") : "",
      d.closes ? ". Closes " + isoWords(d.closes) : "", h("span", { "data-wall": d.closes_in_wall_secs ?? "" })),
    mine ? h("div", {}, "Your position: ", h("span", { class: "v-" + d.position }, positionText(d, mine))) : null,
    pending ? h("div", {},
      h("button", { onclick: () => act({ act: { kind: "sign", fields: [["document", d.id]] } }, "Signature of " + d.title) }, "Sign"),
      h("button", { class: "danger", onclick: () => { reasonForm.hidden = !reasonForm.hidden; } }, "Refuse…"),
      h("button", { class: "secondary", onclick: () => act({ act: { kind: "opt-out", fields: [["document", d.id]] } }, "Opt-out of " + d.title) }, "Opt out"),
      reasonForm) : null,
    h("details", {}, h("summary", {}, "Signature sheet"),
      h("ul", {}, d.sheet.map((s) => h("li", {}, nameOf(s.party) + ": " + s.position_text + (s.reason ? "; reason: " + s.reason : "") + (s.condition ? "; condition: " + s.condition : ""))))));
}

/// A delegation's own position in words, as its row of the sheet says it.
function positionText(d, me) {
  const row = d.sheet.find((s) => s.party === me);
  return row ? row.position_text : (d.position || "").replace(/_/g, " ");
}

function dutyItem(d, me) {
  const owe = d.debtor === me && d.readings.some((r) => r.status === "pending");
  return h("div", { class: "item" + (owe ? " due" : ""), "data-duty": d.case + "/" + d.duty + "/" + d.debtor },
    h("h3", {}, d.duty_title + ": " + d.debtor_name + " owes " + d.creditor_name),
    h("div", { class: "muted" }, d.case_title),
    h("ul", {}, d.readings.map((r) => h("li", {}, r.reading_text + ": ",
      h("span", { class: "v-" + r.status }, r.status.replace(/_/g, " ")), r.deadline ? ", deadline " + isoWords(r.deadline) : "",
      h("span", { "data-wall": r.deadline_in_wall_secs ?? "" })))),
    owe ? h("button", { onclick: () => act({ act: { kind: "assistance", fields: [["to", d.creditor], ["means", "military"], ["case", d.case]] } }, "Assistance to " + d.creditor_name) }, "Give assistance to " + d.creditor_name) : null);
}

function actsTable(acts) {
  if (!acts.length) return h("p", { class: "muted" }, "No act yet.");
  return h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Turn"), h("th", {}, "Scenario time"), h("th", {}, "Act"), h("th", {}, "What"))),
    h("tbody", {}, acts.map((a) => h("tr", {}, h("td", { "data-label": "Turn" }, a.turn ?? "–"), h("td", { "data-label": "Scenario time" }, isoWords(a.time)),
      h("td", { "data-label": "Act" }, a.act), h("td", { "data-label": "What" }, a.words)))));
}

function newActForm(kinds, withActor) {
  const f = h("form", { id: "x-newact" },
    withActor ? field("Actor (party, state or organ code)", "actor", { required: true }) : null,
    h("label", {}, "Kind ", h("select", { name: "kind" }, kinds.map((k) => h("option", { value: k }, k)))),
    field("Subject (e.g. assistance, consultation, silence)", "subject"),
    field("under", "under"), field("to", "to"), field("about", "about"), field("against", "against"), field("document", "document"),
    field("title", "title"), field("end (scenario time)", "end"), field("text", "text", { textarea: true }),
    h("button", { type: "submit" }, "Sign and record"));
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = formValues(f);
    const fields = ["under", "to", "about", "against", "document", "title", "end", "text"].filter((k) => v[k]).map((k) => [k, v[k]]);
    act({ act: { kind: v.kind, subject: v.subject || null, actor: v.actor || null, fields } }, "The " + v.kind);
  });
  return f;
}

function card(title, ...kids) {
  return h("section", { class: "card" }, h("h2", {}, title), ...kids);
}

function render() {
  const v = view;
  document.getElementById("x-title").textContent = v.exercise;
  document.getElementById("x-fiction").hidden = !v.fiction;
  // The role's kind, unless its title already says it ("Exercise control (white cell)").
  const says = v.title.toLowerCase().includes(v.kind.toLowerCase());
  document.getElementById("x-role").textContent = says ? v.title : v.title + " (" + v.kind + ")";
  document.title = v.title + ": " + v.exercise;
  const main = document.getElementById("x-main");
  const parts = [];
  if (!v.joined) {
    parts.push(card("Join", h("p", {}, "This link registers one key for " + v.title + ". Your browser creates it and keeps the private half; the server only learns the public key."),
      h("button", { id: "x-join", onclick: async () => { try { await join(); } catch (e) { alertBox("Joining failed: " + e.message); } await refresh(); } }, "Create my key and join")));
    // Nothing to act on before the key exists.
    main.replaceChildren(...parts);
    tick();
    return;
  }
  const me = v.role;
  if (v.kind === "delegation") {
    const asked = v.documents.filter((d) => d.status === "pending" && d.position === "pending");
    const owed = v.duties.filter((d) => d.debtor === me && d.readings.some((r) => r.status === "pending"));
    parts.push(card("Asked of " + v.title + " now",
      asked.length || owed.length ? [asked.map((d) => docItem(d, me)), owed.map((d) => dutyItem(d, me))] : h("p", { class: "muted" }, "Nothing awaits your decision.")));
    parts.push(h("div", { class: "grid" },
      card("Documents before the Council", v.documents.length ? v.documents.map((d) => docItem(d, me)) : h("p", { class: "muted" }, "None yet.")),
      card("Duties owed to or by " + v.title, v.duties.length ? v.duties.map((d) => dutyItem(d, me)) : h("p", { class: "muted" }, "None."))));
    parts.push(card("Take another act", newActForm(v.kinds, false)));
    parts.push(card("Your acts", actsTable(v.acts)));
  } else {
    if (v.kind === "control") {
      const clockForm = h("div", { id: "x-clockctl" },
        h("button", { onclick: () => clockAct({ action: v.clock.paused ? "resume" : "pause" }) }, v.clock.paused ? "Resume the clock" : "Pause the clock"),
        h("label", {}, "Rate (scenario seconds per second) ", h("input", { id: "x-rate-in", type: "number", min: 1, value: v.clock.rate }),
          h("button", { class: "secondary", onclick: () => clockAct({ action: "rate", rate: Number(document.getElementById("x-rate-in").value) }) }, "Set")),
        h("label", {}, "Advance to ", h("input", { id: "x-adv-in", placeholder: v.clock.scenario_text }),
          h("button", { class: "secondary", onclick: () => clockAct({ action: "advance", to: document.getElementById("x-adv-in").value }) }, "Advance")));
      parts.push(card("Clock", clockForm));
      parts.push(card("MSEL",
        h("table", { id: "x-msel" }, h("thead", {}, h("tr", {}, h("th", {}, "Inject"), h("th", {}, "Turn"), h("th", {}, "Scenario time"), h("th", {}, "What"), h("th", {}, ""))),
          h("tbody", {}, v.injects.map((i) => h("tr", { class: i.due ? "due" : "", "data-inject": i.id },
            h("td", { "data-label": "Inject" }, i.id), h("td", { "data-label": "Turn" }, i.turn), h("td", { "data-label": "Scenario time" }, i.time + (i.after ? " after " + i.after : "")),
            h("td", { "data-label": "What" }, i.title), h("td", {}, i.released ? "released" : h("button", { class: i.due ? "" : "secondary", onclick: () => act({ inject: i.id }, "Inject " + i.id) }, "Release"))))))));
      parts.push(card("Delegations",
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Delegation"), h("th", {}, "Joined"), h("th", {}, "Awaiting its position"), h("th", {}, "Duties it owes"))),
          h("tbody", {}, v.delegations.map((d) => h("tr", {}, h("td", { "data-label": "Delegation" }, d.title + " (" + d.name + ")"), h("td", { "data-label": "Joined" }, d.joined ? "yes" : "no"),
            h("td", { "data-label": "Awaiting" }, d.pending.join(", ") || "–"), h("td", { "data-label": "Owes" }, d.owes.join("; ") || "–")))))));
      const wi = h("form", { id: "x-whatif" },
        field("Acts in the record syntax, dated in scenario time", "acts", { textarea: true, required: true, placeholder: "2031-03-02T11:00:00Z FRL assistance\n  to BRV" }),
        h("button", { type: "submit", class: "secondary" }, "What if? (writes nothing)"), h("ul", { id: "x-whatif-out" }));
      wi.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const out = document.getElementById("x-whatif-out");
        try {
          const w = await api("POST", "/exercise/api/whatif", { acts: formValues(wi).acts });
          const read = "Read at " + isoWords(w.at) + ": ";
          out.replaceChildren(...(w.changes.length ? w.changes.map((c) => h("li", {}, c.what + ": " + c.now + " → " + c.with_acts)).concat([h("li", { class: "muted" }, read + "the verdicts above would change.")]) : [h("li", {}, read + "no verdict would change.")]));
        } catch (e) { out.replaceChildren(h("li", {}, "Refused: " + e.message)); }
      });
      parts.push(card("What-if branch", wi));
      parts.push(card("Ad-hoc act (recorded by control)", newActForm(["statement", "session", "propose", "determination", "decision", "attack", "request", "mission", "offer"], true)));
    }
    if (v.kind === "evaluator") {
      const f = h("form", { id: "x-observe" },
        h("label", {}, "About ", h("select", { name: "anchor" }, v.acts.map((a) => h("option", { value: "act:" + a.act }, isoWords(a.time) + ": " + a.words)))),
        field("Observation", "text", { textarea: true, required: true }), h("button", { type: "submit" }, "Record the observation"));
      f.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        try { await api("POST", "/exercise/api/observations", formValues(f)); alertBox("Observation recorded.", true); f.reset(); } catch (e) { alertBox("Observation refused: " + e.message); }
      });
      parts.push(card("Observations", f));
    }
    parts.push(h("div", { class: "grid" },
      card("Documents", v.documents.length ? v.documents.map((d) => docItem(d, null)) : h("p", { class: "muted" }, "None yet.")),
      card("Duties", v.duties.length ? v.duties.map((d) => dutyItem(d, null)) : h("p", { class: "muted" }, "None."))));
    parts.push(card("Acts of the exercise", actsTable(v.acts)));
  }
  parts.push(card("The alliance", h("ul", {}, v.parties.map((p) => h("li", {}, p.name + " (" + p.code + "): " + p.status)))),
    h("p", {}, h("a", { href: "/exercise/report/" + encodeURIComponent(TOKEN), id: "x-report" }, "After-action report")));
  main.replaceChildren(...parts);
  tick();
}

async function clockAct(body) {
  try { await api("POST", "/exercise/api/clock", body); } catch (e) { alertBox("Clock: " + e.message); }
  await refresh();
}

function alerts(v) {
  if (v.kind !== "delegation") return;
  const keys = new Set(v.duties.filter((d) => d.debtor === v.role && d.readings.some((r) => r.status === "pending")).map((d) => d.case + "/" + d.duty));
  const docs = new Set(v.documents.filter((d) => d.status === "pending" && d.position === "pending").map((d) => d.id));
  // An alert about a document no longer awaiting this delegation, or a
  // duty no longer pending, goes.
  for (const a of document.querySelectorAll("#x-alerts [data-key^='doc:']")) if (!docs.has(a.dataset.key.slice(4))) a.remove();
  for (const a of document.querySelectorAll("#x-alerts [data-key^='duty:']")) if (!keys.has(a.dataset.key.slice(5))) a.remove();
  if (known) {
    // Alerts speak in titles and names: the ids are only their keys.
    for (const d of v.duties) if (keys.has(d.case + "/" + d.duty) && !known.duties.has(d.case + "/" + d.duty)) alertBox("New duty on " + v.title + ": " + d.duty_title + ", owed to " + d.creditor_name + " (" + d.case_title + ")", false, "duty:" + d.case + "/" + d.duty);
    for (const d of v.documents) if (docs.has(d.id) && !known.docs.has(d.id)) alertBox("A document awaits your position: " + (d.title || d.id), false, "doc:" + d.id);
  }
  for (const d of v.duties) for (const r of d.readings) {
    if (d.debtor === v.role && r.deadline_in_wall_secs !== null && r.deadline_in_wall_secs < NEAR_WALL_SECS && !(known && known.near.has(d.case + r.reading))) {
      alertBox("Deadline near (" + r.reading_text + "): " + d.duty_title + ", owed to " + d.creditor_name + ", by " + isoWords(r.deadline));
    }
  }
  known = { duties: keys, docs, near: new Set(v.duties.flatMap((d) => d.readings.filter((r) => r.deadline_in_wall_secs !== null && r.deadline_in_wall_secs < NEAR_WALL_SECS).map((r) => d.case + r.reading))) };
}

let inflight = false;
async function refresh() {
  if (inflight) return;
  inflight = true;
  try {
    view = await api("GET", "/exercise/api/view");
    fetchedAt = Date.now() / 1000;
    alerts(view);
    const active = document.activeElement;
    const typing = active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA") && active.value;
    if (!typing) render();
  } catch (e) {
    document.getElementById("x-main").replaceChildren(h("p", {}, "This exercise link does not open: " + e.message));
  } finally {
    inflight = false;
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
setInterval(tick, 1000);
if (window.EventSource) {
  const es = new EventSource("/api/events");
  es.addEventListener("entry", refresh);
  es.addEventListener("lagged", refresh);
}
