// Sandbox console. Every figure comes from, and every action goes to, the documented provider routes
// (/api/rent.php?method=..., /api/rent/<method>.php) or the control API (/_mock/...): nothing here
// keeps state of its own beyond which key and order the user is looking at.
"use strict";

const T = JSON.parse(document.getElementById("i18n").textContent);
const CONTROL = document.body.dataset.control === "on";
const DAY = 86400;
const $ = (id) => document.getElementById(id);
const S = { key: "", pva: {}, os: {}, services: [], orders: [], open: null, addFor: null, page: 0,
            restoreId: null, now: Math.floor(Date.now() / 1000), said: 0 };

const fmt = (template, values) => template.replace(/\{(\w)\}/g, (_, k) => values[k]);
const when = (unix) => (unix ? new Date(unix * 1000).toLocaleString() : "–");
const money = (x) => (Math.round(x * 100 + 1e-6) / 100).toFixed(2);  // half up, as the mock's Decimal prices
const digits = (s) => String(s).replace(/\D/g, "");
// OnlineSim writes wall-clock times without a zone, in the mock's `onlinesim_utc_offset` (Moscow by default)
const osimTime = (text) => Date.parse(String(text).replace(" ", "T") + "Z") / 1000 - (S.zone ?? 180) * 60;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function say(text, isError = false) {
  if (text) S.said += 1;
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "ok";
  box.hidden = !text;
}

// -- the three APIs ----------------------------------------------------------------------------------

async function getJson(url, options) {
  const res = await fetch(url, options);
  const text = await res.text();
  let body;
  try { body = text ? JSON.parse(text) : null; } catch { throw new Error(`HTTP ${res.status}: malformed JSON`); }
  if (!res.ok) throw new Error((body && body.error) || `HTTP ${res.status}`);
  return body;
}

async function pva(method, params = {}) {
  const q = new URLSearchParams({ method, ...(S.key ? { apikey: S.key } : {}), ...params });
  const body = await getJson(`/api/rent.php?${q}`);
  if (body.status !== 1) throw new Error(body.msg);
  return body.data;
}

async function osim(method, params = {}) {
  const q = new URLSearchParams({ apikey: S.key, ...params });
  const path = method === "getBalance" ? "/api/getBalance.php" : `/api/rent/${method}.php`;
  const body = await getJson(`${path}?${q}`);
  if (body && typeof body.response === "string") throw new Error(body.response);
  return body;
}

// serve --control-token T: open the page once with ?token=T; it is kept in this browser only.
const TOKEN = new URLSearchParams(location.search).get("token") || localStorage.getItem("console.token") || "";
if (TOKEN) localStorage.setItem("console.token", TOKEN);

// The mock refuses a control call that changes state without a JSON content type, even an empty DELETE.
function ctl(method, path, data) {
  const headers = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
  if (method !== "GET") headers["Content-Type"] = "application/json";
  if (data === undefined) return getJson(`/_mock/${path}`, { method, headers });
  return getJson(`/_mock/${path}`, { method, headers, body: JSON.stringify(data) });
}

// A success clears the message only if nothing was said while it ran: a slow load started earlier must not
// wipe the error of an action that failed after it.
async function act(work) {
  const said = S.said;
  try { await work(); if (S.said === said) say(""); } catch (err) { say(fmt(T.error, { d: err.message }), true); }
  await refresh();
}

// -- order form --------------------------------------------------------------------------------------

function periodDays() {
  if ($("provider").value === "onlinesim") return Number($("days").value);
  return Number($("dcount").value || 0) * ($("dtype").value === "week" ? 7 : 30);
}

function quote() {
  let count = 0, total = 0;
  if ($("provider").value === "smspva") {
    const svc = S.services.find((s) => s.service === $("service").value);
    const days = periodDays();
    if (svc) {
      count = svc.count;
      total = svc.price_day * days;  // getdata quotes price_day for this period, the discount already in it
    }
  } else {
    const tariff = S.os[$("country").value];
    if (tariff) { count = tariff.count[$("days").value] || 0; total = tariff.days[$("days").value] || 0; }
  }
  $("available").textContent = fmt(T.available, { n: count });
  $("total-cost").textContent = fmt(T.total_cost, { t: count > 0 ? money(total) : 0 });
  $("rent").disabled = count === 0;
}

