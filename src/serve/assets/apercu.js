// Live preview client: fetches the state after each "rendu" event and swaps only the pages
// whose hash changed, so the scroll position stays where the reader left it.
"use strict";

const pagesEl = document.getElementById("pages");
const shown = []; // hash of the page shown at each index
let busy = false;
let again = false;

const icons = { complet: "✓", a_completer: "◐", manquant: "✗" };
const statusText = { complet: "complet", a_completer: "à compléter", manquant: "manquant" };

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function pageElement(i, page) {
  let node = pagesEl.children[i];
  if (!node) {
    node = el("div", { class: "page", "data-page": String(i + 1) });
    node.append(el("img", { alt: "Page " + (i + 1) }), el("div", { class: "texte" }));
    pagesEl.append(node);
  }
  node.style.aspectRatio = page.largeur + " / " + page.hauteur;
  return node;
}

/** Fetches with a deadline: a request the browser or the network lost must not stall updates. */
async function fetchJson(url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 8000);
  try {
    const response = await fetch(url, { signal: controller.signal, cache: "no-store" });
    if (!response.ok) throw new Error(url + " : " + response.status);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

async function showPage(i, page) {
  const node = pageElement(i, page);
  const data = await fetchJson("/page/" + (i + 1) + ".json?v=" + page.hash);
  // The SVG goes through a blob URL: an isolated image (no clash between the glyph ids of
  // several pages) without a second request per page.
  const url = URL.createObjectURL(new Blob([data.svg], { type: "image/svg+xml" }));
  await new Promise((resolve) => {
    // Decoded off-screen first so that the swap does not flash an empty page.
    const img = new Image();
    img.onload = img.onerror = resolve;
    img.src = url;
  });
  const shownImg = node.querySelector("img");
  const old = shownImg.src;
  shownImg.src = url;
  if (old.startsWith("blob:")) URL.revokeObjectURL(old);
  const layer = el("div", { class: "texte" });
  const spans = data.texte.map((run) => {
    const span = el("span", {}, run.texte);
    span.style.left = (100 * run.x) / page.largeur + "%";
    span.style.top = (100 * (run.y - 0.8 * run.taille)) / page.hauteur + "%";
    span.style.fontSize = (100 * run.taille) / page.largeur + "cqw";
    layer.append(span);
    return [span, run];
  });
  node.querySelector(".texte").replaceWith(layer);
  // The browser sets the text in its own fonts: each run is stretched to the width it has on
  // the page, so that a selection or a Ctrl+F match covers the right words. The ratio does not
  // depend on the zoom, since font sizes follow the page width.
  // All widths are read before any is written: one layout instead of one per run.
  const pxPerPt = layer.clientWidth / page.largeur;
  const widths = spans.map(([span]) => span.getBoundingClientRect().width);
  spans.forEach(([span, run], k) => {
    if (widths[k] > 0) span.style.transform = "scaleX(" + (run.largeur * pxPerPt) / widths[k] + ")";
  });
  shown[i] = page.hash;
}

/** Shows the changed pages, a few at a time (browsers open about six connections per site). */
async function showPages(pages) {
  const queue = pages.map((page, i) => [i, page]).filter(([i, page]) => shown[i] !== page.hash);
  let failed = false;
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await showPage(next[0], next[1]);
      } catch (e) {
        failed = true;
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return !failed;
}

function showError(error) {
  const box = document.getElementById("erreur");
  if (!error) {
    box.hidden = true;
    return;
  }
  document.getElementById("erreur-titre").textContent = error.titre;
  const list = document.getElementById("erreur-lieux");
  list.replaceChildren();
  for (const place of error.lieux) {
    const where = place.fichier + (place.ligne ? ":" + place.ligne + ":" + place.colonne : "");
    const item = el("li");
    item.append(el("code", {}, where), document.createTextNode(" — " + place.message));
    if (place.champ) item.append(document.createTextNode(" (champ " + place.champ + ")"));
    if (place.aide) item.append(el("div", { class: "aide" }, "aide : " + place.aide));
    list.append(item);
  }
  document.getElementById("erreur-texte").textContent = error.texte;
  box.hidden = false;
}

function showReport(report) {
  const list = document.getElementById("items");
  list.replaceChildren();
  if (!report) return;
  const r = report.resume;
  document.getElementById("resume").textContent =
    r.complet + " complet(s), " + r.a_completer + " à compléter, " + r.manquant + " manquant(s) sur " + r.items + " items et sous-items";
  for (const item of report.items) {
    const li = el("li", { class: item.statut, title: statusText[item.statut] || item.statut });
    li.append(el("span", { class: "icone", "aria-label": statusText[item.statut] }, icons[item.statut] || "•"),
      el("span", { class: "numero" }, item.numero), el("span", {}, item.titre));
    if (item.manques && item.manques.length) li.append(el("span", { class: "manques" }, item.manques.join(" ; ")));
    list.append(li);
  }
  for (const advice of report.conseils || []) {
    list.append(el("li", { class: "conseil" }, el("span", { class: "manques" }, "Conseil : " + advice)));
  }
}

async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    const state = await fetch("/etat", { cache: "no-store" }).then((r) => r.json());
    if (state.titre) {
      document.getElementById("titre").textContent = "Aperçu — " + state.titre;
      document.title = "Aperçu — " + state.titre;
    }
    const s = state.statut;
    document.getElementById("statut").textContent = state.erreur
      ? "Échec du dernier rendu" + (s ? " — dernier rendu réussi à " + s.heure : "")
      : s ? "Rendu à " + s.heure + " en " + s.duree_ms + " ms — " + s.pages + " pages" : "Rendu en cours…";
    showReport(state.rapport);
    if (!(await showPages(state.pages))) {
      // Some page did not arrive: try again shortly (the pages shown so far stay).
      setTimeout(refresh, 1000);
    }
    while (pagesEl.children.length > state.pages.length) pagesEl.lastElementChild.remove();
    shown.length = state.pages.length;
    showError(state.erreur);
    document.body.dataset.version = state.version;
  } catch (e) {
    document.getElementById("statut").textContent = "Aperçu injoignable (cdm-render watch est-il arrêté ?)";
  } finally {
    busy = false;
    if (again) { again = false; refresh(); }
  }
}

const events = new EventSource("/evenements");
events.addEventListener("rendu", refresh);
events.onerror = () => { document.getElementById("statut").textContent = "Connexion perdue, nouvelle tentative…"; };
