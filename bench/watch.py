#!/usr/bin/env python3
"""Benchmark of `cdm-render watch`: latency from a one-field edit to the refreshed PDF, and
memory (RSS) over hundreds of edits. Prints a Markdown report (copied into BENCHMARKS.md).

Prerequisites: `cargo build --release`. Usage: python3 bench/watch.py [--edits 50] [--long 300]
[--serve]. With --serve, the preview server runs too, and the report adds the time from the
edit to the preview's new state (pages exported as SVG).

Each edit rewrites the dossier with one budget amount changed (a chart, a table, a total and
the key figures change), then polls the output PDF until the file is replaced. The latency
includes the file-event debounce (10 ms of quiet), reading and validating the TOML, templates,
the redrawn chart, incremental Typst compilation, PDF/A-3a + UA-1 export and the atomic write.
With --serve, the preview and the PDF are timed separately from the same edit: the preview is
refreshed from the laid-out pages before the PDF is exported.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# CDM_RENDER_BIN compares another build (an earlier commit) in the same conditions.
BIN = pathlib.Path(os.environ.get("CDM_RENDER_BIN", ROOT / "target" / "release" / "cdm-render"))
DATA = ROOT / "data"
FIELD = "montant = 318500"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pdf_id(path):
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_mtime_ns)
    except FileNotFoundError:
        return None


def wait_change(path, before, limit=30.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        now = pdf_id(path)
        if now is not None and now != before:
            return now
        time.sleep(0.001)
    raise SystemExit(f"no new PDF after {limit} s")


def preview_version(url):
    import urllib.request
    with urllib.request.urlopen(url + "etat") as r:
        return json.load(r)["version"]


def wait_version(url, before, limit=30.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        v = preview_version(url)
        if v > before:
            return v
        time.sleep(0.002)
    raise SystemExit(f"no new preview state after {limit} s")


def edit(toml, text, n):
    # Amounts stay valid and distinct so every edit changes the document.
    toml.write_text(text.replace(FIELD, f"montant = {318500 + n}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--long", type=int, default=300)
    ap.add_argument("--serve", action="store_true")
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    work = pathlib.Path(tempfile.mkdtemp(prefix="cdm-watch-bench-"))
    # The whole data folder, so that the example's previous dossier (préfiguration) is there.
    shutil.copytree(DATA, work / "data")
    toml = work / "data" / "fonctionnement" / "dossier.toml"
    pdf = work / "data" / "fonctionnement" / "dossier.pdf"
    text = toml.read_text()
    assert FIELD in text, "the example budget line changed; update FIELD"
    cmd = [str(BIN), "watch", str(toml), "-q"] + (["--serve", "--port", "0"] if args.serve else [])
    log = open(work / "watch.log", "w")
    proc = subprocess.Popen(cmd, stderr=log)
    url = None
    if args.serve:
        for _ in range(300):
            first = (work / "watch.log").read_text().split("\n", 1)[0]
            if "aperçu : " in first:
                url = first.split("aperçu : ", 1)[1].strip()
                break
            time.sleep(0.01)
    previews = []
    try:
        state = wait_change(pdf, None)
        version = wait_version(url, 0) if url else 0
        first = time.perf_counter()
        latencies = []
        rss = {}
        total = max(args.edits, args.long)
        for n in range(1, total + 1):
            time.sleep(0.05)  # a writer does not save twice within 50 ms
            start = time.perf_counter()
            edit(toml, text, n)
            pdf_ms = preview_ms = None
            while pdf_ms is None or (url and preview_ms is None):
                if pdf_ms is None and pdf_id(pdf) not in (None, state):
                    state = pdf_id(pdf)
                    pdf_ms = (time.perf_counter() - start) * 1000
                if url and preview_ms is None and preview_version(url) > version:
                    version = preview_version(url)
                    preview_ms = (time.perf_counter() - start) * 1000
                if time.perf_counter() - start > 30:
                    raise SystemExit("no new PDF or preview after 30 s")
                time.sleep(0.001)
            if n <= args.edits:
                latencies.append(pdf_ms)
                if url:
                    previews.append(preview_ms)
            if n in (10, args.long):
                time.sleep(0.2)
                rss[n] = rss_mb(proc.pid)
        elapsed = time.perf_counter() - first
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    latencies.sort()
    p50 = statistics.median(latencies)
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    growth = rss[args.long] / rss[10]
    print(f"Machine: {os.cpu_count()} cores; example `data/fonctionnement` (29 pages, 18 charts),")
    print("compared with its previous dossier (préfiguration) at every render.")
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    ok = lambda b: "✓" if b else "✗"
    print(f"| edit → new PDF, median over {len(latencies)} edits | {p50:.0f} ms | ≤ 80 ms {ok(p50 <= 80)} |")
    print(f"| edit → new PDF, p90 | {p90:.0f} ms | |")
    print(f"| edit → new PDF, min / max | {latencies[0]:.0f} / {latencies[-1]:.0f} ms | |")
    if previews:
        previews.sort()
        p50_preview = statistics.median(previews)
        print(f"| edit → preview updated (SVG pages), median | {p50_preview:.0f} ms | ≤ 50 ms {ok(p50_preview <= 50)} |")
        print(f"| edit → preview updated, p90 | {previews[int(0.9 * (len(previews) - 1))]:.0f} ms | |")
    print(f"| RSS after 10 edits | {rss[10]:.0f} MB | |")
    print(f"| RSS after {args.long} edits | {rss[args.long]:.0f} MB | ≤ 1.2 × after 10 {ok(growth <= 1.2)} |")
    print(f"| growth 10 → {args.long} edits | {growth:.2f} × | |")
    print(f"| total time for {total} edits | {elapsed:.1f} s | |")


if __name__ == "__main__":
    main()
