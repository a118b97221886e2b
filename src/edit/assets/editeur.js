// The dossier editor (`cdm-render edit`): outline, forms generated from the JSON schema and the
// outline, tables as grids, files, live preview, undo/redo and versions.
//
// Written by hand in plain JavaScript rather than with a form or grid library: the forms follow
// the dossier's own schema (French numbers, closed vocabularies, partners chosen among the
// declared ones, tables kept in CSV or workbook files), which no generic JSON-schema form library
// knows, and the page must work offline embedded in the binary; a few hundred lines of DOM code
// are easier to audit than a vendored bundle.
"use strict";

const jeton = new URLSearchParams(location.search).get("jeton") || "";
const $ = (id) => document.getElementById(id);

/** Everything the page knows of the dossier; replaced on each reload. */
const state = {
  version: null,
  valeurs: {},
  constats: [],
  plan: [],
  tableaux: {},
  schema: null,
  label: "",
  fichier: "",
  item: null, // numero of the item shown
};
const undoStack = [];
const redoStack = [];
let uid = 0;

// ─── Small helpers ──────────────────────────────────────────────────────────────────────────

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function newId(prefix) {
  uid += 1;
  return prefix + "-" + uid;
}

/** "partenaires[2].nom" → ["partenaires", 2, "nom"]. */
function parsePath(path) {
  const segments = [];
  for (const part of path.split(".")) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) { segments.push(part); continue; }
    if (match[1]) segments.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

function joinPath(base, key) {
  if (typeof key === "number") return base + "[" + key + "]";
  return base ? base + "." + key : key;
}

function getAt(object, path) {
  let node = object;
  for (const segment of parsePath(path)) {
    if (node === null || node === undefined) return undefined;
    node = node[segment];
  }
  return node;
}

function setAt(object, path, value) {
  const segments = parsePath(path);
  let node = object;
  segments.slice(0, -1).forEach((segment, i) => {
    if (node[segment] === null || typeof node[segment] !== "object") {
      node[segment] = typeof segments[i + 1] === "number" ? [] : {};
    }
    node = node[segment];
  });
  const last = segments[segments.length - 1];
  if (value === null) delete node[last];
  else node[last] = value;
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function say(text) {
  $("statut").textContent = text;
}

function alertUser(text) {
  const box = $("alerte");
  box.textContent = text;
  box.hidden = !text;
}

// ─── French numbers ─────────────────────────────────────────────────────────────────────────

const numberFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 10 });

/** A number the French way (« 12 500,5 »); a year (`plain`) without a thousands space. */
function formatNumber(value, plain) {
  if (typeof value === "number" && !plain) return numberFormat.format(value);
  return value === undefined || value === null ? "" : String(value);
}

/** Keys that hold a year (`annee`, `par_service_annee`): written 2025, never « 2 025 ». */
function isYearKey(key) {
  return key === "annee" || /_annee$/.test(key || "");
}

