#!/usr/bin/env python3
"""Peak memory and time of one dossier whose partner table is a long CSV file (1 000, 5 000,
10 000 rows by default), for `check` and for a full render. Prints a Markdown table (copied into
BENCHMARKS.md): memory must not grow with the table (target: 10 000 partners under 500 Mo).

Prerequisites: `cargo build --release`, GNU time (`apt-get install time`).
Usage: python3 bench/rows.py [--rows 1000 5000 10000]
"""
import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("CDM_RENDER_BIN", ROOT / "target" / "release" / "cdm-render"))
EXAMPLE = ROOT / "data" / "fonctionnement" / "dossier.toml"
CATEGORIES = ["Collectivité", "État", "Service public de l'emploi", "Association",
              "Entreprise", "Organisme de formation", "Chambre consulaire"]
ROLES = ["financeur", "services", "ressources", "services, ressources", "financeur, services"]


def dossier(rows, root):
    """The complete example (beside its previous phase), its partner list replaced by a CSV file
    of `rows` partners: the example's own partners first, then numbered ones."""
    source = EXAMPLE.read_text(encoding="utf-8")
    block = r"(?ms)^\[\[fonctionnement\.partenaires\.liste\]\]\n(.*?)(?=^\[)"
    own = [dict(re.findall(r'(?m)^(\w+) = (.*)$', b)) for b in re.findall(block, source)]
    source = re.sub(block, "", source)
    shutil.copytree(EXAMPLE.parent.parent / "prefiguration", root / "prefiguration")
    folder = root / "fonctionnement"
    source = source.replace("[fonctionnement.partenaires]\n",
                            '[fonctionnement.partenaires]\nliste = { fichier = "partenaires.csv" }\n', 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dossier.toml").write_text(source, encoding="utf-8")
    for extra in ["territoire.geojson", "annexes"]:
        src = EXAMPLE.parent / extra
        if src.is_dir():
            shutil.copytree(src, folder / extra, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy(src, folder / extra)
    columns = ["nom", "categorie", "roles", "contribution", "engagement"]
    lines = [";".join(columns)]
    for p in own:
        cells = [p.get(c, "").strip('"') for c in columns]
        cells[2] = ", ".join(r.strip(' "') for r in p.get("roles", "[]").strip("[]").split(","))
        lines.append(";".join(cells))
    for i in range(rows - len(own)):
        lines.append(f"Partenaire numéro {i + 1};{CATEGORIES[i % len(CATEGORIES)]};"
                     f"{ROLES[i % len(ROLES)]};Apport {i + 1} : conseillers et ateliers;"
                     f"Convention 2025-2028")
    (folder / "partenaires.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "dossier.toml"


def measure(cmd):
    """Wall time (s), peak RSS (Mo) and exit code of one run."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], check=False,
                         capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    return elapsed, rss, out.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 1300, 5000, 10000])
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit("construisez d'abord : cargo build --release")
    work = pathlib.Path(tempfile.mkdtemp(prefix="cdm-rows-"))
    report = ["## Mémoire selon la longueur d'un tableau (partenaires en CSV, bench/rows.py)\n",
              "| partenaires | taille du CSV | check : temps, RSS max | rendu : temps, RSS max, pages |",
              "|---|---|---|---|"]
    try:
        for rows in args.rows:
            toml = dossier(rows, work / str(rows))
            size = (toml.parent / "partenaires.csv").stat().st_size / 1000
            ct, cr, cc = measure([BIN, "check", toml])
            pdf = work / f"{rows}.pdf"
            rt, rr, rc = measure([BIN, toml, "-o", pdf, "-q"])
            pages = "échec" if rc != 0 else pdf_pages(pdf)
            report.append(f"| {rows} | {size:.0f} ko | {ct:.1f} s, {cr:.0f} Mo (code {cc}) "
                          f"| {rt:.1f} s, {rr:.0f} Mo, {pages} (code {rc}) |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report))


def pdf_pages(pdf):
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        return next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")) + " p."
    except (OSError, StopIteration):
        return "? p."


if __name__ == "__main__":
    main()
