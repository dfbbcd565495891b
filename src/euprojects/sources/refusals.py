"""Why no format recognised a file, said in one line.

Each detector is asked in turn; the header columns it looked for are kept on the file's
:class:`~euprojects.sources.base.Head` (``has_columns`` records them). A format is a plausible
candidate when most of its columns are there, when the file is a workbook or named like one and
the format reads workbooks, or when the file would match it but for being UTF-16 or binary.
Its reason is what it lacked: ``missing column 'acronym'``, ``the file is UTF-16 (save it as
UTF-8)``, ``not an XLSX workbook: the file is text, not a zip archive``.
"""

from __future__ import annotations

from collections.abc import Sequence

from euprojects.sources.base import WORKBOOK_HEADER, Check, Format, Head, RelaxedHead
from euprojects.sources.files.xlsx import NO_WORKBOOK

MOSTLY = 0.5  # share of a format's columns a header must have for the format to be a candidate
SHOWN = 3  # reasons quoted; the rest are counted
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
HINT = "see `euprojects formats`; use --format NAME"


def refusal(head: Head, checks: Sequence[Check]) -> tuple[float, str] | None:
    """How close a format whose detector made ``checks`` came (0–1) and why it refused the file;
    None when the format is no plausible candidate for it."""
    if not checks:
        return None
    best = max(checks, key=lambda check: check.share)
    if best.where == WORKBOOK_HEADER:
        damaged_workbook = head.is_zip and head.xlsx_problem != NO_WORKBOOK
        if head.xlsx_problem and (head.path.suffix.lower() in _WORKBOOK_SUFFIXES or damaged_workbook):
            return best.share, head.xlsx_problem
    elif head.problem:
        return None  # judged on the file's text decoded anyway, in ``unrecognised``
    if best.share >= MOSTLY and best.missing:
        return best.share, f"{_missing(best.missing)} in {best.where}"
    if not best.missing:
        return 1.0, f"{best.where} has its columns but also others of another layout"
    return None


def _missing(columns: tuple[str, ...]) -> str:
    names = ", ".join(repr(column) for column in columns[:SHOWN])
    more = f" and {len(columns) - SHOWN} more" if len(columns) > SHOWN else ""
    return f"missing column{'s' if len(columns) > 1 else ''} {names}{more}"


def judge(head: Head, formats: Sequence[Format]) -> tuple[list[Format], dict[str, tuple[float, str]]]:
    """The formats that accept a file, and how close each plausible other one came and why it
    refused it."""
    accepted: list[Format] = []
    reasons: dict[str, tuple[float, str]] = {}
    for fmt in formats:
        start = len(head.checks)
        if fmt.detect(head):
            accepted.append(fmt)
        elif (reason := refusal(head, head.checks[start:])) is not None:
            reasons[fmt.name] = reason
    return accepted, reasons


def unrecognised(head: Head, reasons: dict[str, tuple[float, str]], formats: Sequence[Format]) -> str:
    """The one-line error for a file no format accepted: the candidates' reasons, closest first,
    formats refusing for the same reason named together."""
    if head.problem:
        reasons = {**reasons, **{fmt.name: (1.0, head.problem) for fmt in _would_match(head, formats)}}
    if not reasons:
        return f"no known format recognises this file: {_what(head)} ({HINT})"
    grouped: dict[str, list[str]] = {}
    closeness: dict[str, float] = {}
    for name, (share, reason) in sorted(reasons.items(), key=lambda item: -item[1][0]):
        grouped.setdefault(reason, []).append(name)
        closeness[reason] = max(closeness.get(reason, 0.0), share)
    ordered = sorted(grouped.items(), key=lambda item: -closeness[item[0]])
    shown = "; ".join(f"{', '.join(names)}: {reason}" for reason, names in ordered[:SHOWN])
    more = f"; {len(ordered) - SHOWN} other reason(s)" if len(ordered) > SHOWN else ""
    return f"no known format recognises this file: {shown}{more} ({HINT})"


def _would_match(head: Head, formats: Sequence[Format]) -> list[Format]:
    """The formats the file would be a candidate for if its start were read as text anyway
    (UTF-16 decoded, NUL bytes dropped)."""
    relaxed = RelaxedHead(head.path)
    found = []
    for fmt in formats:
        start = len(relaxed.checks)
        accepted = fmt.detect(relaxed)
        checks = relaxed.checks[start:]
        if accepted or (checks and max(check.share for check in checks) >= MOSTLY):
            found.append(fmt)
    return found


def _what(head: Head) -> str:
    """What the file looks like when no format comes near it."""
    if head.problem:
        return head.problem
    if head.is_zip:
        return "it is a zip archive but not a workbook (unpack it and ingest the files inside)"
    header = head.csv_header(_likely_delimiter(head.first_line))
    if head.text and len(header) > 1:
        shown = ", ".join(header[:6]) + (" …" if len(header) > 6 else "")
        return f"no format has the columns {shown}"
    return "no format knows its content"


def _likely_delimiter(line: str) -> str:
    return max((",", ";", "\t", "|"), key=line.count)
