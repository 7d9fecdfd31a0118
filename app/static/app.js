// Stakemap web page: sign in with an API key, pick an account, see and explore its power map.
// Plain ES module, no dependencies. The API key lives in sessionStorage (this tab only) and
// travels as an Authorization header, never in a URL. The map is drawn as SVG from the
// power-map endpoint, whose positions are final: nothing is laid out here.

const KEY_STORAGE = "stakemap.apiKey";
const SVG_NS = "http://www.w3.org/2000/svg";
const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';
const NAME_SIZE = 12;
const TITLE_SIZE = 10.5;
const DETAIL_ZOOM = 0.75; // below this, labels show the name only, at a readable screen size
const HIDE_LABELS_ZOOM = 0.18;
const MIN_ZOOM = 0.08;
const MAX_ZOOM = 3;
const TYPE_ORDER = { REPORTS_TO: 0, INFLUENCES: 1, KNOWS: 2, cold: 3 };

const $ = (id) => document.getElementById(id);

const state = {
  key: null,
  orgs: [],
  orgId: null,
  deals: [],
  dealId: null,
  map: null,
  nodes: new Map(), // id -> {node, group, labels}
  view: { k: 1, x: 0, y: 0 },
  lod: null,
  labelZoom: null,
  selected: null,
  activeItem: null,
  loadToken: 0,
};

// --- small helpers ------------------------------------------------------------------------

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(p) {
  const v = p * 100;
  if (v >= 10) return `${v.toFixed(0)}%`;
  if (v >= 1) return `${v.toFixed(1)}%`;
  if (v >= 0.01) return `${v.toFixed(2)}%`;
  return "<0.01%";
}

function slug(text) {
  return (text || "account").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "account";
}

let toastTimer = null;
function toast(message, bad = false) {
  const box = $("toast");
  box.textContent = message;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, bad ? 6000 : 3000);
}

const measure = document.createElement("canvas").getContext("2d");
function textWidth(text, size, bold) {
  measure.font = `${bold ? "bold " : ""}${size}px ${FONT}`;
  return measure.measureText(text).width;
}