/** Reads « 12 500,5 », « 12500.5 » or « 1 200 € »; returns a number, or null when it is not one. */
function parseNumber(text) {
  // A space groups thousands in the integer part only: « 12 500,5 000 » is a typing slip, not 12 500,5.
  const trimmed = text.trim().replace(/\s*[€%]$/, "");
  const [whole, ...fraction] = trimmed.split(/[.,]/);
  if (fraction.some((f) => /[\s\u00a0\u202f']/.test(f))) return null;
  if (/[\s\u00a0\u202f']/.test(whole) && !/^[-+−]?\d{1,3}([\s\u00a0\u202f']\d{3})+$/.test(whole)) return null;
  const compact = trimmed.replace(/[\s\u00a0\u202f']/g, "");
  if (!/^[-+−]?(\d+([.,]\d+)?|[.,]\d+)$/.test(compact)) return null;
  return Number(compact.replace("−", "-").replace(",", "."));
}

// ─── Server ─────────────────────────────────────────────────────────────────────────────────

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || "erreur " + status);
    this.status = status;
    this.body = body || {};
  }
}

/** Requests under way, shown on the body (`data-envois`) so that a test knows the page is idle. */
let pending = 0;
function track(delta) {
  pending += delta;
  document.body.dataset.envois = String(pending);
}

async function api(method, path, body) {
  track(1);
  try {
    return await request(method, path, body);
  } finally {
    track(-1);
  }
}

async function request(method, path, body) {
  const options = { method, headers: { "X-Jeton": jeton }, cache: "no-store" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

// Requests that change the dossier go one at a time: each carries the version the previous one
// returned.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

/** Versions this page's own writes produced: their events are not changes made elsewhere. */
const ownVersions = new Set();

function absorb(reply) {
  if (!reply) return;
  if (reply.version) {
    state.version = reply.version;
    ownVersions.add(reply.version);
  }
  if (reply.version_tableaux) {
    state.versionTableaux = reply.version_tableaux;
    ownVersions.add(reply.version_tableaux);
  }
  if (reply.constats) state.constats = reply.constats;
  if (reply.plan) state.plan = reply.plan;
  document.body.dataset.version = state.version || "";
  showOutline();
  refreshItemStatus();
  placeFindings();
}

/** The status under each title of the form, from the plan just received (the form itself is
 *  not drawn again after a change, so that typing is not disturbed). */
function refreshItemStatus() {
  for (const section of document.querySelectorAll("#formulaire [data-section]")) {
    const item = entries().find((i) => i.numero === section.dataset.section);
    const line = section.querySelector(":scope > .statut-item");
    if (!item || !item.statut || !line) continue;
    const fresh = statusLine(item);
    line.replaceWith(fresh);
  }
}

/** What to tell the user about a refused change; true when the values were reloaded. */
async function refused(error) {
  if (error.status === 409) {
    alertUser("Le fichier du dossier a été modifié ailleurs (par un autre programme ou un autre onglet) : votre dernière modification n'a pas été enregistrée, les valeurs du fichier sont rechargées.");
    await reload();
    return true;
  }
  if (error.status === 403) {
    alertUser("Accès refusé : rouvrez l'adresse complète (avec ?jeton=…) affichée par cdm-render edit.");
  } else if (error.status !== 422) {
    alertUser("Modification non enregistrée : " + error.message);
  }
  return false;
}

/**
 * Sends one change to the dossier (a field, or a table's rows) and records it for undo; returns
 * true when written. `before` is read inside the queue, after the changes sent earlier.
 */
function sendChange({ kind, route, path, body, before, apply, record, after, whenNotWritten }) {
  return serial(async () => {
    const previous = before();
    try {
      say("Enregistrement…");
      const reply = await api("POST", route, { version: state.version, chemin: path, ...body });
      apply();
      if (record) { undoStack.push({ kind, chemin: path, avant: previous, apres: after }); redoStack.length = 0; }
      absorb(reply);
      alertUser("");
      // A refusal shown at this field earlier is over once a value is written.
      const written = fields.get(path);
      if (written) showMessage(written.message, "", "erreur");
      say("Enregistré");
      showUndo();
      return true;
    } catch (error) {
      say("Non enregistré");
      if (error instanceof ApiError) {
        if (!(await refused(error))) whenNotWritten();
        if (error.status === 422) showRefusal(path, error);
      } else alertUser("Le serveur ne répond pas (cdm-render edit est-il arrêté ?)");
      return false;
    }
  });
}

/** Sends a field; returns true when written. A refused value stays in its control. */
function sendField(path, value, record = true) {
  return sendChange({
    kind: "champ", route: "/api/champ", path, body: { valeur: value },
    before: () => clone(getAt(state.valeurs, path)) ?? null,
    apply: () => setAt(state.valeurs, path, clone(value)),
    record, after: value,
    whenNotWritten: () => {},
  });
}

/** Replaces a table's rows; returns true when written. A refused grid is drawn again from the data. */
function sendRows(path, rows, record = true) {
  return sendChange({
    kind: "lignes", route: "/api/lignes", path, body: { lignes: rows },
    before: () => clone(currentRows(path)),
    apply: () => {
      if (state.tableaux[path]) state.tableaux[path].lignes = clone(rows);
      else setAt(state.valeurs, path, clone(rows));
    },
    record, after: clone(rows),
    whenNotWritten: renderForm,
  });
}

async function reload() {
  const dossier = await api("GET", "/api/dossier");
  state.version = dossier.version;
  state.valeurs = dossier.valeurs || {};
  state.constats = dossier.constats || [];
  state.plan = dossier.plan || [];
  state.tableaux = dossier.tableaux || {};
  state.versionTableaux = dossier.version_tableaux || "";
  state.label = dossier.label || "";
  state.labelImpose = dossier.label_impose || null;
  state.fichier = dossier.fichier || "";
  document.body.dataset.version = state.version || "";
  $("titre").textContent = "Écrire le dossier" + (state.fichier ? " — " + state.fichier.split(/[\\/]/).pop() : "");
  showOutline();
  renderForm();
}

// ─── Undo and redo ──────────────────────────────────────────────────────────────────────────

function showUndo() {
  $("annuler").disabled = !undoStack.length;
  $("retablir").disabled = !redoStack.length;
}

async function replay(from, to, field) {
  const step = from.pop();
  if (!step) return;
  const value = step[field];
  const ok = step.kind === "lignes" ? await sendRows(step.chemin, value, false) : await sendField(step.chemin, value, false);
  if (ok) {
    to.push(step);
    say(field === "avant" ? "Modification annulée" : "Modification rétablie");
  }
  showUndo();
  renderForm();
}

const undo = () => replay(undoStack, redoStack, "avant");
const redo = () => replay(redoStack, undoStack, "apres");

document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  const key = event.key.toLowerCase();
  const target = event.target;
  // A text control with typing not yet sent keeps the browser's own undo.
  if (target && target.dataset && target.dataset.modifie === "1") return;
  if (key === "z" && !event.shiftKey) { event.preventDefault(); undo(); }
  else if (key === "y" || (key === "z" && event.shiftKey)) { event.preventDefault(); redo(); }
});

// ─── Schema ─────────────────────────────────────────────────────────────────────────────────

const FILE_KEYS = new Set(["logo", "image_couverture", "contour", "fichier"]);
const TEXT_KEYS = new Set(["texte", "motivations", "methode", "contribution", "resultat", "description"]);

function definition(ref) {
  const name = ref.replace(/^#\/\$defs\//, "");
  return (state.schema.$defs || {})[name] || {};
}

/** A schema node with its `$ref` followed (the node's own description and title kept). */
function deref(node) {
  let current = node || {};
  const extra = {};
  for (const key of ["description", "title", "x-libelles", "x-partenaires", "x-fichier", "x-texte"]) {
    if (current[key] !== undefined) extra[key] = current[key];
  }
  let guard = 0;
  let name = current["x-def"];
  while (current.$ref && guard++ < 20) {
    name = current.$ref.replace(/^#\/\$defs\//, "");
    current = definition(current.$ref);
  }
  if (name) extra["x-def"] = name;
  if (current.allOf && current.allOf.length === 1) current = deref(current.allOf[0]);
  return Object.assign({}, current, extra);
}

function isFileTable(node) {
  const d = deref(node);
  return d.properties && d.properties.fichier && !d.properties.titre && d.required && d.required.includes("fichier") && Object.keys(d.properties).length <= 2;
}

/** The shape of the control for a node: kind and what it needs. */
function shape(node, key, path) {
  let d = deref(node);
  let nullable = false;
  const branches = d.anyOf || d.oneOf;
  if (branches && !d.type) {
    const rest = branches.filter((b) => !isFileTable(b) && deref(b).type !== "null");
    nullable = branches.some((b) => deref(b).type === "null");
    const inner = deref(rest[0] || {});
    d = Object.assign({}, inner, { description: d.description || inner.description, title: d.title || inner.title });
  }
  let type = d.type;
  if (Array.isArray(type)) {
    nullable = nullable || type.includes("null");
    const types = type.filter((t) => t !== "null");
    if (types.includes("number") && types.includes("string")) return { kind: "nombre", d, nullable, texteAdmis: true };
    type = types[0];
  }
  if (d.enum) return { kind: "liste", d, nullable, choix: choices(d) };
  if (type === "array") {
    const items = deref(d.items || {});
    if (items.enum) return { kind: "cases", d, choix: choices(items) };
    if (items.type === "object" || items.properties) return { kind: "tableau", d, items };
    if (d["x-partenaires"] || key === "partenaires") return { kind: "partenaires", d };
    return { kind: "lignes", d, items };
  }
  if (type === "object" || d.properties) return { kind: "objet", d };
  if (type === "boolean") return { kind: "case", d };
  if (type === "integer") return { kind: "nombre", d, nullable, entier: true, annee: isYearKey(key) };
  if (type === "number") return { kind: "nombre", d, nullable };
  if (d.format === "date") return { kind: "date", d, nullable };
  if (d["x-fichier"] || FILE_KEYS.has(key)) return { kind: "fichier", d, nullable };
  if (d["x-partenaires"] || key === "partenaire") return { kind: "partenaire", d, nullable };
  if (d["x-texte"] || TEXT_KEYS.has(key) || (path && narrative().has(path.replace(/\[\d+\]/g, "")))) return { kind: "texte", d, nullable };
  return { kind: "ligne", d, nullable };
}

function strip(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s'-]+/g, "_");
}

/** The choices of a closed vocabulary: [value, French label]. The schema lists each value's
 *  key then its French spellings (« a_venir » … « À venir »); the labels come from the server
 *  (`x-libelles`) when it gives them, else from those spellings. */
function choices(d) {
  const values = d.enum.filter((v) => v !== null);
  const vocabularies = (state.schema["x-formulaires"] || {}).vocabulaires || {};
  const known = vocabularies[d["x-def"]];
  if (known) return known.map((v) => [v.cle, v.libelle]);
  if (d["x-libelles"]) return values.filter((v) => v in d["x-libelles"]).map((v) => [v, d["x-libelles"][v]]);
  const half = values.length / 2;
  if (Number.isInteger(half) && values.slice(0, half).every((v, i) => strip(String(values[half + i])) === strip(String(v)))) {
    return values.slice(0, half).map((v, i) => [v, values[half + i]]);
  }
  return values.map((v) => [v, String(v)]);
}

/** The paths of narrative text the outline names (multi-line controls). */
let narrativePaths = null;
function narrative() {
  if (!narrativePaths) {
    const plan = (state.schema["x-formulaires"] || {}).plan || [];
    narrativePaths = new Set(plan.flatMap((i) => i.textes || []));
  }
  return narrativePaths;
}

/** The schema node at a path of the dossier. */
function schemaAt(path) {
  let node = state.schema;
  for (const segment of parsePath(path)) {
    let d = deref(node);
    const branches = d.anyOf || d.oneOf;
    if (branches) d = deref(branches.find((b) => !isFileTable(b) && deref(b).type !== "null") || {});
    if (typeof segment === "number") node = d.items || {};
    else node = (d.properties || {})[segment] || {};
  }
  return node;
}

/** A French title for a key: the schema's title, else the key made readable. */
function titleOf(d, key) {
  if (d && d.title) return d.title;
  const words = String(key).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The schema's description of a key as its help, unless it only repeats the title
 *  (« Adresse » / « Adresse. »): said twice, it is read twice by screen readers. */
function helpOf(d, key) {
  const text = d && d.description;
  if (!text) return null;
  const bare = (t) => String(t).replace(/[\s.?!]+$/u, "").trim().toLowerCase();
  return bare(text) === bare(titleOf(d, key)) ? null : text;
}

function partnerNames() {
  const path = "fonctionnement.partenaires.liste";
  const rows = currentRows(path) || [];
  return rows.map((r) => r && r.nom).filter((n) => n);
}

function currentRows(path) {
  const table = state.tableaux[path];
  if (table) return table.lignes || [];
  const value = getAt(state.valeurs, path);
  return Array.isArray(value) ? value : [];
}

// ─── Outline ────────────────────────────────────────────────────────────────────────────────

const statusClass = { "complet": "complet", "à compléter": "a_completer", "manquant": "manquant" };
const statusIcon = { complet: "✓", a_completer: "◐", manquant: "✗" };
// The API gives the outline's level by its key; the page says it as the official plan does.
const levelLabel = { signaler: "à signaler", approfondir: "à approfondir", actualiser: "à actualiser" };
const levelOf = (item) => levelLabel[item.niveau_plan] || item.niveau_plan;
const counted = (n, one, many) => n + " " + (n > 1 ? many : one);

/** The entries of the outline: the cover first, the plan's items, the annexes last. */
function entries() {
  const cover = { numero: "couverture", titre: "Couverture et apparence", chemins: ["cite", "apparence"], statut: null };
  const annexes = { numero: "annexes", titre: "Annexes", chemins: ["annexes"], statut: null };
  return [cover, ...state.plan, annexes];
}

function depth(item) {
  return item.statut === null ? 1 : String(item.numero).split(".").length;
}

function findingsUnder(paths) {
  return state.constats.filter((c) => c.chemin && paths.some((p) => c.chemin === p || c.chemin.startsWith(p + ".") || c.chemin.startsWith(p + "[")));
}

function showOutline() {
  const list = $("items");
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#items") ? document.activeElement.dataset.numero : null;
  list.replaceChildren();
  const counts = { complet: 0, a_completer: 0, manquant: 0 };
  for (const item of entries()) {
    const css = statusClass[item.statut] || "";
    if (css) counts[css] += 1;
    const found = findingsUnder(item.chemins || []);
    const errors = found.filter((c) => c.niveau === "erreur").length;
    const button = el("button", { type: "button", "data-numero": item.numero, "aria-current": state.item === item.numero ? "true" : null,
      onclick: () => openItem(item.numero) },
      el("span", { class: "icone", "aria-hidden": "true" }, statusIcon[css] || "•"),
      el("span", { class: "numero" }, item.statut === null ? "" : item.numero),
      el("span", { class: "intitule" }, item.titre),
      item.statut ? el("span", { class: "etat" }, item.statut + (item.niveau_plan ? " — " + levelOf(item) : "")) : null,
      item.statut && item.statut !== "complet" && item.manques && item.manques.length ? el("span", { class: "manques" }, item.manques.join(" ; ")) : null,
      found.length ? el("span", { class: "nb-constats" + (errors ? " erreur" : "") }, errors ? counted(errors, "erreur", "erreurs") : counted(found.length, "avertissement", "avertissements")) : null);
    list.append(el("li", { class: css + " niveau-" + depth(item) }, button));
  }
  $("resume").textContent = counted(counts.complet, "complet", "complets") + ", " + counts.a_completer + " à compléter, " + counted(counts.manquant, "manquant", "manquants") + (state.label ? " — label " + state.label : "");
  if (focused) {
    const again = list.querySelector('[data-numero="' + CSS.escape(focused) + '"]');
    if (again) again.focus();
  }
}

function openItem(numero) {
  const all = entries();
  const item = all.find((i) => i.numero === numero);
  if (!item) return;
  // A sub-item opens in its item's form, scrolled to its section.
  let top = item;
  if (item.statut !== null) {
    const parts = String(numero).split(".");
    while (parts.length > 2) {
      parts.pop();
      const parent = all.find((i) => i.numero === parts.join("."));
      if (parent) top = parent;
    }
  }
  state.item = top.numero;
  showOutline();
  renderForm();
  const section = document.querySelector('[data-section="' + CSS.escape(numero) + '"]');
  if (section && section !== $("formulaire").firstElementChild) section.scrollIntoView({ block: "start" });
  const heading = section && section.querySelector("h2, h3, h4");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
  scrollPreview(item);
}

// ─── Forms ──────────────────────────────────────────────────────────────────────────────────

/** Controls of the form shown, by path: to place findings and messages. */
let fields = new Map();

function renderForm() {
  const main = $("formulaire");
  const scroll = main.scrollTop;
  const focusedPath = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.chemin : null;
  fields = new Map();
  main.replaceChildren();
  if (!state.schema) return;
  const all = entries();
  const item = all.find((i) => i.numero === state.item) || all[0];
  state.item = item.numero;
  main.append(itemSection(item, all, 2));
  placeFindings();
  main.scrollTop = scroll;
  if (focusedPath) {
    const again = main.querySelector('[data-chemin="' + CSS.escape(focusedPath) + '"]');
    if (again) again.focus({ preventScroll: true });
  }
}

function descendants(item, all) {
  if (item.statut === null) return [];
  const prefix = item.numero + ".";
  return all.filter((i) => i.statut !== null && String(i.numero).startsWith(prefix));
}

function itemSection(item, all, level) {
  const section = el("section", { class: "item", "data-section": item.numero });
  const heading = el("h" + level, { id: newId("titre") }, (item.statut === null ? "" : item.numero + " ") + item.titre);
  section.append(heading);
  if (item.statut) {
    section.append(statusLine(item));
  }
  if (item.attendu) section.append(el("p", { class: "attendu" }, el("strong", {}, "Attendu : "), item.attendu));
  section.append(el("ul", { class: "constats-item", "data-constats": item.numero }));
  const below = descendants(item, all);
  const children = below.filter((d) => String(d.numero).split(".").length === String(item.numero).split(".").length + 1);
  const claimedBelow = new Set(below.flatMap((d) => d.chemins || []));
  const claimedElsewhere = new Set(all.filter((i) => i !== item).flatMap((i) => i.chemins || []));
  const context = { item, claimed: claimedElsewhere, actualiser: /actualiser/.test(item.niveau_plan || "") };
  for (const path of item.chemins || []) {
    if (claimedBelow.has(path)) continue;
    section.append(fieldFor(path, context, true));
  }
  for (const child of children) section.append(itemSection(child, all, Math.min(level + 1, 4)));
  if (item.numero === "annexes") section.append(annexForm());
  return section;
}

/** The line under an item's title: its status and level. */
function statusLine(item) {
  const css = statusClass[item.statut] || "";
  return el("p", { class: "statut-item " + css }, el("span", { "aria-hidden": "true" }, (statusIcon[css] || "") + " "),
    item.statut + (item.niveau_plan ? " — information " + levelOf(item) : ""));
}

/** The control or group of controls for the value at `path`. */
function fieldFor(path, context, top) {
  const segments = parsePath(path);
  const key = segments[segments.length - 1];
  const node = schemaAt(path);
  const s = shape(node, key, path);
  const value = getAt(state.valeurs, path);
  if (s.kind === "objet") {
    const props = s.d.properties || {};
    const children = Object.keys(props)
      .filter((k) => k !== "inchange" || context.actualiser || getAt(state.valeurs, joinPath(path, k)) === true)
      .filter((k) => !context.claimed.has(joinPath(path, k)))
      .sort((a, b) => order(a) - order(b));
    const inner = children.map((k) => fieldFor(joinPath(path, k), context, false));
    if (top) return el("div", { class: "groupe" }, ...inner);
    const id = newId("legende");
    return el("fieldset", { class: "groupe", "data-chemin-groupe": path },
      el("legend", { id }, titleOf(s.d, key)),
      helpOf(s.d, key) ? el("p", { class: "aide" }, helpOf(s.d, key)) : null, ...inner);
  }
  if (s.kind === "tableau") return grid(path, s, key);
  return field(path, s, key, value);
}

/** Narrative first, the unchanged box just after it, the rest in the order the model declares them. */
function order(key) {
  return key === "texte" ? 0 : key === "inchange" ? 1 : 2;
}

/** A labelled control for one value, with its description and a place for messages. */
function field(path, s, key, value) {
  const id = newId("champ");
  const help = helpOf(s.d, key) ? el("p", { class: "aide", id: id + "-aide" }, helpOf(s.d, key)) : null;
  const message = el("div", { class: "message", id: id + "-message", "aria-live": "polite" });
  const describedBy = [help ? id + "-aide" : null, id + "-message"].filter(Boolean).join(" ");
  const wrapper = el("div", { class: "champ champ-" + s.kind, "data-champ": path });
  const title = titleOf(s.d, key);
  const control = makeControl(s, key, value, {
    id, label: title, describedBy, path,
    commit: (v) => sendField(path, v),
    invalid: (text) => showMessage(message, text, "erreur"),
  });
  const preview = s.kind === "texte" && markdownOn() ? markdownPreview(control.node) : null;
  if (control.group) {
    wrapper.append(el("fieldset", { "aria-describedby": describedBy }, el("legend", {}, title), help, control.node), message);
  } else {
    // append() would write a missing help or preview as the text « null ».
    wrapper.append(...[el("label", { for: id }, title), help, control.node, preview, message].filter(Boolean));
  }
  fields.set(path, { wrapper, message, control: control.node });
  if (path === "cite.label") labelFromCommandLine(wrapper, control.node);
  return wrapper;
}

/** With `--label` on the command line, the label is the command line's for the whole session:
 *  the file's menu is shown disabled, with why, rather than changing nothing while saying « à jour ». */
function labelFromCommandLine(wrapper, control) {
  if (!state.labelImpose) return;
  control.disabled = true;
  const phases = ((state.schema["x-formulaires"] || {}).vocabulaires || {}).Phase || [];
  const name = (phases.find((p) => p.cle === state.labelImpose) || { libelle: state.labelImpose }).libelle;
  wrapper.append(el("p", { class: "aide" }, "Le label est fixé par la ligne de commande (--label " + state.labelImpose + " : " + name + ") : ce menu est sans effet tant que l'éditeur tourne ainsi. Relancez cdm-render edit sans --label pour suivre le label du fichier."));
}

/** Whether the dossier reads its texts as Markdown (`[apparence] markdown = true`). */
function markdownOn() {
  return Boolean(state.valeurs && state.valeurs.apparence && state.valeurs.apparence.markdown === true);
}

/** Under a text area of a dossier that reads Markdown: the text as the PDF will format it,
 *  following the typing. The HTML comes from the server (`POST /api/markdown`: the PDF's own
 *  parser, HTML written in the text turned into text, links only to http(s) and mailto), never
 *  from the text itself, so nothing typed can inject markup into the page. */
function markdownPreview(area) {
  const titleId = area.id + "-md";
  const content = el("div", { class: "contenu" });
  const box = el("div", { class: "apercu-md", role: "region", "aria-labelledby": titleId, hidden: "" },
    el("p", { class: "titre-apercu-md", id: titleId }, "Aperçu de la mise en forme"), content);
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const text = area.value;
    const n = ++asked;
    if (!text.trim()) { content.replaceChildren(); box.hidden = true; return; }
    try {
      const reply = await api("POST", "/api/markdown", { texte: text });
      if (n !== asked) return;
      content.innerHTML = reply.html;
      for (const a of content.querySelectorAll("a")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      box.hidden = false;
    } catch (error) {
      // The last preview stays; the text itself is what is sent.
    }
  };
  area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  refresh();
  return box;
}

function showMessage(box, text, level) {
  box.replaceChildren();
  if (text) box.append(el("p", { class: level }, text));
  const control = box.parentElement && box.parentElement.querySelector("input, select, textarea");
  if (control && level === "erreur") control.setAttribute("aria-invalid", text ? "true" : "false");
}

/** A change the server refused (422): its message at the control sent, and at each field it
 *  names (`champs`: the cell of a row) when that field has a control in the form. */
function showRefusal(path, error) {
  fieldMessage(path, error.message);
  for (const champ of error.body.champs || []) {
    const f = champ !== path && fields.get(champ);
    if (f) showMessage(f.message, error.message.replace(/^valeur refusée, rien n'a été écrit : /, ""), "erreur");
  }
  say("Non enregistré : " + error.message);
}

function fieldMessage(path, text) {
  const f = fields.get(path);
  if (f) showMessage(f.message, text, "erreur");
  else alertUser(text);
}

/** Builds the control of a value: returns {node, group}. `o.commit(value)` sends a value the
 *  control accepts; `o.invalid(message)` shows why a value is refused (it is then not sent). */
function makeControl(s, key, value, o) {
  const common = { id: o.id, "aria-describedby": o.describedBy, "data-chemin": o.path };
  const typing = (node, read) => {
    // Text is sent when the control is left, and after a pause in typing.
    let timer = null;
    const flush = () => {
      clearTimeout(timer);
      if (node.dataset.modifie !== "1") return;
      const result = read();
      if (result.erreur) { o.invalid(result.erreur); return; }
      o.invalid("");
      node.dataset.modifie = "0";
      o.commit(result.valeur);
    };
    node.addEventListener("input", () => { node.dataset.modifie = "1"; clearTimeout(timer); timer = setTimeout(flush, 900); });
    node.addEventListener("change", flush);
    node.addEventListener("blur", flush);
    return node;
  };
  switch (s.kind) {
    case "texte": {
      const area = el("textarea", Object.assign({ rows: key === "texte" ? 8 : 4 }, common));
      area.value = value ?? "";
      return { node: typing(area, () => ({ valeur: area.value })) };
    }
    case "ligne": {
      const input = el("input", Object.assign({ type: "text" }, common));
      input.value = value ?? "";
      return { node: typing(input, () => ({ valeur: s.nullable && input.value === "" ? null : input.value })) };
    }
    case "nombre": {
      const input = el("input", Object.assign({ type: "text", inputmode: "decimal", autocomplete: "off" }, common));
      input.value = formatNumber(value, s.annee);
      return { node: typing(input, () => {
        const text = input.value.trim();
        if (text === "") return { valeur: null };
        const n = parseNumber(text);
        if (n === null) {
          if (s.texteAdmis && /^n\.?\s?d\.?$/i.test(text)) return { valeur: "nd" };
          if (s.annee) return { erreur: "« " + text + " » n'est pas une année : écrivez-la en chiffres, par exemple 2025." };
          return { erreur: "« " + text + " » n'est pas un nombre : écrivez par exemple 12 500,5" + (s.texteAdmis ? " (ou nd si la valeur n'est pas disponible)" : "") + "." };
        }
        if (s.entier && !Number.isInteger(n)) return { erreur: "« " + text + " » : un nombre entier est attendu (sans virgule)." };
        return { valeur: n };
      }) };
    }
    case "date": {
      const input = el("input", Object.assign({ type: "date" }, common));
      input.value = typeof value === "string" ? value.slice(0, 10) : "";
      input.addEventListener("change", () => {
        if (input.validity.badInput) { o.invalid("Date incomplète : choisissez le jour, le mois et l'année."); return; }
        o.invalid("");
        o.commit(input.value === "" ? null : input.value);
      });
      return { node: input };
    }
    case "case": {
      const input = el("input", Object.assign({ type: "checkbox" }, common));
      input.checked = value === true;
      input.addEventListener("change", () => o.commit(input.checked));
      return { node: input };
    }
    case "liste":
    case "partenaire": {
      const select = el("select", common);
      const options = s.kind === "liste" ? s.choix : partnerNames().map((n) => [n, n]);
      select.append(el("option", { value: "" }, "— choisir —"));
      const known = options.some(([v]) => v === value);
      for (const [v, label] of options) select.append(el("option", { value: String(v) }, label));
      // A value written by hand outside the list stays shown as it is.
      if (value && !known) select.append(el("option", { value: String(value) }, String(value) + " (hors liste)"));
      select.value = value ?? "";
      select.addEventListener("change", () => o.commit(select.value === "" ? null : select.value));
      return { node: select };
    }
    case "cases":
    case "partenaires": {
      const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
      const options = s.kind === "cases" ? s.choix : partnerNames().map((n) => [n, n]);
      const box = el("div", { class: "cases", role: "group", "aria-label": o.label, "data-chemin": o.path });
      if (!options.length) box.append(el("p", { class: "aide" }, "Déclarez d'abord les partenaires (item 4.1) : ils apparaîtront ici."));
      const read = () => Array.from(box.querySelectorAll("input:checked")).map((i) => i.value);
      for (const [v, label] of options) {
        const id = newId("case");
        const input = el("input", { type: "checkbox", id, value: String(v) });
        // « Financeur » written by hand counts as « financeur ».
        input.checked = chosen.has(String(v)) || Array.from(chosen).some((c) => strip(c) === strip(String(v)));
        input.addEventListener("change", () => o.commit(read()));
        box.append(el("span", { class: "case" }, input, el("label", { for: id }, label)));
      }
      return { node: box, group: true };
    }
    case "lignes": {
      const area = el("textarea", Object.assign({ rows: 4 }, common));
      area.value = Array.isArray(value) ? value.join("\n") : "";
      const wrap = el("div", {}, area, el("p", { class: "aide" }, "Une entrée par ligne."));
      typing(area, () => ({ valeur: area.value.split("\n").map((l) => l.trim()).filter(Boolean) }));
      return { node: wrap };
    }
    case "fichier":
      return { node: fileControl(o, value) };
    default: {
      const input = el("input", Object.assign({ type: "text", readonly: true }, common));
      input.value = value === undefined ? "" : JSON.stringify(value);
      return { node: input };
    }
  }
}

// ─── Files ──────────────────────────────────────────────────────────────────────────────────

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function uploadFile(path, file, description) {
  return serial(async () => {
    try {
      say("Envoi de " + file.name + "…");
      const body = { version: state.version, chemin: path, nom: file.name, contenu: await readBase64(file) };
      if (description !== undefined) body.description = description;
      const reply = await api("POST", "/api/fichier", body);
      absorb(reply);
      say(file.name + " copié dans le dossier");
      return reply;
    } catch (error) {
      say("Fichier non enregistré");
      if (error instanceof ApiError) {
        if (!(await refused(error))) fieldMessage(path, error.message);
      } else alertUser("Fichier illisible : " + error);
      return null;
    }
  });
}

function fileControl(o, value) {
  const input = el("input", { type: "file", id: o.id, "aria-describedby": o.describedBy, "data-chemin": o.path });
  const current = el("p", { class: "fichier-actuel" }, value ? "Fichier actuel : " + value : "Aucun fichier choisi.");
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    // The server copies the file into the dossier's folder and writes its name in the field.
    if (await uploadFile(o.path, file)) await reload();
  });
  return el("div", {}, current, input);
}

// ─── Tables ─────────────────────────────────────────────────────────────────────────────────

/** Columns that name a row come first (the schema lists keys in alphabetical order). */
const NAMING = ["nom", "titre", "intitule", "libelle", "poste", "action", "jour", "annee", "mois"];
function naming(key) {
  const i = NAMING.indexOf(key);
  return i < 0 ? NAMING.length : i;
}

function columnsOf(path, s) {
  const table = state.tableaux[path];
  const props = s.items.properties || {};
  const keys = (table && table.colonnes ? table.colonnes.map((c) => c.cle) : Object.keys(props)).slice().sort((a, b) => naming(a) - naming(b));
  return keys.map((k) => {
    const fromTable = table && table.colonnes ? table.colonnes.find((c) => c.cle === k) : null;
    const node = props[k] || {};
    const sh = shape(node, k);
    return { cle: k, titre: (fromTable && fromTable.titre) || titleOf(sh.d, k), shape: sh, obligatoire: !!(fromTable && fromTable.obligatoire) };
  });
}

function grid(path, s, key) {
  const table = state.tableaux[path];
  const readOnly = !!(table && (table.lecture_seule || table.source === "classeur"));
  const saved = (currentRows(path) || []).length;
  // Rows being filled in (kept in the page until their required cells are) follow the file's.
  const rows = (clone(currentRows(path)) || []).concat(clone(draftsOf(path)));
  const columns = columnsOf(path, s);
  const captionId = newId("tableau");
  const wrapper = el("div", { class: "grille", "data-champ": path, "data-tableau": path });
  const title = titleOf(s.d, key);
  // A title, not a heading: grids sit at every depth of the form.
  wrapper.append(el("p", { class: "titre-grille", id: captionId }, title));
  if (helpOf(s.d, key)) wrapper.append(el("p", { class: "aide" }, helpOf(s.d, key)));
  if (table && table.source === "csv") wrapper.append(el("p", { class: "source" }, "Tableau tenu dans le fichier « " + table.fichier + " » : vos modifications y sont écrites (même séparateur, même encodage)."));
  if (readOnly) {
    wrapper.append(el("p", { class: "source lecture-seule" }, "Ce tableau est lu dans un classeur : modifiez la feuille « " + (table.feuille || "") + " » du classeur « " + (table.fichier || "") + " » ; la page le relit quand le classeur change."));
  }
  const message = el("div", { class: "message", "aria-live": "polite" });
  fields.set(path, { wrapper, message, control: null });
  const commit = (next) => sendRows(path, next);
  const tableEl = el("table", { "aria-labelledby": captionId });
  const head = el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c.titre)));
  if (!readOnly) head.append(el("th", { scope: "col" }, "Actions"));
  tableEl.append(el("thead", {}, head));
  const body = el("tbody");
  rows.forEach((row, r) => {
    const tr = el("tr", { "data-ligne": r, "data-brouillon": r >= saved ? r - saved : null });
    for (const c of columns) {
      const cellPath = path + "[" + r + "]." + c.cle;
      // Named with its table: two grids of one page have columns of the same title.
      const cellLabel = c.titre + ", ligne " + (r + 1) + " — " + title;
      const id = newId("cellule");
      const td = el("td", { "data-champ": cellPath });
      if (readOnly) {
        td.append(formatCell(row ? row[c.cle] : undefined, isYearKey(c.cle)));
      } else {
        const cellMessage = el("div", { class: "message", id: id + "-message" });
        // One line per cell: a multi-line box per cell made rows too tall to read a table.
        const cellShape = c.shape.kind === "texte" ? Object.assign({}, c.shape, { kind: "ligne" }) : c.shape;
        const control = makeControl(cellShape, c.cle, row ? row[c.cle] : undefined, {
          id, label: cellLabel, describedBy: id + "-message", path: cellPath,
          commit: (v) => {
            if (r >= saved) return commitDraft(path, r - saved, c.cle, v, columns);
            const next = clone(currentRows(path));
            next[r] = Object.assign({}, next[r]);
            if (v === null) delete next[r][c.cle]; else next[r][c.cle] = v;
            return commit(next);
          },
          invalid: (text) => showMessage(cellMessage, text, "erreur"),
        });
        // Cells have no visible label of their own: the column and the row name them.
        const labelled = control.node.matches("input, select, textarea") ? control.node : control.node.querySelector("input, select, textarea");
        if (!control.group && labelled) labelled.setAttribute("aria-label", cellLabel);
        td.append(control.node, cellMessage);
        fields.set(cellPath, { wrapper: td, message: cellMessage, control: control.node });
      }
      tr.append(td);
    }
    if (!readOnly && r >= saved) tr.append(draftActions(path, r - saved, r, columns));
    if (!readOnly && r >= saved) tr.classList.add("brouillon");
    if (!readOnly && r < saved) {
      const move = (delta) => {
        const next = clone(currentRows(path));
        const [moved] = next.splice(r, 1);
        next.splice(r + delta, 0, moved);
        commit(next).then(() => {
          renderForm();
          const again = document.querySelector('[data-tableau="' + CSS.escape(path) + '"] tr[data-ligne="' + (r + delta) + '"] button');
          if (again) again.focus();
        });
      };
      tr.append(el("td", { class: "actions" },
        el("button", { type: "button", "aria-label": "Monter la ligne " + (r + 1) + " — " + title, disabled: r === 0, onclick: () => move(-1) }, "↑"),
        el("button", { type: "button", "aria-label": "Descendre la ligne " + (r + 1) + " — " + title, disabled: r >= saved - 1, onclick: () => move(1) }, "↓"),
        el("button", { type: "button", "aria-label": "Supprimer la ligne " + (r + 1) + " — " + title, onclick: () => {
          const next = clone(currentRows(path));
          next.splice(r, 1);
          commit(next).then(renderForm);
        } }, "Supprimer")));
    }
    body.append(tr);
  });
  tableEl.append(body);
  // The grid scrolls sideways when wide: reachable with the keyboard to scroll it.
  wrapper.append(el("div", { class: "defile", tabindex: "0", role: "region", "aria-labelledby": captionId }, tableEl));
  if (!rows.length) wrapper.append(el("p", { class: "vide" }, "Aucune ligne."));
  if (!readOnly) {
    const pasteId = newId("coller");
    const paste = el("textarea", { id: pasteId, rows: 4, class: "zone-coller", "data-coller": path,
      placeholder: "Collez ici (Ctrl+V) des cellules copiées dans Excel ou LibreOffice" });
    paste.addEventListener("paste", (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      if (!text) return;
      event.preventDefault();
      pasteBlock(path, text, paste, message, columns);
    });
    paste.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.ctrlKey && paste.value.trim()) { event.preventDefault(); pasteBlock(path, paste.value, paste, message, columns); }
    });
    wrapper.append(
      el("div", { class: "boutons" },
        el("button", { type: "button", "data-ajouter": path, onclick: () => {
          // A new row lacks its required cells: it stays in the page until they are filled.
          draftsOf(path).push(emptyRow(columns));
          renderForm();
          const last = document.querySelector('[data-tableau="' + CSS.escape(path) + '"] tbody tr:last-child input, [data-tableau="' + CSS.escape(path) + '"] tbody tr:last-child textarea, [data-tableau="' + CSS.escape(path) + '"] tbody tr:last-child select');
          if (last) last.focus();
        } }, "Ajouter une ligne")),
      el("label", { for: pasteId }, "Coller un bloc de cellules (séparées par des tabulations ; une première ligne d'en-têtes est reconnue)"),
      paste);
    // A block pasted on any cell of the grid is a block of rows, not one cell's text.
    tableEl.addEventListener("paste", (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      if (!/[\t\n]/.test(text.trim())) return;
      event.preventDefault();
      pasteBlock(path, text, paste, message, columns);
    });
  }
  wrapper.append(message);
  return wrapper;
}