function fill(select, options, keep) {
  const previous = keep ?? select.value;
  select.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
  if (options.some(([v]) => v === previous)) select.value = previous;
}

async function loadCountries() {
  const smspva = $("provider").value === "smspva";
  document.querySelectorAll(".smspva-only").forEach((n) => { n.hidden = !smspva; });
  document.querySelectorAll(".onlinesim-only").forEach((n) => { n.hidden = smspva; });
  if (smspva) {
    const countries = await pva("getcountries");
    fill($("country"), countries.map((c) => [c.code, `${c.name} (${c.code})`]));
  } else {
    S.os = await osim("tariffsRent");
    fill($("country"), Object.values(S.os).map((c) => [String(c.code), `${c.name} (+${c.code})`]));
  }
  await loadServices();
}

async function loadServices() {
  if ($("provider").value === "smspva") {
    const q = { country: $("country").value, dtype: $("dtype").value, dcount: $("dcount").value || 1 };
    S.services = (await pva("getdata", q)).services;
    fill($("service"), S.services.map((s) => [s.service, `${s.name} (${s.service})`]));
  } else {
    const tariff = S.os[$("country").value];
    fill($("days"), Object.keys(tariff ? tariff.days : {}).map((d) => [d, `${d} ${T.days}`]));
  }
  quote();
  if (CONTROL) await loadStock();
}

async function rent(event) {
  event.preventDefault();
  await act(async () => {
    if ($("provider").value === "smspva") {
      await pva("create", { country: $("country").value, service: $("service").value,
                            dtype: $("dtype").value, dcount: $("dcount").value });
    } else {
      await osim("getRentNum", { country: $("country").value, days: $("days").value });
    }
  });
}

// -- orders ------------------------------------------------------------------------------------------

function pvaRow(o) {
  const left = o.until - S.now;
  const reason = o.state === -1 ? T["state_-1"] : left >= 7 * DAY ? T.prolong_reason : T.max_term;
  return {
    key: `smspva-${o.id}`, provider: "smspva", order: o, status: T[`state_${o.state}`],
    phone: `${o.ccode}${o.pnumber}`, service: o.sname, expires: o.until,
    actions: [
      el("button", { type: "button", class: "activate", disabled: o.state !== 0,
                     onclick: () => act(() => pva("activate", { id: o.id })) }, T.activate),
      el("button", { type: "button", class: "prolong", disabled: !o.canprolong, title: o.canprolong ? null : reason,
                     onclick: () => act(() => pva("prolong", { id: o.id, dtype: "week", dcount: 1 })) }, T.prolong),
      o.canprolong ? null : el("small", { class: "reason" }, reason),
      el("button", { type: "button", class: "add-service", onclick: () => openAddService(o) }, T.add_service),
      el("button", { type: "button", class: "delete", onclick: () => act(() => pva("delete", { id: o.id })) }, T.delete),
    ],
  };
}

function osRow(item) {
  const days = Object.keys(item.extend);
  const pick = el("select", { class: "extend-days" }, ...days.map((d) => el("option", { value: d }, `${d} ${T.days}`)));
  return {
    key: `onlinesim-${item.tzid}`, provider: "onlinesim", order: item, status: T[`os_${item.status}`],
    phone: `+${item.country}${item.number}`, service: "OnlineSim", expires: S.now + item.time * 60,
    actions: [
      pick,
      el("button", { type: "button", class: "extend",
                     onclick: () => act(() => osim("extendRentState", { tzid: item.tzid, days: pick.value })) }, T.extend),
      el("button", { type: "button", class: "port-reload", disabled: item.reload > 0,
                     onclick: () => act(() => osim("portReload", { tzid: item.tzid })) }, T.port_reload),
      el("button", { type: "button", class: "close",
                     onclick: () => act(() => osim("closeRentNum", { tzid: item.tzid })) }, T.close),
    ],
  };
}

