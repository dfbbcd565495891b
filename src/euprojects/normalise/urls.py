"""Web addresses as sources publish them, reduced to the ones a page may link to.

Every URL of a record (a project's website, an organisation's, a link's) ends up in an
``href`` on a page, in the API and in exports, so only ``http``/``https`` with a host is
kept: ``javascript:``, ``data:``, ``vbscript:`` and relative junk never reach a reader. The
test follows the WHATWG URL parser that browsers use: leading and trailing spaces and control
characters are ignored and tabs and line breaks anywhere are dropped (``java\\nscript:`` is
``javascript:`` to a browser), and the scheme is compared without regard to case.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_EDGES = "".join(chr(c) for c in range(0x21))  # C0 controls and space, as browsers strip them
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# A host name as sources write it without a scheme: "www.imatra.fi", "cordis.europa.eu/project/1".
_BARE_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?::\d{1,5})?(?:[/?#]\S*)?")
WEB_SCHEMES = ("http", "https")
# Most addresses: http(s), a plain host name, nothing to strip. Kept as they are without parsing.
_PLAIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\x00-\x20\x7f]*)?")


def web_address(text: str | None) -> str | None:
    """The address as a page may link to it, or None when it is not an http(s) URL with a host.

    A bare host name (``www.imatra.fi``) becomes ``http://www.imatra.fi``: plain http, because
    whether the site speaks https is not known, and sites that do redirect to it. Anything
    else without a scheme is not completed: a relative path names no site.
    """
    if text is None:
        return None
    if _PLAIN.fullmatch(text):
        return text
    url = _TAB_OR_NEWLINE.sub("", text.strip(_EDGES))
    if not url:
        return None
    if not _SCHEME.match(url):
        return f"http://{url}" if _BARE_HOST.fullmatch(url) else None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a bracketed host that is no IPv6 address
        return None
    return url if parts.scheme in WEB_SCHEMES and host else None