// ─── Rows being filled in ──────────────────────────────────────────────────────────────────

/** Rows added in the page and not yet written, by table: the server refuses a row without its
 *  required cells, so a new row lives here until they are filled, then is sent with the others. */
const drafts = new Map();

function draftsOf(path) {
  if (!drafts.has(path)) drafts.set(path, []);
  return drafts.get(path);
}

const filled = (v) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && !v.length);

/** The titles of the required columns a row still lacks. */
function missingCells(row, columns) {
  return columns.filter((c) => c.obligatoire && !filled(row[c.cle])).map((c) => c.titre);
}

/** A cell of a row being filled in: kept in the page, and the row sent once complete (then it
 *  leaves the drafts; a refusal keeps it there, with the server's message at its cells). */
async function commitDraft(path, d, key, value, columns) {
  const list = draftsOf(path);
  const row = Object.assign({}, list[d]);
  if (value === null) delete row[key]; else row[key] = value;
  list[d] = row;
  const missing = missingCells(row, columns);
  if (missing.length) {
    const note = document.querySelector('[data-tableau="' + CSS.escape(path) + '"] tr[data-brouillon="' + d + '"] .note');
    if (note) note.textContent = draftNote(missing);
    say("Ligne en cours, pas encore enregistrée");
    return false;
  }
  const complete = Object.fromEntries(Object.entries(row).filter(([, v]) => filled(v)));
  const written = await sendRows(path, clone(currentRows(path)).concat([complete]));
  if (written) {
    draftsOf(path).splice(d, 1);
    renderForm();
  }
  // Refused: the row stays a draft; sendRows has drawn the form again with the message.
  return written;
}

