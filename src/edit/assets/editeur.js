// Placeholder: the editor's page is written on the `edit-page` branch.
"use strict";
const jeton = new URLSearchParams(location.search).get("jeton");
fetch("/api/dossier", { headers: { "X-Jeton": jeton } })
  .then((r) => r.json())
  .then((d) => { document.getElementById("etat").textContent = d.fichier + " — version " + d.version; });
