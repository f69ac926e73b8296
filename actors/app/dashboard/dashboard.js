// parley's dashboard: one page, views chosen by the URL's fragment, data
// from the admin API with the session cookie. Text is always set as text
// (never as HTML), so nothing a WhatsApp user wrote can run here.
"use strict";

let csrf = "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "onclick") node.addEventListener("click", value);
    else if (key === "width") node.style.width = value;  // CSSOM: allowed by the CSP
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers);
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf;
  const res = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
  if (res.status === 401) {
    location.assign("/dashboard/login");
    throw new Error("logged out");
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || ("HTTP " + res.status));
  return body;
}

function when(ms) {
  return ms ? new Date(ms).toLocaleString() : "";
}

function show(title, ...content) {
  const view = document.getElementById("view");
  view.replaceChildren(el("h1", {}, title), ...content);
}

function table(headings, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, headings.map((h) => el("th", {}, h)))),
            el("tbody", {}, rows));
}

async function overview() {
  const [health, pending, runs] = await Promise.all([
    fetch("/health").then((r) => r.json()),
    api("/api/approvals?state=pending"),
    api("/api/runs?limit=200"),
  ]);
  const status = (name, s) => el("tr", {}, el("td", {}, name),
                                 el("td", { class: s.status }, s.status), el("td", {}, s.detail || ""));
  const rows = [status("database", health.database), status("LLM", health.llm)];
  for (const [name, channel] of Object.entries(health.channels || {}))
    rows.push(status("channel " + name, channel));
  for (const [tenant, t] of Object.entries(health.tenants || {}))
    for (const [name, c] of Object.entries(t.connectors || {}))
      rows.push(status(tenant + " " + name, { status: c.status, detail: c.error || c.last_success || "" }));
  const hours = new Map();
  let failures = 0;
  for (const run of runs.runs) {
    const hour = new Date(run.created_ms);
    hour.setMinutes(0, 0, 0);
    hours.set(hour.getTime(), (hours.get(hour.getTime()) || 0) + 1);
    if (run.error) failures++;
  }
  const perHour = [...hours.entries()].sort((a, b) => b[0] - a[0])
    .map(([h, n]) => el("tr", {}, el("td", {}, when(h)), el("td", {}, n)));
  show("Overview",
       el("p", {}, "Status: ", el("strong", { class: health.status }, health.status),
          " · pending approvals: ", el("a", { href: "#/approvals" }, pending.approvals.length),
          " · failures in the last ", runs.runs.length, " runs: ", failures),
       table(["part", "status", "detail"], rows),
       el("h2", {}, "Messages per hour"),
       table(["hour", "messages"], perHour));
}

async function conversations() {
  const page = await api("/api/conversations");
  const rows = page.conversations.map((c) => el("tr", {},
    el("td", {}, c.tenant),
    el("td", {}, el("a", { href: "#/conversation/" + encodeURIComponent(c.tenant) + "/" + encodeURIComponent(c.chat) },
                    c.chat)),
    el("td", {}, c.group ? "group" : "direct"),
    el("td", {}, c.messages),
    el("td", {}, when(c.last_activity_ms)),
    el("td", {}, c.paused ? "paused" : "")));
  show("Conversations", table(["tenant", "chat", "kind", "messages", "last activity", ""], rows));
}

async function conversation(tenant, chat) {
  const page = await api("/api/conversations/" + encodeURIComponent(tenant) + "/" + encodeURIComponent(chat));
  const rows = page.messages.slice().reverse().map((m) => el("tr", {},
    el("td", {}, when(m.created_ms)),
    el("td", {}, m.who),
    el("td", {}, m.text),
    el("td", {}, m.path ? el("span", { class: "path" }, m.path) : ""),
    el("td", {}, m.run_id ? el("a", { href: "#/run/" + m.run_id }, "trace " + m.run_id) : "")));
  show(tenant + " / " + chat, table(["when", "who", "text", "path", ""], rows));
}