function draftNote(missing) {
  return missing.length ? "Ligne non enregistrée : remplissez " + missing.join(", ") : "Ligne en cours d'enregistrement";
}

/** The actions of a row being filled in: what it still lacks, and removing it. */
function draftActions(path, d, r, columns) {
  const row = draftsOf(path)[d] || {};
  return el("td", { class: "actions" },
    el("span", { class: "note" }, draftNote(missingCells(row, columns))),
    el("button", { type: "button", "aria-label": "Supprimer la ligne " + (r + 1) + " (non enregistrée)", onclick: () => {
      draftsOf(path).splice(d, 1);
      renderForm();
    } }, "Supprimer"));
}

function formatCell(value, plain) {
  if (Array.isArray(value)) return value.join(", ");
  return formatNumber(value, plain);
}

function emptyRow(columns) {
  const row = {};
  for (const c of columns) if (["ligne", "texte"].includes(c.shape.kind)) row[c.cle] = "";
  return row;
}

/** Sends a pasted block to the server, which reads it with the spreadsheet rules; the rows are
 *  added only when none is refused, else the block stays in the paste box with the messages. */
async function pasteBlock(path, text, box, message, columns) {
  try {
    say("Lecture du bloc collé…");
    const reply = await api("POST", "/api/coller", { chemin: path, texte: text, colonnes: columns.map((c) => c.cle) });
    const errors = (reply.constats || []).filter((c) => c.niveau === "erreur");
    if (errors.length) {
      box.value = text;
      message.replaceChildren(el("p", { class: "erreur" }, "Bloc non ajouté :"), ...errors.map((c) => el("p", { class: "erreur" }, (c.lieu ? c.lieu + " : " : "") + c.message + (c.aide ? " — " + c.aide : ""))));
      say("Bloc collé refusé");
      return;
    }
    const existing = clone(currentRows(path)).filter((r) => r && Object.values(r).some((v) => v !== "" && v !== null && !(Array.isArray(v) && !v.length)));
    const next = existing.concat(reply.lignes || []);
    if (await sendRows(path, next)) {
      box.value = "";
      renderForm();
      say(counted((reply.lignes || []).length, "ligne ajoutée", "lignes ajoutées") + (reply.message ? " ; " + reply.message : ""));
      const warnings = (reply.constats || []).filter((c) => c.niveau !== "erreur");
      const f = fields.get(path);
      const notes = warnings.map((c) => el("p", { class: "avertissement" }, (c.lieu ? c.lieu + " : " : "") + c.message));
      if (reply.message) notes.push(el("p", { class: "information" }, reply.message));
      if (notes.length && f) f.message.replaceChildren(...notes);
    }
  } catch (error) {
    if (error instanceof ApiError) {
      box.value = text;
      message.replaceChildren(el("p", { class: "erreur" }, error.message));
      await refused(error);
    } else alertUser("Le serveur ne répond pas (cdm-render edit est-il arrêté ?)");
  }
}