function truncate(text, width, size, bold) {
  if (textWidth(text, size, bold) <= width) return text;
  let cut = text;
  while (cut && textWidth(`${cut}…`, size, bold) > width) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

// Wrap at spaces into at most maxLines lines of at most width; cut the last with an ellipsis.
function fitLines(text, width, size, bold, maxLines) {
  const words = (text || "").split(/\s+/).filter(Boolean);
  const lines = [];
  while (words.length && lines.length < maxLines - 1) {
    let line = words.shift();
    while (words.length && textWidth(`${line} ${words[0]}`, size, bold) <= width) {
      line = `${line} ${words.shift()}`;
    }
    if (textWidth(line, size, bold) > width) { words.unshift(line); break; }
    lines.push(line);
  }
  if (words.length) lines.push(truncate(words.join(" "), width, size, bold));
  return lines;
}

// --- the API ------------------------------------------------------------------------------

class SignedOut extends Error {}

async function api(path, accept = "application/json") {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${state.key}`, Accept: accept },
    cache: "no-store",
  });
  if (response.status === 401) {
    signOut("The API key was refused; sign in again.");
    throw new SignedOut();
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      message = problem.detail || problem.title || message;
    } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

async function apiJson(path) {
  return (await api(path)).json();
}

async function loadOrganisations() {
  const orgs = [];
  let cursor = null;
  for (let page = 0; page < 40; page += 1) {
    const query = new URLSearchParams({ limit: "500" });
    if (cursor) query.set("cursor", cursor);
    const body = await apiJson(`/v1/organisations?${query}`);
    orgs.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  orgs.sort((a, b) => a.name.localeCompare(b.name));
  return orgs;
}

// --- sign in and out ----------------------------------------------------------------------

function showSignIn(message) {
  $("app-view").hidden = true;
  $("account-bar").hidden = true;
  $("actions").hidden = true;
  $("signin-view").hidden = false;
  const error = $("signin-error");
  error.textContent = message || "";
  error.hidden = !message;
  $("api-key").focus();
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.orgs = [];
  state.orgId = null;
  state.map = null;
  clearMap();
  showSignIn(message);
}

async function start() {
  try {
    state.orgs = await loadOrganisations();
  } catch (error) {
    if (!(error instanceof SignedOut)) showSignIn(`Could not reach the service: ${error.message}`);
    return;
  }
  $("signin-view").hidden = true;
  $("app-view").hidden = false;
  $("account-bar").hidden = false;
  $("actions").hidden = false;
  const select = $("org-select");
  select.replaceChildren(...state.orgs.map((org) => el("option", { value: org.id }, org.name)));
  if (!state.orgs.length) {
    mapMessage("No accounts yet: create one through the API, or load the demo (make run).");
    return;
  }
  const wanted = new URLSearchParams(location.hash.slice(1)).get("org");
  const first = state.orgs.find((org) => org.id === wanted) || state.orgs[0];
  select.value = first.id;
  await openOrganisation(first.id, new URLSearchParams(location.hash.slice(1)).get("deal"));
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("api-key");
  const key = input.value.trim();
  if (!key) return;
  const button = $("signin-button");
  button.disabled = true;
  try {
    const response = await fetch("/v1/organisations?limit=1", {
      headers: { Authorization: `Bearer ${key}` },
      cache: "no-store",
    });
    if (response.status === 401) {
      showSignIn("That API key was refused.");
      return;
    }
    if (!response.ok) {
      showSignIn(`The service answered ${response.status}.`);
      return;
    }
    sessionStorage.setItem(KEY_STORAGE, key);
    state.key = key;
    input.value = "";
    await start();
  } catch (error) {
    showSignIn(`Could not reach the service: ${error.message}`);
  } finally {
    button.disabled = false;
  }
});

$("sign-out").addEventListener("click", () => signOut());

$("org-select").addEventListener("change", (event) => openOrganisation(event.target.value));
$("deal").addEventListener("change", (event) => openDeal(event.target.value || null));

// --- one account ----------------------------------------------------------------------------

async function loadDeals(orgId) {
  const deals = [];
  let cursor = null;
  const id = encodeURIComponent(orgId);
  for (let page = 0; page < 20; page += 1) {
    const query = new URLSearchParams({ limit: "200" });
    if (cursor) query.set("cursor", cursor);
    const body = await apiJson(`/v1/organisations/${id}/opportunities?${query}`);
    deals.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return deals.filter((deal) => deal.status === "open");
}

function dealLabel(deal) {
  const amount = deal.amount ? ` · ${Number(deal.amount).toLocaleString("en")} ${deal.currency || ""}`.trimEnd() : "";
  return `${deal.name} · ${deal.stage_label}${amount}`;
}

function renderDeals() {
  const select = $("deal");
  select.replaceChildren(
    el("option", { value: "" }, "Whole account"),
    ...state.deals.map((deal) => el("option", { value: deal.id }, dealLabel(deal))),
  );
  select.value = state.dealId || "";
  const deal = state.deals.find((d) => d.id === state.dealId);
  $("deal-facts").textContent = deal
    ? [deal.stage_label, deal.close_date && `closes ${deal.close_date}`, deal.urgency && `urgency ${deal.urgency}`].filter(Boolean).join(" · ")
    : "";
}

function saveLocation() {
  const hash = new URLSearchParams({ org: state.orgId });
  if (state.dealId) hash.set("deal", state.dealId);
  history.replaceState(null, "", `#${hash}`);
}

async function openOrganisation(orgId, dealId = null) {
  state.orgId = orgId;
  state.deals = [];
  state.dealId = null;
  renderDeals();
  const token = ++state.loadToken;
  try {
    state.deals = await loadDeals(orgId);
  } catch (error) {
    if (error instanceof SignedOut) return;
    toast(`Could not load the deals: ${error.message}`, true);
  }
  if (token !== state.loadToken) return;
  state.dealId = state.deals.some((d) => d.id === dealId) ? dealId : null;
  renderDeals();
  await loadAccount();
}

async function openDeal(dealId) {
  state.dealId = dealId;
  renderDeals();
  await loadAccount();
}

async function loadAccount() {
  const token = ++state.loadToken;
  const orgId = state.orgId;
  saveLocation();
  clearMap();
  renderDetails(null);
  mapMessage("Loading the power map…");
  $("next-contacts").replaceChildren();
  $("entry-paths").replaceChildren();
  $("fragility").replaceChildren();
  $("next-hint").textContent = "Loading…";
  $("paths-hint").textContent = "Loading…";
  $("fragility-hint").textContent = "Loading…";
  const id = encodeURIComponent(orgId);
  const deal = state.dealId ? `opportunity_id=${encodeURIComponent(state.dealId)}` : "";
  const q = (path) => (deal ? `${path}${path.includes("?") ? "&" : "?"}${deal}` : path);
  const [pm, next, paths, coverage] = await Promise.allSettled([
    apiJson(q(`/v1/organisations/${id}/power-map`)),
    apiJson(q(`/v1/organisations/${id}/next-contacts?limit=8`)),
    apiJson(q(`/v1/organisations/${id}/entry-paths?k=5`)),
    apiJson(q(`/v1/organisations/${id}/coverage`)),
  ]);
  if (token !== state.loadToken) return; // another account or deal was picked meanwhile
  if (pm.status === "fulfilled") {
    state.map = pm.value;
    drawMap(pm.value);
    $("map").dataset.deal = state.dealId || "";
  } else if (!(pm.reason instanceof SignedOut)) {
    mapMessage(`Could not load the power map: ${pm.reason.message}`);
  }
  if (next.status === "fulfilled") renderNextContacts(next.value);
  else $("next-hint").textContent = `Could not load: ${next.reason.message}`;
  if (paths.status === "fulfilled") renderEntryPaths(paths.value);
  else $("paths-hint").textContent = `Could not load: ${paths.reason.message}`;
  if (coverage.status === "fulfilled") renderFragility(coverage.value);
  else $("fragility-hint").textContent = `Could not load: ${coverage.reason.message}`;
}

// Fragility is the headline of coverage: whose loss would cut our best chance to the target.
function renderFragility(coverage) {
  const f = coverage.fragility;
  const target = coverage.target_name || "the target";
  if (!f.best_probability) {
    $("fragility-hint").textContent = `No warm path reaches ${target} yet.`;
    $("fragility").replaceChildren();
    return;
  }
  $("fragility-hint").textContent = f.critical.length
    ? `Our best warm chance to reach ${target} is ${percent(f.best_probability)}. Losing any one of these would cut it by half or more:`
    : `Our best warm chance to reach ${target} is ${percent(f.best_probability)}; no single loss would halve it.`;
  $("fragility").replaceChildren(...f.critical.map((c) => {
    const button = el("button", { type: "button", "data-critical": c.id });
    const head = el("span", { class: "item-head" });
    head.append(el("span", {}, `${c.name}${c.kind === "member" ? " (our team)" : ""}`), el("span", { class: "score" }, `→ ${percent(c.probability_after)}`));
    button.append(head);
    button.append(el("span", { class: "item-sub" }, `drop ${Math.round(c.drop_share * 100)}% · carries ${Math.round(c.path_share * 100)}% of our top paths`));
    if (c.kind === "person") button.addEventListener("click", () => selectNode(c.id));
    const li = el("li");
    li.append(button);
    return li;
  }));
}

function mapMessage(text) {
  const box = $("map-message");
  box.textContent = text || "";
  box.hidden = !text;
}

// --- drawing the map --------------------------------------------------------------------------

function clearMap() {
  for (const id of ["band", "edges", "overlay", "nodes"]) $(id).replaceChildren();
  state.nodes.clear();
  state.selected = null;
  state.lod = null;
  $("map").classList.remove("has-hl");
  $("map").removeAttribute("data-org");
  $("clear-highlight").hidden = true;
  $("org-facts").textContent = "";
}

function detailLines(data) {
  const room = data.width - 6;
  const lines = [truncate(data.name, room, NAME_SIZE, true)];
  if (data.title) lines.push(...fitLines(data.title, room, TITLE_SIZE, false, 2));
  return lines;
}

function labelBottom(entry) {
  const { node, lines } = entry;
  return node.position.y + node.data.size / 2 + 4 + 14 + 13 * Math.max(0, lines.length - 1);
}

function tooltip(data) {
  const head = data.title ? `${data.name} — ${data.title}` : data.name;
  if (data.kind === "team") return `${head}\nour team`;
  const facts = [`rank ${data.rank}`, `power ${data.power.toFixed(2)}`, `stance ${data.stance}`];
  if (data.roles.length) facts.push(`roles: ${data.roles.join(", ")}`);
  if (data.engaged) facts.push("engaged by us");
  if (data.top) facts.push("top decision-maker");
  return `${head}\n${facts.join(" · ")}`;
}

function starPoints(cx, cy, r) {
  const points = [];
  for (let k = 0; k < 10; k += 1) {
    const radius = k % 2 === 0 ? r : r * 0.45;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    points.push(`${(cx + radius * Math.cos(angle)).toFixed(1)},${(cy + radius * Math.sin(angle)).toFixed(1)}`);
  }
  return points.join(" ");
}

function drawNode(node) {
  const d = node.data;
  const { x, y } = node.position;
  const r = d.size / 2;
  const classes = ["node", d.kind, d.stance, d.top && "top", d.engaged && "engaged"].filter(Boolean);
  const group = svg("g", {
    class: classes.join(" "),
    "data-id": d.id,
    "data-kind": d.kind,
    "data-name": d.name,
    tabindex: 0,
    role: "button",
    "aria-label": d.kind === "team" ? `${d.name}, our team` : `${d.name}, rank ${d.rank}, ${d.stance}`,
  });
  group.append(svg("title", {}, tooltip(d)));
  group.append(svg("circle", { class: "hl-ring", cx: x, cy: y, r: r + 9 }));
  if (d.kind === "team") {
    group.append(svg("rect", { class: "body", x: x - r, y: y - r, width: 2 * r, height: 2 * r, rx: 8 }));
    const initials = d.name.split(/\s+/).slice(0, 2).map((part) => part[0] || "").join("").toUpperCase();
    group.append(svg("text", { class: "rank", x, y: y + 4.5, "font-size": 13 }, initials));
  } else {
    if (d.engaged) group.append(svg("circle", { class: "engaged-ring", cx: x, cy: y, r: r + 3.5 }));
    group.append(svg("circle", { class: "body", cx: x, cy: y, r }));
    const size = r >= 16 ? 11 : 9.5;
    group.append(svg("text", { class: "rank", x, y: y + size * 0.36, "font-size": size }, String(d.rank)));
    if (d.top) group.append(svg("polygon", { class: "star", points: starPoints(x + r * 0.78, y - r * 0.78, 9) }));
  }
  const labels = svg("g", { class: "labels" });
  group.append(labels);
  group.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      selectNode(d.id);
    }
  });
  $("nodes").append(group);
  state.nodes.set(d.id, { node, group, labels, lines: detailLines(d) });
}

