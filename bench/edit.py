#!/usr/bin/env python3
"""Benchmark of `cdm-render edit`: latency from a field changed through the API to the
preview updated, and the editor's own share of it. Prints a Markdown report (copied into
BENCHMARKS.md).

Usage: python3 bench/edit.py [--changes 40] [--watch] [--typst-loop]. Binary: target/release/cdm-render, or
CDM_RENDER_BIN=path (e.g. target/debug/cdm-render).

Each change is `POST /api/champ` on the example `data/fonctionnement` (one budget amount: a
chart, a table, a total and key figures change), as the page sends it. Measured from the
request:
- the response (the file written, the previous text kept as a version, the dossier read again,
  validated and assessed for the findings and completeness the page shows);
- the `apercu` event on `/api/evenements` (the preview's pages laid out and exported as SVG),
  which is what the user sees change.
With CDM_RENDER_TIMINGS=1 the server prints where the time of each change goes (check,
write, validation) and of each render (read, sources, layout, PDF): their medians are
reported. With --watch, `bench/watch.py`'s measure of `watch --serve` (a file saved → the
preview updated) is taken in the same run, as the reference the editor adds to. With
--typst-loop, the same changes are measured again with Typst's own layout loop (each layout
started from nothing, as before the preview started from its previous document).
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("CDM_RENDER_BIN", ROOT / "target" / "release" / "cdm-render"))
FIELD = "montant = 318500"
PATH = None  # found from the API: the budget line holding FIELD


class Events(threading.Thread):
    """Reads the event stream, recording the arrival time of each event."""

    def __init__(self, address, token):
        super().__init__(daemon=True)
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(
            f"GET /api/evenements?jeton={token} HTTP/1.1\r\nHost: {address}\r\n\r\n".encode()
        )
        self.events = []
        self.lock = threading.Lock()

    def run(self):
        buffer = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            buffer += data
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                name = None
                for line in block.decode("utf-8", "replace").splitlines():
                    if line.startswith("event: "):
                        name = line[7:]
                if name:
                    with self.lock:
                        self.events.append((time.perf_counter(), name))

    def first_after(self, name, since, limit=60.0):
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            with self.lock:
                for at, n in self.events:
                    if n == name and at > since:
                        return at
            time.sleep(0.001)
        raise SystemExit(f"no {name} event after {limit} s")


def request(address, token, method, path, body=None):
    req = urllib.request.Request(f"http://{address}{path}", method=method)
    req.add_header("X-Jeton", token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
        req.add_header("Origin", f"http://{address}")
    with urllib.request.urlopen(req, data=data, timeout=60) as r:
        return json.load(r)


def medians(lines, prefix):
    """Median of each labelled duration in the timing lines starting with `prefix`."""
    values = {}
    for line in lines:
        if not line.startswith(prefix):
            continue
        for label, ms in re.findall(r"([^,:]+?) ([0-9.]+) ms", line[len(prefix):]):
            values.setdefault(label.strip(), []).append(float(ms))
    return {k: statistics.median(v) for k, v in values.items()}


def find_path(values):
    """The field path of the budget line whose amount is 318500."""
    for section in ("fonctionnement", "investissement"):
        for kind in ("charges", "financements"):
            rows = values.get("budget", {}).get(section, {}).get(kind, [])
            for i, row in enumerate(rows if isinstance(rows, list) else []):
                if row.get("montant") == 318500:
                    return f"budget.{section}.{kind}[{i}].montant"
    raise SystemExit("the example budget line changed; update FIELD")


def measure(changes, extra_env):
    """Runs the editor on a copy of the examples and makes `changes` changes; returns the
    latencies to the preview and to the response, and the server's timing lines."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="cdm-edit-bench-"))
    shutil.copytree(ROOT / "data", work / "data")
    toml = work / "data" / "fonctionnement" / "dossier.toml"
    assert FIELD in toml.read_text()
    log_path = work / "edit.log"
    log = open(log_path, "w")
    env = dict(os.environ, CDM_RENDER_TIMINGS="1", **extra_env)
    proc = subprocess.Popen(
        [str(BIN), "edit", str(toml), "--no-open", "--port", "0", "-q"], stderr=log, env=env
    )
    try:
        url = None
        for _ in range(3000):
            m = re.search(r"éditeur : http://(\S+)/\?jeton=(\w+)", log_path.read_text())
            if m:
                url = m
                break
            time.sleep(0.01)
        if not url:
            raise SystemExit("the editor did not start:\n" + log_path.read_text())
        address, token = url.group(1), url.group(2)
        events = Events(address, token)
        events.start()
        events.first_after("apercu", 0)  # the first render
        dossier = request(address, token, "GET", "/api/dossier")
        path = find_path(dossier["valeurs"])
        version = dossier["version"]
        responses, previews = [], []
        for n in range(1, changes + 1):
            time.sleep(0.3)  # the previous render's PDF export is done
            start = time.perf_counter()
            answer = request(
                address, token, "POST", "/api/champ",
                {"version": version, "chemin": path, "valeur": 318500 + n},
            )
            responded = time.perf_counter()
            version = answer["version"]
            shown = events.first_after("apercu", start)
            responses.append((responded - start) * 1000)
            previews.append((shown - start) * 1000)
        time.sleep(0.5)
    finally:
        proc.kill()
        proc.wait()
    lines = log_path.read_text().splitlines()
    shutil.rmtree(work, ignore_errors=True)
    return previews, responses, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=40)
    ap.add_argument("--watch", action="store_true")
    ap.add_argument(
        "--typst-loop", action="store_true",
        help="also measure, in the same run, the layout started from nothing at each change "
        "(CDM_RENDER_TYPST_LOOP=1: Typst's own loop) as the reference of the seeded layout",
    )
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit(f"build first: {BIN} is missing")
    previews, responses, lines = measure(args.changes, {})
    editor = medians(lines, "éditeur : ")
    render = medians(lines, "durées : ")
    typst = medians(lines, "durées Typst : ")
    p = lambda xs: (statistics.median(xs), sorted(xs)[int(0.9 * (len(xs) - 1))], min(xs), max(xs))
    rows = [("change → preview updated (`apercu` event)", previews),
            ("change → API response (written, validated, assessed)", responses)]
    if args.typst_loop:
        reference, _, reference_lines = measure(args.changes, {"CDM_RENDER_TYPST_LOOP": "1"})
        rows.append(("same run, Typst's own layout loop: change → preview updated", reference))
        typst_reference = medians(reference_lines, "durées Typst : ")
    print(f"Binary: {BIN}; machine: {os.cpu_count()} cores; example `data/fonctionnement`,")
    print(f"{args.changes} changes of one budget amount through `POST /api/champ`.")
    print()
    print("| measure | median | p90 | min | max |")
    print("|---|---|---|---|---|")
    for name, xs in rows:
        m, p90, lo, hi = p(xs)
        print(f"| {name} | {m:.0f} ms | {p90:.0f} ms | {lo:.0f} ms | {hi:.0f} ms |")
    print()
    print("Editor's share, server side (median of each step of a change):")
    print()
    for k, v in editor.items():
        print(f"- {k} : {v:.1f} ms")
    print()
    print("Render after each change (median; the render runs beside the response's validation):")
    print()
    for k, v in render.items():
        print(f"- {k} : {v:.1f} ms")
    print()
    print("Typst (median):", ", ".join(f"{k} {v:.1f} ms" for k, v in typst.items()))
    if args.typst_loop:
        print("Typst, own loop (median):",
              ", ".join(f"{k} {v:.1f} ms" for k, v in typst_reference.items()))
    if args.watch:
        print()
        print("Reference in the same run, `watch --serve` (bench/watch.py):")
        print()
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "watch.py"), "--edits", str(args.changes),
             "--long", str(args.changes), "--serve"],
            capture_output=True, text=True, env=dict(os.environ, CDM_RENDER_BIN=str(BIN)),
        )
        print(out.stdout or out.stderr)


if __name__ == "__main__":
    main()