// ─── Annexes ────────────────────────────────────────────────────────────────────────────────

/** The form to add an annex: its file, title and description asked for at once. */
function annexForm() {
  const ids = { titre: newId("annexe"), description: newId("annexe"), fichier: newId("annexe") };
  const message = el("div", { class: "message", "aria-live": "polite" });
  const titre = el("input", { type: "text", id: ids.titre, "data-annexe": "titre" });
  const description = el("textarea", { id: ids.description, rows: 3, "data-annexe": "description" });
  const fichier = el("input", { type: "file", id: ids.fichier, accept: ".pdf,.png,.jpg,.jpeg,.svg", "data-annexe": "fichier" });
  const add = async () => {
    const file = fichier.files && fichier.files[0];
    const missing = [];
    if (!file) missing.push("le fichier");
    if (!titre.value.trim()) missing.push("le titre");
    if (!description.value.trim()) missing.push("la description (lue par les lecteurs d'écran)");
    if (missing.length) { showMessage(message, "Indiquez " + missing.join(", ") + ".", "erreur"); return; }
    showMessage(message, "", "erreur");
    // The file goes first, with its description, into a new annex; then its title.
    const index = currentRows("annexes").length;
    const reply = await uploadFile("annexes[" + index + "].fichier", file, description.value.trim());
    if (!reply) return;
    if (await sendField("annexes[" + index + "].titre", titre.value.trim())) {
      await reload();
      say("Annexe « " + titre.value.trim() + " » ajoutée");
    }
  };
  return el("fieldset", { class: "ajout-annexe" }, el("legend", {}, "Ajouter une annexe"),
    el("label", { for: ids.fichier }, "Fichier (PDF, PNG, JPEG ou SVG)"), fichier,
    el("label", { for: ids.titre }, "Titre de l'annexe"), titre,
    el("label", { for: ids.description }, "Ce que montre l'annexe (lu par les lecteurs d'écran)"), description,
    el("div", { class: "boutons" }, el("button", { type: "button", onclick: add, "data-annexe": "joindre" }, "Joindre l'annexe")), message);
}

