"""What the national lists of operations (os-dk, os-el, os-hr, os-fi, os-pl, os-at) share.

The lists are published under Art. 115 of Reg. (EU) 1303/2013 by six managing authorities,
each in its own encoding, delimiter and number format, and none gives a project id that
other sources use. What they have in common lives here: reading a table together with its
header (so a loader can leave out columns it must never keep), detecting a legacy-encoded
header, keys that stay unique within a file, and the flags that explain amounts the lists
publish in a form that is not simply "the EU contribution".
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TypeVar

from euprojects.model import Flag, Money, Participation, Project, Record, Reject, Role
from euprojects.normalise.places import nuts_code
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Head, Item, Row, SourceError, normalise_header, read_rows_text, read_table
from euprojects.sources.common import RowError, organisation, reject, short_hash

T = TypeVar("T")

PERIOD_2014 = "2014-2020"
FUNDS = ("ERDF", "ESF", "CF", "YEI")

_CENT = Decimal("0.01")
_UTF8_BOM = b"\xef\xbb\xbf"
_SOFT_HYPHEN = re.compile("\u00ad\\s?")
_CODE_NAME = re.compile(r"\s*(\d+)(?:\s*-\s*|\s+)(.+)", re.DOTALL)
_NUTS_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9][0-9A-Z]{0,2}(?![A-Za-z0-9])")


# -- reading -------------------------------------------------------------------------------


def head_text(head: Head, encodings: Sequence[str]) -> str:
    """The start of a plain-text file decoded with the first of ``encodings`` that fits.

    ``Head.text`` knows only UTF-8 and cp1252; Greek (cp1253) and Polish (cp1250) headers
    come out of it garbled, so their detectors decode the head themselves. A multi-byte
    character cut at the end of the sample is dropped, not taken as a wrong encoding.
    """
    data = head.bytes
    if head.is_zip or head.is_gzip or b"\x00" in data[:4096]:
        return ""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as err:
            if encoding.startswith("utf") and err.start > len(data) - 4:
                return data[: err.start].decode(encoding)
    return ""


def head_columns(head: Head, delimiter: str, encodings: Sequence[str]) -> list[str]:
    """Normalised header cells of a delimited file whose encoding is not UTF-8/cp1252."""
    text = head_text(head, encodings)
    cells: list[str] = []
    if text:
        with contextlib.suppress(csv.Error, StopIteration):
            cells = [normalise_header(c) for c in next(csv.reader(io.StringIO(text), delimiter=delimiter))]
    return head.header(cells, f"its {delimiter!r}-separated header")


def read_rows(
    path: Path,
    *,
    delimiter: str,
    required: Sequence[str],
    encodings: Sequence[str],
    ragged: bool = False,
) -> tuple[list[str], list[Row | Reject]]:
    """The header and every row of a list, read whole.

    Whole, because several lists need two passes (rows of one operation are scattered over
    the file; keys must be unique per file). Raises SourceError when the file cannot be read.
    A UTF-8 file with a few broken bytes, which a legacy code page would turn into mojibake, is
    read as UTF-8 and its damaged rows rejected.
    """
    refuse_compressed(path)
    rows = list(read_table(path, delimiter=delimiter, required=required, encodings=encodings, ragged=ragged))
    return _header(path, delimiter, encodings), rows


def refuse_compressed(path: Path) -> None:
    """The lists are read as plain files: their legacy encodings and header checks need the
    whole text, which ``read_table`` does not give for gzip files."""
    if path.suffix == ".gz":
        raise SourceError("this list is read uncompressed: gunzip it first")


def english(cell: str) -> str:
    """The English half of a bilingual header cell: ``ΧΩΡΑ/ COUNTRY`` → ``COUNTRY``.

    The Greek and Austrian lists repeat every header in English after a slash; matching on
    that half is immune to the homoglyphs (Latin ``TAMEIO`` among Greek words) and the
    spacing of the national half.
    """
    return " ".join(cell.rsplit("/", 1)[-1].rstrip("*").split()).upper()


def bilingual_columns(header: Sequence[str], required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """The header cell for each English label found; SourceError naming required labels that are missing."""
    by_label = {english(cell): cell for cell in header}
    missing = [label for label in required if label not in by_label]
    if missing:
        found = ", ".join(by_label) or "nothing"
        raise SourceError(f"missing required column(s) {', '.join(missing)} (found: {found})")
    wanted = [*required, *optional]
    return {label: by_label[label] for label in wanted if label in by_label}


def _header(path: Path, delimiter: str, encodings: Sequence[str]) -> list[str]:
    """The normalised header."""
    reader = csv.reader(io.StringIO(read_rows_text(path, encodings)[0], newline=""), delimiter=delimiter)
    return [normalise_header(c) for c in next(reader)]


def parse_rows(
    rows: Iterable[Row | Reject], parse: Callable[[Row], Project], delimiter: str
) -> tuple[list[Item], list[tuple[Row, Project]]]:
    """Each row's project, before the list decides how to key them; rows that cannot be used
    (and what the reader rejected) become rejects."""
    items: list[Item] = []
    parsed: list[tuple[Row, Project]] = []
    for row in rows:
        if isinstance(row, Reject):
            items.append(row)
            continue
        try:
            parsed.append((row, parse(row)))
        except RowError as err:
            items.append(reject(row, err, delimiter))
    return items, parsed


def by_line(items: Iterable[Item]) -> list[Item]:
    """Records and rejects in file order, however they were produced."""
    return sorted(items, key=lambda item: item.line or 0)


# -- values --------------------------------------------------------------------------------


def free_text(value: str | None) -> str | None:
    """A title or description: cleaned, mojibake repaired, soft hyphens from PDF copies removed."""
    if value is None:
        return None
    return clean_repaired(_SOFT_HYPHEN.sub("", value))


def code_and_name(value: str | None) -> tuple[str | None, str | None]:
    """``"20-Τεχνική Βοήθεια"`` or ``"123 Πληροφόρηση"`` → code and name; text without a code → (None, text)."""
    text = free_text(value)
    if text is None:
        return None, None
    match = _CODE_NAME.fullmatch(text)
    if match:
        return match[1], free_text(match[2])
    return None, text


def nuts_codes(value: str | None) -> list[str]:
    """Every NUTS code named in a location cell: ``EL24-Στερεά Ελλάδα`` → [EL24];
    ``EL111,EL112 (…)`` → [EL111, EL112]."""
    if not value:
        return []
    found: dict[str, None] = {}
    for token in _NUTS_TOKEN.findall(value):
        code = nuts_code(token)
        if code:
            found.setdefault(code, None)
    return list(found)


def raw_values(row: Row, columns: Iterable[str]) -> dict[str, str]:
    """The published text of the given columns, where they are not empty."""
    raw = {}
    for column in columns:
        value = row.cells.get(column)
        if value is not None and value.strip():
            raw[column] = value.strip()
    return raw


def lead(
    name: str,
    country: str,
    *,
    national: tuple[str, str] | None = None,
    street: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Participation:
    """The operation's beneficiary, which the lists name as the one responsible body."""
    body = organisation(
        name,
        country,
        national=national,
        street=street,
        postcode=postcode,
        city=city,
        latitude=latitude,
        longitude=longitude,
    )
    return Participation(organisation=body, role=Role.LEAD, role_raw="beneficiary")