async function loadOrders() {
  const [smspva, onlinesim] = await Promise.all([pva("orders"), osim("getRentState")]);
  S.orders = [...smspva.map(pvaRow), ...onlinesim.list.map(osRow)];
  const body = $("orders").tBodies[0];
  body.replaceChildren(...S.orders.map((row) => el("tr", { "data-order": row.key },
    el("td", { class: "status" }, row.status), el("td", { class: "phone", dir: "ltr" }, row.phone),
    el("td", { class: "service" }, row.service), el("td", { class: "expires" }, when(row.expires)),
    el("td", { class: "actions" }, el("button", { type: "button", class: "show-sms", onclick: () => openSms(row.key) }, T.sms),
       ...row.actions))));
  if (!S.orders.length) body.append(el("tr", {}, el("td", { colspan: 5 }, T.no_orders)));
  if (S.open && !S.orders.some((r) => r.key === S.open)) S.open = null;
  await loadSms();
}

// -- SMS pane and additional services ---------------------------------------------------------------

function smsItem(m) {
  const text = m.text;
  const code = m.code || (text.match(/\d[\d -]{2,8}\d/) || [null])[0];
  const at = text.indexOf(code);
  const body = code && at >= 0
    ? [text.slice(0, at), el("mark", { class: "code" }, code), text.slice(at + code.length)] : [text];
  return el("li", {}, el("small", {}, `${when(m.date || osimTime(m.created_at))} · ${m.sender || m.service || ""} `), ...body);
}

function openSms(key) { S.open = key; loadSms(); }

async function loadSms() {
  const row = S.orders.find((r) => r.key === S.open);
  $("sms-pane").hidden = !row;
  if (!row) return;
  $("sms-number").textContent = row.phone;
  let mine = [], other = [];
  if (row.provider === "smspva") ({ SmsList: mine, OtherSms: other } = await pva("sms", { id: row.order.id }));
  else mine = row.order.messages.map((m) => ({ ...m, date: null }));
  const list = (items) => (items.length ? items.map(smsItem) : [el("li", { class: "empty" }, T.no_sms)]);
  $("sms-list").replaceChildren(...list(mine));
  $("sms-other").replaceChildren(...list(other));
}

async function sendSms(event) {
  event.preventDefault();
  const row = S.orders.find((r) => r.key === S.open);
  await act(async () => {
    const result = await ctl("POST", "sms", { number: digits(row.phone), text: $("sms-text").value,
                                              sender: $("sms-sender").value || undefined });
    if (!result.delivered) throw new Error(fmt(T.not_delivered, { d: result.reason }));
  });
}

async function openAddService(order) {
  S.addFor = order;
  const services = (await pva("getdata", { country: order.cname, dtype: "week", dcount: 1 })).services;
  S.addServices = services.filter((s) => s.service !== order.scode && s.count > 0);
  fill($("add-service"), S.addServices.map((s) => [s.service, `${s.name} (${s.service})`]));
  $("add-service-pane").hidden = false;
  addTotal();
}

function addTotal() {
  const svc = (S.addServices || []).find((s) => s.service === $("add-service").value);
  $("add-total").textContent = svc ? money(svc.price_day * Number($("add-days").value)) : "0";
}

async function addService(event) {
  event.preventDefault();
  const o = S.addFor;
  $("add-service-pane").hidden = true;
  await act(() => pva("add_service_to_order", { id: o.id, service: $("add-service").value,
                                                pnumber: digits(o.ccode) + o.pnumber, rent_days: $("add-days").value }));
}

// -- archive -----------------------------------------------------------------------------------------