// ─── Findings ───────────────────────────────────────────────────────────────────────────────

/** Shows each finding at the control of its path (or of the nearest enclosing path), and the
 *  findings of the form's items that have no control here in the item's list. */
function placeFindings() {
  document.querySelectorAll("#formulaire .constat").forEach((n) => n.remove());
  document.querySelectorAll("#formulaire [data-constats]").forEach((n) => n.replaceChildren());
  // Controls marked by the previous findings only (not by a value the control refused).
  document.querySelectorAll('#formulaire [data-invalide-constat="1"]').forEach((n) => {
    n.removeAttribute("data-invalide-constat");
    n.setAttribute("aria-invalid", "false");
  });
  const main = $("formulaire");
  for (const finding of state.constats) {
    if (!finding.chemin) continue;
    let path = finding.chemin;
    let target = null;
    while (path) {
      target = main.querySelector('[data-champ="' + CSS.escape(path) + '"]');
      if (target) break;
      const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = cut > 0 ? path.slice(0, cut) : "";
    }
    const text = (finding.niveau === "erreur" ? "Erreur : " : "Avertissement : ") + finding.message + (finding.aide ? " — " + finding.aide : "");
    const note = el("p", { class: "constat " + finding.niveau, "data-constat": finding.chemin }, text);
    if (target) {
      target.append(note);
      const control = target.querySelector("input, select, textarea");
      if (control && finding.niveau === "erreur" && control.getAttribute("aria-invalid") !== "true") {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("data-invalide-constat", "1");
      }
    } else {
      const section = entries().find((i) => (i.chemins || []).some((p) => finding.chemin === p || finding.chemin.startsWith(p + ".") || finding.chemin.startsWith(p + "[")));
      const list = section && main.querySelector('[data-constats="' + CSS.escape(section.numero) + '"]');
      if (list) list.append(el("li", { class: "constat " + finding.niveau }, text + " (" + (finding.titre || finding.chemin) + ")"));
    }
  }
}