def percent_of(total: Money | None, rate: Decimal | None) -> Money | None:
    """``rate`` % of ``total``, to the cent."""
    if total is None or rate is None:
        return None
    amount = (total.amount * rate / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Money(amount=amount, currency=total.currency)


def money_sum(amounts: Iterable[Money | None]) -> Money | None:
    """The sum of the amounts that are present; None when none is. All must share a currency."""
    present = [m for m in amounts if m is not None]
    if not present:
        return None
    currencies = {m.currency for m in present}
    if len(currencies) > 1:
        raise ValueError(f"amounts in several currencies cannot be added: {', '.join(sorted(currencies))}")
    return Money(amount=sum((m.amount for m in present), Decimal(0)), currency=present[0].currency)


# -- flags ---------------------------------------------------------------------------------


def includes_national_flag(column: str) -> Flag:
    """The list gives one grant amount that is EU money and national co-financing together."""
    return Flag(
        "eu_amount_includes_national",
        f"The list gives only the grant ('{column}'), which is the EU contribution and the national "
        "co-financing together; the EU share alone is not published.",
    )


def computed_eu_flag(rates: Sequence[Decimal]) -> Flag:
    """The list gives the co-financing rate of the priority axis but no EU amount."""
    shown = ", ".join(f"{rate.normalize():f} %" for rate in rates)
    return Flag(
        "eu_amount_computed",
        f"The list gives no EU amount. This one is the total eligible expenditure × the union "
        f"co-financing rate of the priority axis ({shown}), so it is an estimate: the rate may apply to "
        "the public expenditure only.",
    )


def several_funds_flag(shares: dict[str, Decimal], chosen: str) -> Flag:
    """One operation financed by several funds is listed under the fund with the largest share."""
    total = sum(shares.values(), Decimal(0))
    parts = []
    for fund, amount in sorted(shares.items(), key=lambda item: -item[1]):
        share = f"{(amount / total * 100).quantize(Decimal(1))} %" if total else "no amount"
        parts.append(f"{fund} {share}")
    return Flag(
        "several_funds",
        f"This operation is financed by several funds ({', '.join(parts)} of its budget); it is listed under {chosen}.",
    )


def main_fund(shares: dict[str, Decimal]) -> str | None:
    """The fund with the largest share of the budget (ties: the order of FUNDS)."""
    if not shares:
        return None
    order = {fund: index for index, fund in enumerate(FUNDS)}
    return min(shares, key=lambda fund: (-shares[fund], order.get(fund, len(order))))


# -- keys ----------------------------------------------------------------------------------


def assign_keys(
    items: Sequence[T],
    base: Callable[[T], Sequence[str | None]],
    extra: Callable[[T], Sequence[str | None]],
) -> list[tuple[str, int | None]]:
    """A key per item that is unique within the file, and the index of the item it duplicates.

    Items are keyed by ``short_hash(*base(item))`` (title, beneficiary, start date). Where
    that collides, the colliding items are keyed by ``short_hash(*base, *extra)`` (fund,
    priority axis, region, …), so the ids of all other items keep the documented form.
    Items that collide even then are true duplicates: their second element is the index of
    the first one, and the caller rejects them.
    """
    bases = [short_hash(*base(item)) for item in items]
    seen: dict[str, int] = {}
    colliding = set()
    for index, key in enumerate(bases):
        if key in seen:
            colliding.add(key)
        seen.setdefault(key, index)
    keys = [
        short_hash(*base(item), *extra(item)) if bases[i] in colliding else bases[i] for i, item in enumerate(items)
    ]
    first: dict[str, int] = {}
    result: list[tuple[str, int | None]] = []
    for index, key in enumerate(keys):
        earlier = first.setdefault(key, index)
        result.append((key, earlier if earlier != index else None))
    return result


def keyed_records(
    parsed: Sequence[tuple[Row, Project]], extra_columns: Sequence[str], delimiter: str
) -> Iterator[Record | Reject]:
    """Records of a list without ids, keyed by short_hash(title, beneficiary, start date).

    Rows that share those three are keyed with the values of ``extra_columns`` too (see
    :func:`assign_keys`); rows equal even in those are rejected as duplicates of the first.
    The project's ``source_id`` is set to the key.
    """

    def base(item: tuple[Row, Project]) -> tuple[str | None, ...]:
        project = item[1]
        beneficiary = project.lead.organisation.name if project.lead else None
        return project.title, beneficiary, project.start_date.isoformat() if project.start_date else None

    def extra(item: tuple[Row, Project]) -> tuple[str | None, ...]:
        return tuple(clean(item[0].cells.get(column)) for column in extra_columns)

    for (row, project), (key, duplicate) in zip(parsed, assign_keys(parsed, base, extra), strict=True):
        if duplicate is not None:
            same = ", ".join(["title", "beneficiary", "start date", *extra_columns])
            yield reject(row, RowError(f"duplicates line {parsed[duplicate][0].line}: same {same}"), delimiter)
            continue
        project.source_id = key
        yield Record(key=key, project=project, line=row.line)
