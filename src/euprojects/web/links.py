"""Addresses from the data that may become a link: web addresses and relative ones, nothing else.

Project and organisation websites, documents and deliverables come as publishers typed them. A
``javascript:`` or ``data:`` address in an ``href`` would run script or show forged content when
clicked, so every address that comes from data passes :func:`safe_href` before it is a link.
The check reads the address as a browser does (WHATWG URL Standard): leading and trailing
control characters and spaces are dropped, tabs and line breaks are removed wherever they are,
and the scheme is whatever letters, digits, ``+``, ``-`` and ``.`` come before the first colon.
"""

from __future__ import annotations

import re

ALLOWED_SCHEMES = frozenset({"http", "https"})
_EDGES = "".join(chr(code) for code in range(0x21))  # C0 controls and the space
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def safe_href(address: str | None) -> str:
    """``address`` as a browser would read it if it is a web or relative address, else ``""``.

    An empty result means "show the text, make no link".
    """
    if not address:
        return ""
    cleaned = _TAB_OR_NEWLINE.sub("", address.strip(_EDGES))
    scheme = _SCHEME.match(cleaned)
    if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
        return ""
    return cleaned
