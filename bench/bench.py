#!/usr/bin/env python3
"""Benchmarks of cdm-render against stock Typst 0.15 (the `typst` Python package), measured in
the same run on the same machine. Prints a Markdown report (copied into BENCHMARKS.md).

Prerequisites: `cargo build --release`, `pip install typst==0.15.2`, GNU time (`apt-get install
time`). Usage: python3 bench/bench.py [--runs 7] [--batch 100]
"""
import argparse
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# CDM_RENDER_BIN compares another build (an earlier commit) in the same conditions.
BIN = pathlib.Path(os.environ.get("CDM_RENDER_BIN", ROOT / "target" / "release" / "cdm-render"))
EXAMPLE = ROOT / "data" / "fonctionnement" / "dossier.toml"
STANDARDS = ["a-3a", "ua-1"]
TYPST_ONE = (
    "import sys, typst; d = sys.argv[1]; "
    "typst.compile(d + '/main.typ', output=d + '/out.pdf', font_paths=[d + '/fonts'], "
    "ignore_system_fonts=True, pdf_standards=['a-3a', 'ua-1'])"
)


def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def stats(samples):
    return statistics.median(samples), min(samples), max(samples)


def fmt(s):
    med, lo, hi = stats(s)
    return f"{med:.3f} s (min {lo:.3f}, max {hi:.3f}, n={len(s)})"


def typst_in_process(folder, runs):
    """Compiles emitted sources with typst-py inside one Python process (no interpreter start-up
    in the measure); every run is a fresh compile of the same document."""
    import typst
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        typst.compile(str(folder / "main.typ"), output=str(folder / "out.pdf"),
                      font_paths=[str(folder / "fonts")], ignore_system_fonts=True,
                      pdf_standards=STANDARDS)
        samples.append(time.perf_counter() - start)
    return samples


def peak_rss(cmd):
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], check=False, capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return int(m.group(1)) / 1024 if m else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit("construisez d'abord : cargo build --release")
    work = pathlib.Path(tempfile.mkdtemp(prefix="cdm-bench-"))
    report = []
    cpu = platform.processor() or platform.machine()
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    report.append(f"Machine : {model}, {os.cpu_count()} cœurs, Linux {platform.release()}; "
                  f"cdm-render (release), typst-py {__import__('typst').__version__}.\n")

    # 1. Single render of the fonctionnement example.
    emitted = work / "emit"
    subprocess.run([BIN, EXAMPLE, "-o", work / "f.pdf", "--emit-typst", emitted, "-q"], check=True)
    ours = [timed([BIN, EXAMPLE, "-o", work / "f.pdf", "-q"]) for _ in range(args.runs)]
    theirs = typst_in_process(emitted, args.runs)
    theirs_cli = [timed([sys.executable, "-c", TYPST_ONE, emitted]) for _ in range(args.runs)]
    startup = [timed([sys.executable, "-c", "import typst"]) for _ in range(args.runs)]
    # Repeated compiles inside one Python process hit Typst's memoization cache (typst-py only
    # evicts entries older than 10 compilations): only a fresh process compiles cold, like
    # cdm-render does. Its cost is the per-process time less the interpreter and import.
    cold = [t - stats(startup)[0] for t in theirs_cli]
    r1 = stats(ours)[0] / stats(cold)[0]
    report.append("## Rendu d'un dossier (exemple fonctionnement, PDF/A-3a + PDF/UA-1)\n")
    report.append("| mesure | temps |\n|---|---|")
    report.append(f"| cdm-render (processus complet : lecture, validation, graphiques, Typst, PDF) | {fmt(ours)} |")
    report.append(f"| Typst 0.15 seul, un processus par compilation (python -c, interpréteur compris) | {fmt(theirs_cli)} |")
    report.append(f"| démarrage de l'interpréteur et `import typst` seuls | {fmt(startup)} |")
    report.append(f"| Typst 0.15 seul, compilation à froid (ligne 2 moins ligne 3) | {fmt(cold)} |")
    report.append(f"| Typst 0.15 dans un même processus, compilations répétées (cache chaud, pour mémoire) | {fmt(theirs)} |")
    report.append(f"\nRapport cdm-render / Typst seul à froid : **{r1:.2f}×** (cible ≤ 1,0×).\n")

    # 2. Batch of N synthetic dossiers.
    gen = work / "gen"
    subprocess.run([sys.executable, ROOT / "bench" / "generate.py", str(args.batch), gen], check=True,
                   stdout=subprocess.DEVNULL)
    batch_runs = max(3, args.runs // 2)
    def batch(jobs):
        out = work / f"out-{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        return timed([BIN, "batch", gen, "-o", out, "--jobs", str(jobs), "-q"])
    j1 = [batch(1) for _ in range(batch_runs)]
    j2 = [batch(2) for _ in range(batch_runs)]
    dirs = sorted(p for p in gen.iterdir() if p.is_dir())
    emitted_all = []
    for d in dirs:
        e = work / "emit-all" / d.name
        subprocess.run([BIN, d / "dossier.toml", "-o", work / "tmp.pdf", "--emit-typst", e, "-q"], check=True,
                       stderr=subprocess.DEVNULL)
        emitted_all.append(e)
    loop = []
    for _ in range(max(1, batch_runs // 2)):
        start = time.perf_counter()
        for e in emitted_all:
            subprocess.run([sys.executable, "-c", TYPST_ONE, e], check=True)
        loop.append(time.perf_counter() - start)
    speedup = stats(j1)[0] / stats(j2)[0]
    vs_loop = stats(loop)[0] / stats(j2)[0]
    rss = peak_rss([BIN, "batch", gen, "-o", work / "out-rss", "--jobs", "2", "-q"])
    report.append(f"## Lot de {args.batch} dossiers synthétiques (bench/generate.py)\n")
    report.append("| mesure | temps |\n|---|---|")
    report.append(f"| cdm-render batch --jobs 1 | {fmt(j1)} |")
    report.append(f"| cdm-render batch --jobs 2 | {fmt(j2)} |")
    report.append(f"| boucle shell : Typst 0.15 lancé une fois par dossier émis | {fmt(loop)} |")
    report.append(f"\n- accélération --jobs 2 / --jobs 1 : **{speedup:.2f}×** (pour mémoire)")
    report.append(f"- cdm-render --jobs 2 contre la boucle Typst : **{vs_loop:.2f}×** (cible ≥ 1,5×)")
    report.append(f"- mémoire maximale (RSS) du lot de {args.batch} avec --jobs 2 : **{rss:.0f} Mo** (cible ≤ 300 Mo)\n")
    print("\n".join(report))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