async function runs() {
  const page = await api("/api/runs");
  const rows = page.runs.map((r) => el("tr", {},
    el("td", {}, el("a", { href: "#/run/" + r.id }, r.id)),
    el("td", {}, r.tenant),
    el("td", {}, el("span", { class: "path" }, r.path)),
    el("td", {}, r.latency_ms.toFixed(1) + " ms"),
    el("td", { class: r.error ? "error" : "" }, r.error || ""),
    el("td", {}, when(r.created_ms))));
  show("Traces", table(["run", "tenant", "path", "latency", "error", "when"], rows));
}

async function run(id) {
  const r = await api("/api/runs/" + encodeURIComponent(id));
  // The timeline: each model round and tool call, then each part's send.
  const parts = [["queue", r.queue_ms || 0, "from the acknowledgement to the start of the handling"],
                 ["storage", r.storage_ms || 0, "reading the conversation's memory (0: it was in memory)"]];
  for (const step of r.steps || []) {
    parts.push(["model round " + step.round, (step.model_latency_us || 0) / 1000,
                step.prompt_tokens || step.completion_tokens
                  ? step.prompt_tokens + " tokens in, " + step.completion_tokens + " out" : ""]);
    for (const call of step.calls || [])
      parts.push(["tool " + call.name, (call.latency_us || 0) / 1000,
                  call.arguments + (call.error ? " — " + call.error : "") + " → " + call.result_chars + " chars"]);
  }
  for (const send of r.send || [])
    parts.push(["send part " + send.part + " (" + send.state + ")", send.latency_ms || 0,
                send.error ? send.error : "attempts: " + send.attempts]);
  const longest = Math.max(r.latency_ms, ...parts.map((p) => p[1]), 1);
  const rows = parts.map(([what, ms, detail]) => el("tr", {},
    el("td", {}, what), el("td", {}, ms.toFixed(1) + " ms"), el("td", {}, detail),
    el("td", {}, el("div", { class: "bar", width: Math.max(0.5, 100 * ms / longest) + "%" }))));
  show("Trace " + r.id,
       el("p", {}, el("span", { class: "path" }, r.path), " · ", r.latency_ms.toFixed(1), " ms in all · tenant ",
          r.tenant, " · sender ", r.sender_hash, r.error ? el("span", { class: "error" }, " · " + r.error) : ""),
       el("table", { class: "timeline" }, el("tbody", {}, rows)));
}

async function approvals() {
  const [page, held] = await Promise.all([api("/api/approvals?state=pending"), api("/api/drafts")]);
  const act = (path) => async () => {
    await api(path, { method: "POST" });
    approvals();
  };
  const rows = page.approvals.map((a) => el("tr", {},
    el("td", {}, a.id), el("td", {}, a.tenant), el("td", {}, a.kind),
    el("td", {}, el("code", {}, JSON.stringify(a.arguments))),
    el("td", {}, a.summary), el("td", {}, when(a.expires_ms)),
    el("td", {}, el("button", { class: "primary", onclick: act("/api/approvals/" + a.id + "/approve") }, "Approve"), " ",
       el("button", { onclick: act("/api/approvals/" + a.id + "/deny") }, "Deny"))));
  // Replies held as drafts (a tenant with the draft policy): sent or discarded here.
  const drafts = held.drafts.map((d) => el("tr", {},
    el("td", {}, d.id), el("td", {}, d.tenant), el("td", {}, d.chat), el("td", {}, d.body),
    el("td", {}, el("button", { class: "primary", onclick: act("/api/drafts/" + d.id + "/send") }, "Send"), " ",
       el("button", { onclick: act("/api/drafts/" + d.id + "/discard") }, "Discard"))));
  show("Approvals",
       rows.length ? table(["#", "tenant", "kind", "arguments", "summary", "expires", ""], rows)
                   : el("p", {}, "Nothing waits for approval."),
       el("h2", {}, "Drafts"),
       drafts.length ? table(["#", "tenant", "chat", "reply", ""], drafts)
                     : el("p", {}, "No reply waits as a draft."));
}