// ─── Versions ───────────────────────────────────────────────────────────────────────────────

/** What the write after a kept version changed, in the user's terms: the item, else the field. */
function versionChange(v) {
  if (v.modification === "restauration") return " — avant une restauration";
  const what = v.modification_titre || v.modification;
  if (v.item) return " — avant une modification de « " + v.item + " » (" + what + ")";
  if (v.modification) return " — avant une modification de « " + what + " »";
  return "";
}

async function showVersions() {
  const dialog = $("versions");
  const list = $("versions-liste");
  list.replaceChildren(el("li", {}, "Chargement…"));
  if (!dialog.open) dialog.showModal();
  try {
    const reply = await api("GET", "/api/versions");
    const versions = Array.isArray(reply) ? reply : reply.versions || [];
    list.replaceChildren();
    if (!versions.length) list.append(el("li", {}, "Aucune version enregistrée pour l'instant."));
    for (const v of versions) {
      const when = v.date_texte || v.date || v.id;
      // The dossier's versions and those of the CSV files the page wrote tables into.
      const file = v.fichier ? " — " + v.fichier : "";
      list.append(el("li", {}, el("span", {}, String(when) + versionChange(v) + file), " ",
        el("button", { type: "button", "aria-label": "Restaurer la version du " + when + file, onclick: async () => {
          try {
            const restored = await serial(() => api("POST", "/api/restaurer", { version: state.version, id: v.id }));
            absorb(restored);
            await reload();
            dialog.close();
            say("Version du " + when + " restaurée");
          } catch (error) {
            if (error instanceof ApiError) await refused(error);
          }
        } }, "Restaurer")));
    }
  } catch (error) {
    list.replaceChildren(el("li", {}, "Liste des versions indisponible : " + error.message));
  }
}

