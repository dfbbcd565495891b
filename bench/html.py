"""HTML benchmark: euprojects' forgiving tree against selectolax (lexbor) and html5lib on the saved keep.eu pages.

    .venv/bin/pip install -e '.[bench]'    # selectolax, html5lib
    .venv/bin/python bench/html.py [--repeat 200]

Each parser builds a tree of every page in tests/fixtures/keep and renders its text; the table
gives milliseconds per page (best of ``--repeat`` passes), the ratio to euprojects' tree, and
whether the tree knows the source line of each element, which the keep.eu loader needs: a page
with an impossible value is rejected naming the line the value was published on.
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

# Put this folder after the standard library: other scripts here (bench/http.py) must not shadow it.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))

import argparse
import time
from collections.abc import Callable

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import RESULTS, ROOT, load, table
from euprojects.normalise.html import parse_html, render

PAGES = sorted((ROOT / "tests" / "fixtures" / "keep").glob("*.html"))


def euprojects_text(markup: str) -> str:
    return render([parse_html(markup)])


def selectolax_text(markup: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    body = LexborHTMLParser(markup).body
    return body.text(separator="\n") if body is not None else ""


def html5lib_text(markup: str) -> str:
    import html5lib

    return "".join(html5lib.parse(markup, namespaceHTMLElements=False).itertext())


PARSERS: dict[str, tuple[Callable[[str], str], str]] = {
    "euprojects normalise.html": (euprojects_text, "yes"),
    "selectolax (lexbor)": (selectolax_text, "no"),
    "html5lib": (html5lib_text, "no"),
}


def best_ms(parse: Callable[[str], str], pages: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for markup in pages:
            parse(markup)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    pages = [p.read_text(encoding="utf-8") for p in PAGES]
    before = load()
    rows, base = [], 0.0
    for name, (parse, lines) in PARSERS.items():
        try:
            ms = best_ms(parse, pages, args.repeat)
        except ImportError:
            rows.append((name, float("nan"), "not installed", lines))
            continue
        base = base or ms
        rows.append((name, round(ms, 3), f"{ms / base:.2f}×", lines))
    text = table(("parser", "ms per page", "vs euprojects", "source line per element"), rows)
    print(text)
    print(f"\n{len(pages)} pages, {sum(map(len, pages)):,} characters; best of {args.repeat}; load {before} → {load()}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "html.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