async function decisions() {
  const page = await api("/api/decisions");
  const rows = page.decisions.map((d) => el("tr", {},
    el("td", {}, when(d.created_ms)), el("td", {}, d.tenant), el("td", {}, d.chat),
    el("td", {}, d.sender_name), el("td", {}, d.message),
    el("td", {}, Number(d.score).toFixed(2) + " / " + Number(d.threshold).toFixed(2)),
    el("td", {}, d.method), el("td", {}, d.reason),
    el("td", { class: d.replied ? "ok" : "" }, d.replied ? "replied" : "silent")));
  show("Group decisions", rows.length
    ? table(["when", "tenant", "group", "who", "message", "score / threshold", "method", "reason", ""], rows)
    : el("p", {}, "No group message was judged yet."));
}

async function tenants() {
  const page = await api("/api/tenants");
  const rows = page.tenants.map((t) => el("tr", {},
    el("td", {}, el("a", { href: "#/tenant/" + encodeURIComponent(t.id) }, t.id)),
    el("td", {}, t.config.kind || "personal"), el("td", {}, t.config.channel || "meta"),
    el("td", {}, t.managed_by === "file" ? "the config file (read-only here)" : "the API")));
  show("Tenants", table(["tenant", "kind", "channel", "managed by"], rows));
}

// The settings the dashboard edits, and which tenants have them; the rest
// of a tenant stays as it is.
const editable = [
  ["system_prompt", "System prompt", "textarea", () => true],
  ["bot_name", "Bot name", "text", () => true],
  ["relevance_threshold", "Relevance threshold (0–1)", "number", (c) => c.channel === "evolution"],
  ["policy", "Policy", ["observe", "draft", "act_with_approval", "trusted_auto"], () => true],
  ["business", "Business block (JSON)", "json", (c) => c.kind === "business"],
];