// ─── Preview ────────────────────────────────────────────────────────────────────────────────
// Each page is an image of /page/N.svg that the browser loads only when it comes near the
// view (`loading="lazy"`): the preview follows every change, so refetching every page and
// building every text layer at each render (as the preview of `watch --serve` does) kept the
// page busy and used a gigabyte on a long session. The text of the pages is read only to find
// where an item is set, when the item is opened.

const pagesEl = $("pages");
let generation = "";
let pageCount = 0;
const headingPage = new Map(); // numero → page index, for the generation it was found in

/** Each page's hash in the last render: a page whose hash did not change keeps its address, so
 *  the browser does not fetch it again. */
let pageHashes = [];

function pageUrl(i, extension) {
  const stamp = pageHashes[i] || generation;
  return "/page/" + (i + 1) + "." + extension + "?jeton=" + encodeURIComponent(jeton) + "&v=" + encodeURIComponent(stamp);
}

function showPreview(info) {
  generation = String(info.generation ?? "");
  pageCount = Number(Array.isArray(info.pages) ? info.pages.length : info.pages) || 0;
  pageHashes = Array.isArray(info.empreintes) ? info.empreintes.map(String) : [];
  headingPage.clear();
  for (let i = 0; i < pageCount; i++) {
    let node = pagesEl.children[i];
    if (!node) {
      node = el("div", { class: "page", "data-page": String(i + 1) },
        el("img", { alt: "Page " + (i + 1) + " du PDF", loading: "lazy", width: "595", height: "842" }));
      pagesEl.append(node);
    }
    const img = node.querySelector("img");
    const src = pageUrl(i, "svg");
    if (img.getAttribute("src") !== src) img.src = src;
  }
  while (pagesEl.children.length > pageCount) pagesEl.lastElementChild.remove();
  $("apercu-statut").textContent = counted(pageCount, "page", "pages") + " — à jour";
  pagesEl.dataset.generation = generation;
}

/** The page where the item's heading is set: the run that reads its number in the largest
 *  type (the table of contents also lists it, smaller); pages read from the last one found. */
async function findHeading(item) {
  if (headingPage.has(item.numero)) return headingPage.get(item.numero);
  const asked = generation;
  let best = null;
  for (let i = 0; i < pageCount && asked === generation; i++) {
    let data;
    try {
      const response = await fetch(pageUrl(i, "json"), { cache: "no-store" });
      if (!response.ok) return null;
      data = await response.json();
    } catch (e) {
      return null;
    }
    for (const run of data.texte || []) {
      const text = String(run.texte).trim();
      if ((text === String(item.numero) || text.startsWith(item.numero + " ")) && (!best || run.taille > best.taille)) {
        best = { page: i, taille: run.taille };
      }
    }
  }
  if (best && asked === generation) headingPage.set(item.numero, best.page);
  return best ? best.page : null;
}

async function scrollPreview(item) {
  if (!item) return;
  if (item.statut === null) {
    if (item.numero === "couverture") pagesEl.parentElement.scrollTop = 0;
    return;
  }
  const page = await findHeading(item);
  if (page === null || state.item === null) return;
  const node = pagesEl.children[page];
  if (node) node.scrollIntoView({ block: "start" });
}

function listen() {
  const events = new EventSource("/api/evenements?jeton=" + encodeURIComponent(jeton));
  events.addEventListener("dossier", async (event) => {
    const data = JSON.parse(event.data || "{}");
    // Compared once the page's own writes under way have answered: the event of a write by
    // this page may arrive before its answer.
    await serial(async () => {
      if (data.version && data.version !== state.version && !ownVersions.has(data.version)) {
        // Changed on disk by another program: its values replace the page's.
        const unsent = setAsideTyping();
        await reload();
        say("Dossier modifié sur le disque : valeurs rechargées");
        offerBackTyping(unsent);
      } else if (data.tableaux && data.tableaux !== state.versionTableaux && !ownVersions.has(data.tableaux)) {
        // A table's file (a CSV file, a workbook) changed: its rows are read again.
        await reload();
        say("Tableau modifié sur le disque : valeurs rechargées");
      }
    });
  });
  events.addEventListener("apercu", (event) => {
    showPreview(JSON.parse(event.data || "{}"));
  });
  events.addEventListener("erreur", (event) => {
    let data = {};
    try { data = JSON.parse(event.data || "{}"); } catch (e) { data = { message: event.data }; }
    $("apercu-statut").textContent = "Aperçu non mis à jour : " + (data.titre || data.message || "erreur de rendu") + " (le dernier aperçu réussi reste affiché)";
  });
  events.onerror = () => { $("apercu-statut").textContent = "Connexion perdue, nouvelle tentative…"; };
}

// ─── Typing not yet sent when the file changes on disk ──────────────────────────────────────

/** The text typed in the form and not yet sent, by path, with the value the page held for it;
 *  its pending send is cancelled (it would write over the file's new value). */
function setAsideTyping() {
  const unsent = new Map();
  document.querySelectorAll('#formulaire [data-modifie="1"][data-chemin]').forEach((node) => {
    node.dataset.modifie = "0";
    unsent.set(node.dataset.chemin, { texte: node.value, avant: clone(getAt(state.valeurs, node.dataset.chemin)) });
  });
  return unsent;
}

/** After a reload from disk, the text set aside: put back (to be sent) where the file did not
 *  change that field; where it did, the field shows the file's value, is marked in conflict,
 *  and offers the typed text back with a button — never kept or dropped silently. */
function offerBackTyping(unsent) {
  let conflicts = 0;
  for (const [path, typed] of unsent) {
    const f = fields.get(path);
    const disk = getAt(state.valeurs, path);
    if (!f || !f.control) { alertUser("Le champ « " + path + " » a été rechargé depuis le disque ; votre texte non envoyé : « " + typed.texte + " »"); conflicts += 1; continue; }
    if (JSON.stringify(disk ?? null) === JSON.stringify(typed.avant ?? null)) {
      f.control.value = typed.texte;
      f.control.dispatchEvent(new Event("input"));
      continue;
    }
    conflicts += 1;
    f.wrapper.classList.add("conflit");
    const takeBack = el("button", { type: "button", "data-reprendre": path, onclick: () => {
      f.control.value = typed.texte;
      f.wrapper.classList.remove("conflit");
      showMessage(f.message, "", "erreur");
      f.control.dispatchEvent(new Event("input"));
      f.control.focus();
    } }, "Reprendre mon texte");
    showMessage(f.message, "Ce champ a été modifié sur le disque pendant que vous écriviez : la valeur du fichier est affichée. Votre texte non envoyé : « " + typed.texte + " »", "erreur");
    f.message.append(takeBack);
  }
  if (conflicts) say("Dossier modifié sur le disque : " + counted(conflicts, "champ en conflit", "champs en conflit") + " avec votre saisie, voir le message au champ");
}

// ─── Start ──────────────────────────────────────────────────────────────────────────────────

$("annuler").addEventListener("click", undo);
$("retablir").addEventListener("click", redo);
$("ouvrir-versions").addEventListener("click", showVersions);

async function start() {
  try {
    state.schema = await api("GET", "/api/schema");
    await reload();
    const first = state.plan.find((i) => i.statut !== "complet");
    openItem(first ? first.numero : "couverture");
    say("Prêt");
    listen();
  } catch (error) {
    say("Échec du chargement");
    alertUser(error instanceof ApiError && error.status === 403
      ? "Accès refusé : ouvrez l'adresse complète (avec ?jeton=…) affichée par cdm-render edit."
      : "Le dossier ne peut pas être chargé : " + error.message);
  }
}

start();
