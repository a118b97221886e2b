#!/usr/bin/env python3
"""Generates N varied synthetic dossiers from the complete example, for the benchmarks.

Each dossier gets its own Cité name, label, scaled figures, a random subset of partners and
optional sections, so that no two documents are alike (Typst's caches then do not make later
documents artificially cheap). Usage: bench/generate.py N OUTDIR [--seed S]
"""
import argparse
import pathlib
import random
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "fonctionnement" / "dossier.toml"
TOWNS = ["Lysmont", "Aubrac", "Valcourt", "Montferrand", "Beaulieu", "Sainte-Anne", "Rochebrune",
         "Clairvaux", "Belleville", "Fontaine", "Mirande", "Castelnau", "Villeneuve", "Pontvieux"]
LABELS = ["projet", "prefiguration", "fonctionnement"]


def scale_numbers(text, factor):
    """Scales amounts and counts (integers of 3+ digits that are not years)."""
    def repl(m):
        value = int(m.group(0))
        if 1900 <= value <= 2100:
            return m.group(0)
        return str(max(1, int(value * factor)))
    return re.sub(r"(?<![\d.-])\d{3,}(?![\d-])", repl, text)


def drop_blocks(text, header, keep_ratio, rng):
    """Keeps a random subset of the [[header]] blocks."""
    parts = re.split(r"(?m)^(?=\[\[?)", text)
    kept = [p for p in parts if not p.startswith(f"[[{header}]]") or rng.random() < keep_ratio]
    return "".join(kept)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("outdir", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    source = EXAMPLE.read_text(encoding="utf-8")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        town = f"{rng.choice(TOWNS)}-{i + 1}"
        text = source.replace("Cité des métiers du Val-de-Lys", f"Cité des métiers de {town}")
        text = text.replace('label = "fonctionnement"', f'label = "{rng.choice(LABELS)}"')
        text = scale_numbers(text, rng.uniform(0.6, 1.6))
        text = drop_blocks(text, "contexte.structures.liste", rng.uniform(0.5, 1.0), rng)
        text = drop_blocks(text, "fonctionnement.communication.actions", rng.uniform(0.3, 1.0), rng)
        # Budgets are scaled line by line: drop their stated totals to keep them coherent.
        text = re.sub(r"(?m)^total = .*\n", "", text)
        folder = args.outdir / f"{i:03d}"
        folder.mkdir(exist_ok=True)
        (folder / "dossier.toml").write_text(text, encoding="utf-8")
        for extra in ["territoire.geojson", "annexes"]:
            src = EXAMPLE.parent / extra
            dst = folder / extra
            if src.is_dir():
                dst.mkdir(exist_ok=True)
                for f in src.iterdir():
                    (dst / f.name).write_bytes(f.read_bytes())
            else:
                dst.write_bytes(src.read_bytes())
    print(f"{args.n} dossiers dans {args.outdir}")


if __name__ == "__main__":
    main()
