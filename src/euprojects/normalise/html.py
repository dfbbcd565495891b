"""A forgiving HTML element tree for scraped pages, and their text as a browser would render it.

The standard library's parser gives events; pages from the wild need a tree in which unclosed
``<p>``/``<li>``/``<dd>`` close as browsers close them, stray end tags are ignored, scripts,
styles and templates are not text, and deep nesting cannot exhaust the stack.

Kept over selectolax and html5lib after measuring them on the saved keep.eu pages
(``bench/html.py``): selectolax (lexbor) builds and renders a page in 0.08 ms against 1.3 ms
here, html5lib in 7.8 ms, but neither tree knows the source line of an element, and the keep.eu
loader rejects a page naming the line an impossible value was published on (its tests check
it). At 1.3 ms a page, the 33,000 keep.eu projects take some 45 s of parsing: not worth losing
the line for, nor the dependency.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from euprojects.normalise.text import clean

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_SKIP = frozenset({"script", "style", "template", "noscript"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p", "section",
        "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Tags whose start closes an open element, as HTML parsers do for unclosed <p>, <li>, <dd>.
_IMPLIED_END = {
    "li": frozenset({"li"}),
    "dd": frozenset({"dd", "dt"}),
    "dt": frozenset({"dd", "dt"}),
    "tr": frozenset({"tr"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
}
_CLOSES_P = _BLOCKS - {"li", "dd", "dt", "td", "th", "tr"}


@dataclass(eq=False, slots=True)
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    """A forgiving element tree: scripts, styles and templates dropped, stray end tags ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, 1)
        self._open: list[Node] = [self.root]
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping or tag in _SKIP:
            self._skipping += tag in _SKIP
            return
        node = self._append(tag, attrs)
        if tag not in _VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipping and tag not in _SKIP:
            self._append(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            self._skipping -= tag in _SKIP
            return
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._open[-1].children.append(data)

    def _append(self, tag: str, attrs: list[tuple[str, str | None]]) -> Node:
        current = self._open[-1]
        if current.tag in _IMPLIED_END.get(tag, ()) or (current.tag == "p" and tag in _CLOSES_P):
            self._open.pop()
        node = Node(tag, {name: value or "" for name, value in attrs}, self.getpos()[0])
        self._open[-1].children.append(node)
        return node


def parse_html(markup: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def walk(node: Node, skip: Callable[[Node], bool] = lambda _: False) -> Iterator[Node]:
    """Elements in document order, without recursion (untrusted pages may nest deeply)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current is not node and skip(current):
            continue
        yield current
        stack.extend(child for child in reversed(current.children) if isinstance(child, Node))


def _chunks(nodes: list[Node | str], skip: Callable[[Node], bool]) -> Iterator[tuple[str, int]]:
    """Text pieces with the source line of their element; block elements break lines like a browser."""
    stack: list[tuple[Node | str, int]] = [(node, 0) for node in reversed(nodes)]
    while stack:
        item, line = stack.pop()
        if isinstance(item, str):
            yield item, line
        elif item.tag == "br":
            yield "\n", item.line
        elif not skip(item):
            block = "\n" if item.tag in _BLOCKS else ""
            stack.append((block, item.line))
            stack.extend((child, item.line) for child in reversed(item.children))
            stack.append((block, item.line))


def render(nodes: list[Node | str], skip: Callable[[Node], bool] = lambda _: False) -> str:
    """Text of nodes with block elements on their own lines (scripts and styles are already gone)."""
    return "".join(text for text, _ in _chunks(nodes, skip))


def rendered_lines(root: Node, skip: Callable[[Node], bool]) -> list[tuple[str, int]]:
    """The page as rendered lines, each with the source line where its text starts."""
    lines: list[tuple[str, int]] = []
    current: list[str] = []
    first = 0
    for text, line in _chunks([root], skip):
        for index, piece in enumerate(text.split("\n")):
            if index:
                lines.append(("".join(current), first))
                current, first = [], 0
            if piece.strip() and not first:
                first = line
            current.append(piece)
    lines.append(("".join(current), first))
    return [(cleaned, line) for raw, line in lines if (cleaned := clean(raw))]


def text_of(node: Node) -> str:
    return clean(render([node])) or ""


def html_to_text(markup: str | None) -> str | None:
    """Plain text of an HTML fragment: tags dropped, scripts and styles removed, entities decoded,
    block elements turned into line breaks."""
    if markup is None:
        return None
    if "<" not in markup:
        return clean(html.unescape(markup))
    return clean(render([parse_html(markup)]))