async function loadArchive() {
  const rows = await pva("get_rent_history", { skip: S.page * 10, take: 11 });
  const names = Object.fromEntries(S.services.map((s) => [s.service, s.name]));
  const body = $("archive").tBodies[0];
  body.replaceChildren(...rows.slice(0, 10).map((r) => el("tr", { "data-order": r.orderId },
    el("td", {}, when(r.begin)), el("td", {}, when(r.closed)), el("td", {}, names[r.resourceCode] || r.resourceCode),
    el("td", { dir: "ltr" }, `+${r.number}`),
    el("td", {}, el("button", { type: "button", class: "restore", disabled: r.isAvailForRestore === false,
                                onclick: () => restoreQuote(r.orderId) }, T.restore)))));
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "empty" }, T.no_records)));
  $("page-no").textContent = fmt(T.page, { n: S.page + 1 });
  $("prev-page").disabled = S.page === 0;
  $("next-page").disabled = rows.length <= 10;
}

async function restoreQuote(id) {
  try {
    const q = await pva("restore_user_precalc", { id });
    S.restoreId = id;
    $("restore-quote").textContent = fmt(T.restore_quote, { t: money(q.price), d: q.outdays });
    $("restore-pane").hidden = false;
    say("");
  } catch (err) { say(fmt(T.error, { d: err.message }), true); }
}

async function restore() {
  $("restore-pane").hidden = true;
  await act(() => pva("restore_user", { id: S.restoreId }));
}

// -- account and sandbox -----------------------------------------------------------------------------

async function loadAccount() {
  if (!CONTROL) {
    $("balance").textContent = money((await osim("getBalance")).balance);
    return;
  }
  const account = await ctl("GET", `accounts/${encodeURIComponent(S.key)}`);
  $("balance").textContent = money(account.balance);
  $("ledger").tBodies[0].replaceChildren(...account.ledger.slice(0, 10).map((r) => el("tr", {},
    el("td", {}, when(r.at)), el("td", { class: "amount", dir: "ltr" }, money(r.amount)), el("td", {}, r.memo))));
}

async function useKey(event) {
  if (event) event.preventDefault();
  S.key = $("apikey").value.trim();
  localStorage.setItem("console.key", S.key);
  const known = new Set(JSON.parse(localStorage.getItem("console.keys") || "[]")).add(S.key);
  localStorage.setItem("console.keys", JSON.stringify([...known]));
  $("known-keys").replaceChildren(...[...known].map((k) => el("option", { value: k })));
  if (CONTROL) {
    try { await ctl("GET", `accounts/${encodeURIComponent(S.key)}`); } catch { await ctl("PUT", `accounts/${encodeURIComponent(S.key)}`, {}); }
  }
  await refresh();
}

async function loadClock() {
  const c = await ctl("GET", "clock");
  if (S.zone === undefined) S.zone = (await ctl("GET", "settings")).settings.onlinesim_utc_offset;
  S.now = c.now;
  $("clock-now").textContent = when(c.now);
  $("clock-mode").textContent = c.mode;
}

async function loadStock() {
  const provider = $("provider").value, country = $("country").value;
  const rows = (await ctl("GET", `stock?${new URLSearchParams({ provider, country })}`)).stock;
  $("stock-country").textContent = `${provider} ${country}`;
  $("stock").tBodies[0].replaceChildren(...rows.map((r) => el("tr", {},
    el("td", {}, r.service || `${r.period} ${T.days}`), el("td", {}, r.operator || ""), el("td", {}, String(r.count)))));
}

async function loadFaults() {
  const rules = (await ctl("GET", "faults")).faults;
  $("faults").replaceChildren(...rules.map((r) => el("li", { "data-fault": r.id },
    `#${r.id} ${r.provider} ${r.method} → ${r.error ?? r.http_status ?? (r.drop ? "drop" : r.body ? "body" : `${r.delay_ms} ms`)}` +
    (r.times ? ` ×${r.times}` : "") + " ",
    el("button", { type: "button", class: "remove-fault", onclick: () => act(() => ctl("DELETE", `faults/${r.id}`)) }, T.remove))));
  if (!rules.length) $("faults").append(el("li", { class: "empty" }, T.no_faults));
}

