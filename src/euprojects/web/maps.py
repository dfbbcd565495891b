"""Maps drawn on the server as SVG from the vendored Natural Earth shapes (world-atlas).

The shapes are one SVG file (``shapes_svg``, served at ``/stats/shapes.svg`` and cached by the
browser); each map on a page only places them (``<use href="…#FI" fill="…">``), so a page with a
map stays small. A map is markup: it needs no script, passes the Content-Security-Policy (colours are presentation
attributes, not style), prints, and every country carries its name and figure as a ``<title>``
that screen readers and tooltips read. The shapes are decoded from TopoJSON once per process and
projected with a plain equirectangular projection scaled at 52°N, which keeps Europe's shapes
recognisable without a projection library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

SHAPES = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-50m.json"
# The part of the world the maps show (longitude, latitude): the EU, its neighbours, Iceland.
EUROPE = (-25.0, 34.0, 45.0, 71.5)
WIDTH = 640
_COS = math.cos(math.radians(52))
# Sequential colours, light to dark (ColorBrewer "Blues", colour-blind safe).
PALETTE = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#f2f2f2"


@dataclass(frozen=True, slots=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2, as the data keeps countries (GR, GB)
    name: str
    path: str
    centre: tuple[float, float]


def _alpha2(numeric: str | None, name: str) -> str | None:
    if name == "Kosovo":
        return "XK"
    found = pycountry.countries.get(numeric=numeric) if numeric else None
    return found.alpha_2 if found is not None else None


def height() -> int:
    west, south, east, north = EUROPE
    return round(WIDTH * (north - south) / ((east - west) * _COS))


def project(lon: float, lat: float) -> tuple[float, float]:
    west, _, east, north = EUROPE
    scale = WIDTH / ((east - west) * _COS)
    return (lon - west) * _COS * scale, (north - lat) * scale


def _arcs(topology: dict[str, object]) -> list[list[tuple[float, float]]]:
    """Every arc in degrees: TopoJSON stores them quantised and delta-encoded."""
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    decoded = []
    for arc in topology["arcs"]:  # type: ignore[attr-defined]
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indices: Iterable[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka) continued east of 180°, rather
    than drawn back across the whole map."""
    if max(x for x, _ in ring) - min(x for x, _ in ring) <= 180:
        return ring
    return [(x + 360 if x < 0 else x, y) for x, y in ring]


def _inside(ring: list[tuple[float, float]]) -> bool:
    west, south, east, north = EUROPE
    return any(west - 5 <= x <= east + 5 and south - 5 <= y <= north + 5 for x, y in ring)


def _path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        xy = [project(x, y) for x, y in ring]
        # a point every pixel or so is enough at this size: drop points closer than that
        kept = [xy[0]]
        for point in xy[1:]:
            if abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) >= 0.8:
                kept.append(point)
        if len(kept) > 2:
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
    return "".join(parts)


@cache
def shapes() -> dict[str, Shape]:
    """The countries that show on the map, by code."""
    topology = json.loads(SHAPES.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = _alpha2(geometry.get("id"), name)
        polygons = geometry.get("arcs") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = [_unwrapped(_ring(arcs, ring)) for polygon in polygons for ring in polygon]
        rings = [ring for ring in rings if _inside(ring)]
        if code is None or not rings:
            continue
        largest = max(rings, key=len)
        lon = sum(x for x, _ in largest) / len(largest)
        lat = sum(y for _, y in largest) / len(largest)
        found[code] = Shape(code=code, name=name, path=_path(rings), centre=project(lon, lat))
    return found


@cache
def shapes_svg() -> str:
    """Every country's outline as a path whose id is its code, with no colour of its own: maps
    colour them where they use them."""
    paths = "".join(f'<path id="{shape.code}" d="{shape.path}"/>' for shape in shapes().values())
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height()}"><defs>{paths}</defs></svg>'


def classes(values: Iterable[float]) -> list[float]:
    """Upper bounds of the colour classes: quantiles of the values shown, so each colour holds
    about as many countries (figures span several orders of magnitude)."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return []
    bounds = [
        ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (i + 1) / len(PALETTE)) - 1)]
        for i in range(len(PALETTE))
    ]
    return sorted(set(bounds))


def colour(value: float | None, bounds: list[float]) -> str:
    if not value or not bounds:
        return NO_DATA
    for index, bound in enumerate(bounds):
        if value <= bound:
            return PALETTE[round(index * (len(PALETTE) - 1) / max(1, len(bounds) - 1))]
    return PALETTE[-1]


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    fill: str
    title: str


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


def choropleth(values: Mapping[str, float], describe: Mapping[str, str]) -> tuple[list[Area], list[tuple[str, float]]]:
    """Each country's area with its colour and title; the legend as (colour, upper bound)."""
    shown = {code: shape for code, shape in shapes().items()}
    bounds = classes(values.get(code, 0) for code in shown)
    areas = [
        Area(code, shape.name, colour(values.get(code), bounds), describe.get(code, f"{shape.name}: none"))
        for code, shape in sorted(shown.items())
    ]
    legend = [(colour(bound, bounds), bound) for bound in bounds]
    return areas, legend


def links(pairs: Iterable[tuple[str, str, int]], limit: int = 40) -> list[Line]:
    """Lines between the centres of countries that share projects, the strongest ``limit``."""
    known = shapes()
    chosen = [(a, b, n) for a, b, n in pairs if a in known and b in known][:limit]
    strongest = max((n for _, _, n in chosen), default=1)
    return [
        Line(
            *known[a].centre,
            *known[b].centre,
            width=round(0.5 + 5.5 * n / strongest, 2),
            title=f"{known[a].name} – {known[b].name}: {n:,} shared projects",
        )
        for a, b, n in chosen
    ]


def points(
    coordinates: Iterable[tuple[float, float, str]],
    cell: float = 16.0,
    weights: Iterable[int] | None = None,
    unit: str = "organisations",
) -> list[tuple[float, float, int, str]]:
    """Locations clustered on a grid of ``cell`` pixels: (x, y, how many, a label) per cell;
    ``weights`` count each location that many times (projects at a place), else once."""
    west, south, east, north = EUROPE
    cells: dict[tuple[int, int], list[tuple[float, float, str, int]]] = {}
    counted = iter(weights) if weights is not None else None
    for lat, lon, name in coordinates:
        weight = next(counted) if counted is not None else 1
        if not (west <= lon <= east and south <= lat <= north):
            continue
        x, y = project(lon, lat)
        cells.setdefault((int(x // cell), int(y // cell)), []).append((x, y, name, weight))
    found = []
    for members in cells.values():
        total = sum(m[3] for m in members)
        x = sum(m[0] * m[3] for m in members) / total
        y = sum(m[1] * m[3] for m in members) / total
        label = members[0][2] if len(members) == 1 else f"{total:,} {unit}"
        found.append((round(x, 1), round(y, 1), total, label))
    return found