function renderLabels() {
  const k = state.view.k;
  const lod = k < HIDE_LABELS_ZOOM ? "none" : k < DETAIL_ZOOM ? "overview" : "detail";
  // overview labels keep a constant screen size, so they follow the zoom (not the pan)
  if (lod === state.lod && (lod !== "overview" || k === state.labelZoom)) return;
  state.lod = lod;
  state.labelZoom = k;
  for (const entry of state.nodes.values()) {
    const { node, labels, lines } = entry;
    const { x, y } = node.position;
    const r = node.data.size / 2;
    labels.replaceChildren();
    if (lod === "none") continue;
    if (lod === "detail") {
      let ty = y + r + 4 + 12;
      lines.forEach((line, i) => {
        const cls = i === 0 ? "label name" : "label title";
        const size = i === 0 ? NAME_SIZE : TITLE_SIZE;
        labels.append(svg("text", { class: cls, x, y: ty, "font-size": size, "stroke-width": 3 }, line));
        ty += i === 0 ? 14 : 13;
      });
    } else {
      const size = Math.min(11 / k, 30);
      const nameLines = fitLines(node.data.name, node.data.width - 4, size, true, 2);
      let ty = y + r + 4 + size * 0.95;
      for (const line of nameLines) {
        const halo = (3.5 / k).toFixed(2);
        labels.append(svg("text", { class: "label name", x, y: ty, "font-size": size.toFixed(1), "stroke-width": halo }, line));
        ty += size * 1.12;
      }
    }
  }
}