async function addFault(event) {
  event.preventDefault();
  const rule = { provider: $("fault-provider").value, method: $("fault-method").value, error: $("fault-error").value };
  if ($("fault-times").value) rule.times = Number($("fault-times").value);
  await act(() => ctl("POST", "faults", rule));
}

async function loadJournal() {
  const rows = (await ctl("GET", "requests?limit=30")).requests;
  $("journal").tBodies[0].replaceChildren(...rows.map((r) => el("tr", { class: r.outcome === "ok" ? "" : "failed" },
    el("td", {}, when(r.at)), el("td", {}, r.provider), el("td", {}, r.method), el("td", {}, r.outcome))));
}

// One refresh at a time: a call while one runs asks for one more pass after it, so answers that left
// the server before a change can never overwrite the page after answers that left after it.
async function refresh() {
  if (!S.key) return;
  if (S.refreshing) { S.again = true; return S.refreshing; }
  S.refreshing = (async () => {
    do { S.again = false; await refreshOnce(); } while (S.again);
  })();
  try { await S.refreshing; } finally { S.refreshing = null; }
}

async function refreshOnce() {
  try {
    if (CONTROL) await loadClock();
    const archive = !$("archive-section").hidden;
    await Promise.all([loadAccount(), archive ? loadArchive() : loadOrders(), $("country").value ? loadServices() : null,
                       ...(CONTROL ? [loadFaults(), loadJournal()] : [])]);
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (err) { say(fmt(T.error, { d: err.message }), true); }
}

function showTab(archive) {
  $("archive-section").hidden = !archive;
  $("orders-section").hidden = archive;
  $("tab-archive").classList.toggle("active", archive);
  $("tab-orders").classList.toggle("active", !archive);
  refresh();
}

async function start() {
  $("lang").addEventListener("change", () => { const u = new URL(location.href); u.searchParams.set("lang", $("lang").value); location.href = u; });
  $("account-form").addEventListener("submit", useKey);
  $("provider").addEventListener("change", () => act(loadCountries));
  $("country").addEventListener("change", () => act(loadServices));
  for (const id of ["dtype", "dcount"]) $(id).addEventListener("change", () => act(loadServices));
  for (const id of ["service", "days"]) $(id).addEventListener("change", quote);
  $("order-form").addEventListener("submit", rent);
  $("sms-form").addEventListener("submit", sendSms);
  $("add-service").addEventListener("change", addTotal);
  $("add-days").addEventListener("change", addTotal);
  $("add-service-form").addEventListener("submit", addService);
  $("add-cancel").addEventListener("click", () => { $("add-service-pane").hidden = true; });
  $("tab-orders").addEventListener("click", () => showTab(false));
  $("tab-archive").addEventListener("click", () => showTab(true));
  $("prev-page").addEventListener("click", () => { S.page = Math.max(0, S.page - 1); refresh(); });
  $("next-page").addEventListener("click", () => { S.page += 1; refresh(); });
  $("restore-confirm").addEventListener("click", restore);
  $("restore-cancel").addEventListener("click", () => { $("restore-pane").hidden = true; });
  if (CONTROL) {
    document.querySelectorAll("[data-advance]").forEach((b) => b.addEventListener("click",
      () => act(() => ctl("POST", "clock", { advance: Number(b.dataset.advance) }))));
    $("freeze").addEventListener("click", () => act(() => ctl("POST", "clock", { mode: "frozen" })));
    $("resume").addEventListener("click", () => act(() => ctl("POST", "clock", { mode: "real" })));
    $("fault-form").addEventListener("submit", addFault);
  }
  setInterval(refresh, 30000);  // armed first, so the 30-second cycle starts with the page, not after its loads
  $("apikey").value = new URLSearchParams(location.search).get("apikey") || localStorage.getItem("console.key") || "test-key";
  await useKey();
  await act(loadCountries);
}

start();