async function tenant(id) {
  const t = await api("/api/tenants/" + encodeURIComponent(id));
  if (t.managed_by === "file") {
    show("Tenant " + id, el("p", {}, "Set in the configuration file; change it there."),
         el("pre", {}, JSON.stringify(t.config, null, 2)));
    return;
  }
  const fields = {};
  const problems = {};
  const mine = editable.filter((e) => e[3](t.config));
  const rows = mine.map(([key, label, kind]) => {
    const value = t.config[key];
    let input;
    if (Array.isArray(kind)) {
      input = el("select", { id: "field-" + key }, kind.map((k) => el("option", { value: k }, k)));
      input.value = value || "observe";
    } else if (kind === "textarea" || kind === "json") {
      input = el("textarea", { id: "field-" + key, rows: kind === "json" ? 8 : 4, cols: 70 });
      input.value = kind === "json" ? (value ? JSON.stringify(value, null, 2) : "") : (value || "");
    } else {
      // Text, not type=number: a value out of range reaches the server,
      // whose problem is shown next to the field.
      input = el("input", { id: "field-" + key, type: "text",
                            inputmode: kind === "number" ? "decimal" : "text" });
      input.value = value === undefined ? "" : String(value);
    }
    fields[key] = [input, kind];
    problems[key] = el("span", { class: "error", id: "problem-" + key });
    return el("tr", {}, el("th", {}, el("label", { for: "field-" + key }, label)),
              el("td", {}, input, " ", problems[key]));
  });
  const status = el("p", { id: "saved" });
  const save = async () => {
    for (const p of Object.values(problems)) p.textContent = "";
    status.textContent = "";
    const patch = {};
    for (const [key, [input, kind]] of Object.entries(fields)) {
      const text = input.value;
      if (kind === "json") {
        if (!text.trim()) continue;
        try { patch[key] = JSON.parse(text); } catch (e) { problems[key].textContent = "not JSON: " + e.message; return; }
      } else if (kind === "number") {
        if (text.trim() !== "") patch[key] = Number(text);
      } else if (text !== "" || t.config[key] !== undefined) {
        patch[key] = text;
      }
    }
    const res = await fetch("/api/tenants/" + encodeURIComponent(id), {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/merge-patch+json", "X-CSRF-Token": csrf },
      body: JSON.stringify(patch),
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) {
      status.textContent = "Saved; in force from the next message.";
      return;
    }
    // Each problem names its key: it is shown next to its field.
    let placed = false;
    for (const problem of body.problems || []) {
      const key = mine.map((e) => e[0]).find((k) => problem === k || problem.startsWith(k + ":")
                                                     || problem.startsWith(k + ".") || problem.startsWith(k + "["));
      if (key) {
        problems[key].textContent = (problems[key].textContent ? problems[key].textContent + "; " : "") + problem;
        placed = true;
      }
    }
    if (!placed) status.textContent = body.detail || ("HTTP " + res.status);
  };
  show("Tenant " + id, el("table", {}, el("tbody", {}, rows)),
       el("p", {}, el("button", { class: "primary", id: "save", onclick: save }, "Save")), status);
}

// The Evolution instances of the group tenants: their state and, until one
// is open, the QR code to scan with WhatsApp (Linked devices), looked at
// again every two seconds while this view is shown.
async function evolution() {
  const page = await api("/api/tenants");
  const names = [...new Set(page.tenants.filter((t) => t.config.channel === "evolution" && t.config.instance)
                                        .map((t) => t.config.instance))];
  if (!names.length) {
    show("Evolution", el("p", {}, "No tenant uses the Evolution API."));
    return;
  }
  const looks = await Promise.all(names.map((n) =>
    api("/api/evolution/" + encodeURIComponent(n)).catch((err) => ({ error: err.message }))));
  const cards = names.map((name, i) => {
    const look = looks[i];
    const card = el("section", { class: "instance", "data-instance": name, "data-state": look.state || "unknown" },
                    el("h2", {}, name),
                    el("p", {}, "State: ", el("strong", { class: look.state === "open" ? "ok" : "failing" },
                                             look.error ? "unreachable" : look.state || "unknown")));
    if (look.error) card.append(el("p", { class: "error" }, look.error));
    if (look.state === "open") card.append(el("p", {}, "Connected: WhatsApp messages reach parley."));
    if (look.qr_svg) {
      // The server drew it (libqrencode); parsed as SVG, never as HTML.
      const svg = new DOMParser().parseFromString(look.qr_svg, "image/svg+xml").documentElement;
      svg.setAttribute("class", "qr");
      svg.setAttribute("aria-label", "QR code for " + name);
      card.append(el("p", {}, "Scan with WhatsApp → Linked devices → Link a device:"), svg);
    }
    if (look.pairing_code) card.append(el("p", {}, "Or link with the code ", el("code", {}, look.pairing_code)));
    return card;
  });
  show("Evolution", ...cards);
  if (looks.some((l) => l.state !== "open"))
    setTimeout(() => { if (location.hash.startsWith("#/evolution")) evolution(); }, 2000);
}

async function route() {
  const [, view, ...rest] = (location.hash || "#/overview").split("/");
  const args = rest.map(decodeURIComponent);
  const views = { overview, conversations, conversation, runs, run, approvals, decisions, tenants,
                  tenant, evolution };
  try {
    await (views[view] || overview)(...args);
  } catch (err) {
    show("Something went wrong", el("p", { class: "error" }, err.message));
  }
}

async function start() {
  csrf = (await api("/dashboard/session")).csrf;
  document.getElementById("logout").addEventListener("click", async () => {
    await fetch("/dashboard/logout", { method: "POST", headers: { "X-CSRF-Token": csrf },
                                       credentials: "same-origin" });
    location.assign("/dashboard/login");
  });
  window.addEventListener("hashchange", route);
  route();
}

start();
