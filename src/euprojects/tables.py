"""Plain-text tables for the terminal: aligned columns, long cells cut with an ellipsis."""

from __future__ import annotations

from collections.abc import Sequence


def _cell(value: object, width: int) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 60) -> str:
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    numeric = [all(_is_number(r[i]) for r in rows if r[i] not in (None, "")) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if numeric[i] else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))]
        return "  ".join(parts).rstrip()

    separator = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), separator, *(line(r) for r in cells)])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) or (
        isinstance(value, str) and value.replace(",", "").replace(".", "").isdigit()
    )


def key_values(pairs: Sequence[tuple[str, object]]) -> str:
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k.ljust(width)}  {'' if v is None else v}" for k, v in pairs)