function parallelOffsets(edges) {
  const groups = new Map();
  for (const edge of edges) {
    const [a, b] = [edge.data.source, edge.data.target].sort();
    const key = `${a}\u0000${b}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(edge);
  }
  const offsets = new Map();
  for (const group of groups.values()) {
    group.sort((e, f) => (TYPE_ORDER[e.data.type] - TYPE_ORDER[f.data.type]) || e.data.id.localeCompare(f.data.id));
    group.forEach((edge, i) => offsets.set(edge.data.id, (i - (group.length - 1) / 2) * 12));
  }
  return offsets;
}

function route(edge, offset) {
  const source = state.nodes.get(edge.data.source);
  const target = state.nodes.get(edge.data.target);
  const s = source.node;
  const t = target.node;
  const fmt = (v) => v.toFixed(1);
  if (edge.data.flat) {
    const x1 = s.position.x, y1 = s.position.y - s.data.size / 2;
    const x2 = t.position.x, y2 = t.position.y - t.data.size / 2;
    const lift = Math.min(64, 20 + Math.abs(x2 - x1) * 0.12) + offset;
    const cx = (x1 + x2) / 2, cy = Math.min(y1, y2) - lift;
    return { d: `M${fmt(x1)},${fmt(y1)} Q${fmt(cx)},${fmt(cy)} ${fmt(x2)},${fmt(y2)}`, before: [cx, cy], tip: [x2, y2] };
  }
  const down = s.position.y < t.position.y;
  const [upper, lower] = down ? [source, target] : [target, source];
  const start = [upper.node.position.x, labelBottom(upper) + 2];
  const end = [lower.node.position.x, lower.node.position.y - lower.node.data.size / 2 - 1];
  const bends = edge.data.bends.map((p) => [p.x + offset, p.y]);
  let points = [start, ...(down ? bends : bends.reverse()), end];
  if (!down) points = points.reverse();
  if (points.length === 2 && offset) {
    const [[x1, y1], [x2, y2]] = points;
    const length = Math.hypot(x2 - x1, y2 - y1) || 1;
    const cx = (x1 + x2) / 2 - (offset * (y2 - y1)) / length;
    const cy = (y1 + y2) / 2 + (offset * (x2 - x1)) / length;
    return { d: `M${fmt(x1)},${fmt(y1)} Q${fmt(cx)},${fmt(cy)} ${fmt(x2)},${fmt(y2)}`, before: [cx, cy], tip: [x2, y2] };
  }
  const d = `M${points.map(([px, py]) => `${fmt(px)},${fmt(py)}`).join(" L")}`;
  return { d, before: points[points.length - 2], tip: points[points.length - 1] };
}

function arrow(tip, before, size) {
  const angle = Math.atan2(tip[1] - before[1], tip[0] - before[0]);
  const left = [tip[0] - size * Math.cos(angle - 0.4), tip[1] - size * Math.sin(angle - 0.4)];
  const right = [tip[0] - size * Math.cos(angle + 0.4), tip[1] - size * Math.sin(angle + 0.4)];
  return svg("polygon", { points: [tip, left, right].map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ") });
}

function drawEdge(edge, offset, extraClass) {
  const { d, before, tip } = route(edge, offset);
  const type = edge.data.type;
  const group = svg("g", {
    class: ["edge", type, edge.data.line, extraClass].filter(Boolean).join(" "),
    "data-id": edge.data.id,
    "data-type": type,
  });
  const strength = edge.data.strength ?? 0.5;
  const width = type === "INFLUENCES" ? 1 + 2.5 * strength : type === "KNOWS" ? 1 + 2 * strength : 1.4;
  group.append(svg("path", { class: "halo", d }));
  group.append(svg("path", { class: "line", d, "stroke-width": width.toFixed(2) }));
  if (type === "INFLUENCES" || type === "cold") group.append(arrow(tip, before, 6 + width * 1.5));
  const source = state.nodes.get(edge.data.source).node.data.name;
  const target = state.nodes.get(edge.data.target).node.data.name;
  const how = { REPORTS_TO: "reports to", INFLUENCES: "influences", KNOWS: "knows", cold: "approaches cold" }[type];
  const extra = edge.data.strength != null ? ` (strength ${edge.data.strength.toFixed(2)})` : "";
  group.append(svg("title", {}, `${source} ${how} ${target}${extra}`));
  return group;
}

function drawMap(pm) {
  clearMap();
  mapMessage(pm.elements.nodes.length ? "" : "This account has no people yet.");
  const meta = pm.data;
  $("org-facts").textContent = `${meta.people} people · ${meta.team} of our team · version ${meta.version}`;
  $("map-title").textContent = `Power map of ${meta.org_name}`;
  for (const node of pm.elements.nodes) drawNode(node);
  const team = pm.elements.nodes.filter((n) => n.data.kind === "team");
  if (team.length) {
    const y = team[0].position.y;
    const top = y - team[0].data.size / 2 - 30;
    const bottom = y + team[0].data.size / 2 + 52;
    $("band").append(svg("rect", { class: "band", x: 8, y: top, width: Math.max(meta.width - 16, 100), height: bottom - top, rx: 10 }));
    $("band").append(svg("text", { class: "band-label", x: 20, y: top + 18 }, "Our team"));
  }
  const edges = pm.elements.edges.filter((e) => state.nodes.has(e.data.source) && state.nodes.has(e.data.target));
  const offsets = parallelOffsets(edges);
  for (const edge of edges) $("edges").append(drawEdge(edge, offsets.get(edge.data.id)));
  $("map").dataset.org = meta.org_id;
  fit();
}

// --- pan and zoom ---------------------------------------------------------------------------

function applyView() {
  const { k, x, y } = state.view;
  $("viewport").setAttribute("transform", `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k.toFixed(4)})`);
  renderLabels();
}

function fit() {
  if (!state.map) return;
  const box = $("map").getBoundingClientRect();
  const { width, height } = state.map.data;
  if (!width || !height || !box.width || !box.height) return;
  const k = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, 1.2, (box.width - 16) / width, (box.height - 16) / height));
  state.view = { k, x: (box.width - width * k) / 2, y: Math.max(8, (box.height - height * k) / 2) };
  applyView();
}

function zoomAt(px, py, factor) {
  const { k, x, y } = state.view;
  const next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, k * factor));
  const ratio = next / k;
  state.view = { k: next, x: px - (px - x) * ratio, y: py - (py - y) * ratio };
  applyView();
}

function zoomCentre(factor) {
  const box = $("map").getBoundingClientRect();
  zoomAt(box.width / 2, box.height / 2, factor);
}

// Pan so that the given nodes are in view (keeping the zoom), if they are not already.
function reveal(ids) {
  const points = ids.map((id) => state.nodes.get(id)).filter(Boolean).map((e) => e.node.position);
  if (!points.length) return;
  const box = $("map").getBoundingClientRect();
  const { k, x, y } = state.view;
  const xs = points.map((p) => p.x * k + x);
  const ys = points.map((p) => p.y * k + y);
  const inside = Math.min(...xs) >= 20 && Math.max(...xs) <= box.width - 20 && Math.min(...ys) >= 20 && Math.max(...ys) <= box.height - 20;
  if (inside) return;
  const cx = (Math.min(...points.map((p) => p.x)) + Math.max(...points.map((p) => p.x))) / 2;
  const cy = (Math.min(...points.map((p) => p.y)) + Math.max(...points.map((p) => p.y))) / 2;
  state.view = { k, x: box.width / 2 - cx * k, y: box.height / 2 - cy * k };
  applyView();
}

const mapBox = $("map");
let drag = null;

mapBox.addEventListener("wheel", (event) => {
  event.preventDefault();
  const box = mapBox.getBoundingClientRect();
  zoomAt(event.clientX - box.left, event.clientY - box.top, Math.exp(-event.deltaY * 0.0015));
}, { passive: false });

mapBox.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  drag = { id: event.pointerId, x: event.clientX, y: event.clientY, view: { ...state.view }, moved: false };
});

mapBox.addEventListener("pointermove", (event) => {
  if (!drag || drag.id !== event.pointerId) return;
  const dx = event.clientX - drag.x;
  const dy = event.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  if (!drag.moved) {
    drag.moved = true;
    mapBox.setPointerCapture(event.pointerId);
    mapBox.classList.add("panning");
  }
  state.view = { ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy };
  applyView();
});

function endDrag(event) {
  if (!drag || drag.id !== event.pointerId) return;
  const wasClick = !drag.moved;
  drag = null;
  mapBox.classList.remove("panning");
  if (!wasClick || event.type === "pointercancel") return;
  const group = event.target.closest ? event.target.closest("g.node") : null;
  if (group) selectNode(group.dataset.id);
}
mapBox.addEventListener("pointerup", endDrag);
mapBox.addEventListener("pointercancel", endDrag);

mapBox.addEventListener("keydown", (event) => {
  const step = 60;
  const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
  if (event.key === "+" || event.key === "=") zoomCentre(1.25);
  else if (event.key === "-" || event.key === "_") zoomCentre(0.8);
  else if (event.key === "0") fit();
  else if (event.key === "Escape") clearHighlight();
  else if (moves[event.key] && event.target === mapBox) {
    state.view = { ...state.view, x: state.view.x + moves[event.key][0], y: state.view.y + moves[event.key][1] };
    applyView();
  } else return;
  event.preventDefault();
});

$("zoom-in").addEventListener("click", () => zoomCentre(1.25));
$("zoom-out").addEventListener("click", () => zoomCentre(0.8));
$("zoom-fit").addEventListener("click", () => fit());
$("clear-highlight").addEventListener("click", () => clearHighlight());
window.addEventListener("resize", () => fit());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !$("app-view").hidden) clearHighlight();
});

// --- highlighting a path --------------------------------------------------------------------

function clearHighlight() {
  for (const node of document.querySelectorAll("#map .hl")) node.classList.remove("hl");
  $("overlay").replaceChildren();
  $("map").classList.remove("has-hl");
  $("map").removeAttribute("data-highlight");
  $("clear-highlight").hidden = true;
  if (state.activeItem) state.activeItem.classList.remove("active");
  state.activeItem = null;
}

function edgeElement(id) {
  for (const group of $("edges").children) if (group.dataset.id === id) return group;
  return null;
}

function highlightPath(path, item) {
  clearHighlight();
  if (!path || !path.steps.length) {
    toast("No path reaches this person.");
    return;
  }
  const ids = [];
  for (const step of path.steps) {
    for (const id of [step.from_id, step.to_id]) {
      const entry = state.nodes.get(id);
      if (entry) entry.group.classList.add("hl");
      ids.push(id);
    }
    const edge = step.relationship_id ? edgeElement(step.relationship_id) : null;
    if (edge) {
      edge.classList.add("hl");
      $("edges").append(edge); // on top of the others
    } else if (state.nodes.has(step.from_id) && state.nodes.has(step.to_id)) {
      const from = state.nodes.get(step.from_id).node;
      const to = state.nodes.get(step.to_id).node;
      const cold = {
        data: {
          id: `cold:${step.from_id}->${step.to_id}`, source: step.from_id, target: step.to_id,
          type: "cold", line: "dotted", strength: null, bends: [],
          flat: from.position.y === to.position.y,
        },
      };
      const group = drawEdge(cold, 0, "cold hl");
      $("overlay").append(group);
    }
  }
  $("map").classList.add("has-hl");
  $("map").dataset.highlight = String(path.steps.length);
  $("clear-highlight").hidden = false;
  if (item) {
    item.classList.add("active");
    state.activeItem = item;
  }
  reveal(ids);
}

// --- side panels ----------------------------------------------------------------------------

function selectNode(id) {
  if (state.selected) state.nodes.get(state.selected)?.group.classList.remove("selected");
  const entry = state.nodes.get(id);
  if (!entry) return;
  entry.group.classList.add("selected");
  state.selected = id;
  renderDetails(entry.node.data);
}

function nameOf(id) {
  return state.nodes.get(id)?.node.data.name || id;
}

function renderDetails(d) {
  const box = $("details");
  if (!d) {
    box.replaceChildren(el("p", { class: "hint" }, "Click a person on the map for details."));
    return;
  }
  const parts = [el("p", { class: "person-name" }, d.name)];
  if (d.title || d.department) parts.push(el("p", { class: "person-title" }, [d.title, d.department].filter(Boolean).join(" · ")));
  if (d.kind === "person" && d.seniority) {
    const level = d.seniority_inferred ? `${d.seniority} (from the title)` : d.seniority;
    const fn = d.function && d.function !== "other" ? ` · ${d.function}` : "";
    parts.push(el("p", { class: "person-level" }, `seniority ${level}${fn}`));
  }
  const chips = el("div", { class: "chips" });
  if (d.kind === "team") chips.append(el("span", { class: "chip" }, "our team"));
  if (d.stance) chips.append(el("span", { class: `chip stance ${d.stance}` }, d.stance));
  if (d.top) chips.append(el("span", { class: "chip top" }, "★ top decision-maker"));
  for (const role of d.roles) chips.append(el("span", { class: "chip" }, role.replaceAll("_", " ")));
  parts.push(chips);
  if (d.kind === "person") {
    const facts = el("div", { class: "facts" });
    const row = (label, value) => {
      facts.append(el("span", {}, label));
      facts.append(el("meter", { min: 0, max: 1, value: value.toFixed(3) }));
      facts.append(el("span", { class: "num" }, value.toFixed(2)));
    };
    row(`Power (rank ${d.rank})`, d.power);
    row("formal", d.formal);
    row("informal", d.informal);
    row("brokerage", d.brokerage);
    row("declared", d.declared);
    parts.push(facts);
    parts.push(el("p", { class: "hint" }, d.engaged
      ? `Engaged by ${d.engaged_by.map(nameOf).join(", ")}.`
      : d.tie_strength != null
        ? `We know them, but the tie is weak or stale (${d.tie_strength.toFixed(2)}).`
        : "Nobody on our team is engaged with them yet."));
    const actions = el("div", { class: "details-actions" });
    const button = el("button", { type: "button" }, "Show the best way in");
    button.addEventListener("click", () => showPathTo(d.id));
    actions.append(button);
    parts.push(actions);
  } else {
    parts.push(el("p", { class: "hint" }, d.engaged_by.length
      ? `Engaged with ${d.engaged_by.map(nameOf).join(", ")}.`
      : "No working tie in this account."));
  }
  box.replaceChildren(...parts);
}

async function showPathTo(personId) {
  try {
    const id = encodeURIComponent(state.orgId);
    const answer = await apiJson(`/v1/organisations/${id}/entry-paths?k=1&target_id=${encodeURIComponent(personId)}${state.dealId ? `&opportunity_id=${encodeURIComponent(state.dealId)}` : ""}`);
    highlightPath(answer.paths[0], null);
    if (answer.paths[0]) toast(answer.paths[0].explanation);
  } catch (error) {
    if (!(error instanceof SignedOut)) toast(error.message, true);
  }
}

function renderNextContacts(answer) {
  const list = $("next-contacts");
  $("next-hint").textContent = answer.items.length
    ? `Ranked by the value of engaging them (power, uncovered roles, uplift${answer.target_name ? ` toward ${answer.target_name}` : ""}); reachability only breaks near-ties.`
    : answer.reason || "Nobody to suggest.";
  list.replaceChildren(...answer.items.map((item, i) => {
    const button = el("button", { type: "button", "data-person": item.person_id });
    const head = el("span", { class: "item-head" });
    head.append(el("span", {}, `${i + 1}. ${item.name}`), el("span", { class: "score" }, `score ${item.score.toFixed(2)}`));
    button.append(head);
    button.append(el("span", { class: "item-sub" }, [`rank ${item.rank}`, item.title, item.stance, item.path ? `reach ${percent(item.reachability)}` : "unreachable"].filter(Boolean).join(" · ")));
    button.append(el("span", { class: "item-why" }, item.reasons.slice(0, 3).join("; ")));
    button.addEventListener("click", () => {
      selectNode(item.person_id);
      highlightPath(item.path, button);
    });
    const li = el("li");
    li.append(button);
    return li;
  }));
}

function renderEntryPaths(answer) {
  const list = $("entry-paths");
  $("paths-hint").textContent = answer.paths.length
    ? `Top-down to ${answer.target_name}, most likely first.`
    : answer.reason || "No path.";
  list.replaceChildren(...answer.paths.map((path, i) => {
    const button = el("button", { type: "button", "data-path": i });
    const head = el("span", { class: "item-head" });
    head.append(el("span", {}, `Path ${i + 1} · ${path.hops} hop${path.hops === 1 ? "" : "s"}`), el("span", { class: "score" }, percent(path.probability)));
    button.append(head);
    button.append(el("span", { class: "item-sub" }, `from ${path.member_name}`));
    if (path.flags.length) {
      const flags = el("span", { class: "flags" });
      for (const flag of path.flags) flags.append(el("span", { class: "flag" }, flag.replaceAll("_", " ")));
      button.append(flags);
    }
    button.append(el("span", { class: "item-why" }, path.explanation));
    button.addEventListener("click", () => highlightPath(path, button));
    const li = el("li");
    li.append(button);
    return li;
  }));
}

// --- exports --------------------------------------------------------------------------------

async function download(path, filename, accept) {
  try {
    const response = await api(path, accept);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    toast(`Downloaded ${filename}`);
  } catch (error) {
    if (!(error instanceof SignedOut)) toast(`Export failed: ${error.message}`, true);
  }
}

for (const button of document.querySelectorAll("[data-export]")) {
  button.addEventListener("click", () => {
    if (!state.orgId && !["all", "pipeline"].includes(button.dataset.export)) return;
    const org = state.orgs.find((o) => o.id === state.orgId);
    const deal = state.deals?.find((d) => d.id === state.dealId);
    // the picture and the ranking follow the deal chosen, as the map on screen does
    const name = deal ? `${slug(org?.name)}-${slug(deal.name)}` : slug(org?.name);
    const forDeal = deal ? `?opportunity_id=${encodeURIComponent(deal.id)}` : "";
    const id = encodeURIComponent(state.orgId || "");
    const exports = {
      svg: [`/v1/organisations/${id}/power-map.svg${forDeal}`, `power-map-${name}.svg`, "image/svg+xml"],
      graphml: [`/v1/organisations/${id}/graph.graphml`, `${slug(org?.name)}.graphml`, "application/graphml+xml"],
      csv: [`/v1/organisations/${id}/influence.csv${forDeal}`, `influence-${name}.csv`, "text/csv"],
      all: ["/v1/exports/influence.csv", "influence-all-accounts.csv", "text/csv"],
      pipeline: ["/v1/exports/deals.csv", "pipeline-all-accounts.csv", "text/csv"],
    };
    download(...exports[button.dataset.export]);
  });
}

// --- start ----------------------------------------------------------------------------------

state.key = sessionStorage.getItem(KEY_STORAGE);
if (state.key) start();
else showSignIn();
