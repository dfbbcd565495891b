"""CORDIS projects in JSON: fact sheets scraped from cordis.europa.eu (2018) and the cordis.lab
export of FP7 projects by Marzee Labs (2014).

Both files are arrays of objects; a record's line is the line its object starts on.

Scraped fact sheets (``Project_ID``, ``Partners``…): every value is a list of strings. The
``Activity`` field mixes activity types with contact persons' names and phone numbers and is
never read, not even into raw text; of ``Meta`` (raw HTML) only the programme codes are taken.
The page lists the coordinator first: ``Coordinated_in`` names the first partner's country on
every page, and on the 58 pages whose project is also in the CORDIS H2020 table (which names
the coordinator) the first partner is that coordinator. So the first partner is the lead when
its country is the one the project is coordinated in; the others are partners.

Marzee Labs' export: ``id`` is not the grant agreement id but the cordis.lab node id (the
number its dead ``url`` ends with; ``PREVENTING_CONFLICTS`` has id 116737, grant 203576), so
projects are keyed by their CORDIS record number, ``cordis:rcn-<rcn>``, which is CORDIS' own
(the same rcn carries the grant id in the official FP7 table). Dates are epoch seconds at
midnight in Brussels. One of the two published files swaps day and month of every date whose
day is 12 or less (ADOSE "2008-01-01"…, BIND 2008-07-02 → 2011-06-02, which is 2008-02-07 →
2011-02-06): the swap is detected per file, by the durations — CORDIS projects end the day
before a month-day of their start, which holds for 998 of 998 projects when swapped and 246
as published — and undone, with a flag on each project whose dates it changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from euprojects.model import Flag, Money, Participation, Project, Record, Reject, Role, Status
from euprojects.normalise.dates import from_epoch
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import country_code
from euprojects.normalise.programmes import name_of
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Format, Head, Item, SourceError, read_text
from euprojects.sources.common import Checked, RowError, non_negative
from euprojects.sources.cordis.projects import FP7, H2020, Organisations, amount, iso_date

JsonObject = dict[str, Any]


def _objects(path: Path) -> list[tuple[int, Any]]:
    """The elements of the JSON array in a file, each with the line it starts on."""
    text = read_text(path)
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if position >= len(text) or text[position] != "[":
        raise SourceError("not a JSON array")
    position = _skip(text, position + 1)
    line = 1 + text.count("\n", 0, position)
    counted = position
    items: list[tuple[int, Any]] = []
    if position < len(text) and text[position] == "]":
        return items
    while True:
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as err:
            raise SourceError(f"not valid JSON: {err}") from None
        line += text.count("\n", counted, position)
        counted = position
        items.append((line, value))
        position = _skip(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return items
        raise SourceError(f"not valid JSON: expected ',' or ']' at line {1 + text.count(chr(10), 0, position)}")


def _skip(text: str, position: int) -> int:
    length = len(text)
    while position < length and text[position] in " \t\r\n":
        position += 1
    return position


def _head_keys(head: Head, keys: tuple[str, ...]) -> bool:
    text = head.text.lstrip()
    return text.startswith("[") and all(f'"{key}"' in text for key in keys)


# ---------------------------------------------------------------------------------------------
# Scraped CORDIS fact sheets

SCRAPED_KEYS = ("Project_ID", "Project_Title", "Partners", "Coordinated_in", "EU_Contribution")
STATUS_TEXT = {
    "closed project": Status.FINISHED,
    "ongoing project": Status.ONGOING,
    "grant agreement terminated": Status.CANCELLED,
}
_META_CONTENT = re.compile(r'content="([^"]*)"')
# Only these keys are ever looked at (``Activity`` holds contact persons and phone numbers).
_SCRAPED_FIELDS = (
    "Project_ID",
    "Project_ACR",
    "Project_Title",
    "Technology_Description",
    "From",
    "To",
    "Total_Cost",
    "EU_Contribution",
    "Partners",
    "Country",
    "Coordinated_in",
    "Topic_s",
    "Funding_scheme",
    "Call_for_Proposal",
    "Meta",
)


def detect_scraped(head: Head) -> bool:
    return _head_keys(head, SCRAPED_KEYS)


def read_scraped(path: Path) -> Iterator[Item]:
    objects = _objects(path)
    return _scraped_items(objects)


def _scraped_items(objects: list[tuple[int, Any]]) -> Iterator[Item]:
    orgs = Organisations()
    for line, value in objects:
        if not isinstance(value, dict):
            yield Reject(line=line, reason=f"the array holds a {type(value).__name__}, not a project object")
            continue
        try:
            yield _scraped(line, value, orgs)
        except RowError as err:
            yield Reject(line=line, reason=str(err), raw=_public_json(value))


def _public_json(value: JsonObject) -> str:
    return json.dumps({k: value[k] for k in _SCRAPED_FIELDS if k in value}, ensure_ascii=False)[:2000]


def _strings(value: JsonObject, key: str) -> list[str]:
    """A field as its list of strings (a lone string counts as a list of one)."""
    item = value.get(key)
    if item is None:
        return []
    if isinstance(item, str):
        return [item]
    if isinstance(item, list) and all(isinstance(x, str) for x in item):
        return item
    raise RowError(f"field {key!r}: {item!r} is not a list of strings")


def _one(value: JsonObject, key: str) -> str | None:
    return clean(" ".join(_strings(value, key)))


def _date(key: str, text: str | None) -> dt.date | None:
    try:
        return iso_date(text)
    except ValueError as err:
        raise RowError(f"field {key!r}: {err}") from None


def _scraped(line: int, value: JsonObject, orgs: Organisations) -> Record:
    project_id = _one(value, "Project_ID")
    if project_id is None:
        raise RowError("field 'Project_ID' is empty")
    if not project_id.isdigit():
        raise RowError(f"field 'Project_ID': {project_id!r} is not a grant agreement number")
    raw: dict[str, str] = {}
    end_text = _one(value, "To")
    end_date, status_text = None, None
    if end_text:
        raw["To"] = end_text
        date_part, _, status_part = end_text.partition(",")
        end_date = _date("To", date_part.strip())
        status_text = clean(status_part.strip(" |")) or None
    start_text = _one(value, "From")
    if start_text:
        raw["From"] = start_text
    total = _one(value, "Total_Cost")
    contribution = _one(value, "EU_Contribution")
    for key, text in (("Total_Cost", total), ("EU_Contribution", contribution)):
        if text:
            raw[key] = text
    codes = _meta_codes(value)
    call = _one(value, "Call_for_Proposal")
    fund, period, programme, code = _framework(codes, call)
    topic, topic_title = _split_label(_one(value, "Topic_s"))
    scheme_text = _one(value, "Funding_scheme")
    scheme, _ = _split_label(scheme_text)
    if scheme_text and scheme != scheme_text:
        raw["Funding_scheme"] = scheme_text
    if len(codes) > 1:
        raw["Meta"] = ", ".join(codes)
    checked = Checked()
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=_one(value, "Project_ACR"),
        title=clean_repaired(" ".join(_strings(value, "Project_Title"))),
        summary=clean_repaired("\n".join(_strings(value, "Technology_Description"))),
        start_date=_date("From", start_text),
        end_date=end_date,
        status=STATUS_TEXT.get(status_text.lower()) if status_text else None,
        status_source=status_text,
        programme=programme,
        programme_code=code,
        fund=fund,
        period=period,
        call=call,
        topic=topic,
        topic_title=topic_title,
        funding_scheme=scheme,
        total_cost=checked.text("Total_Cost", total, _amount, label="field 'Total_Cost'"),
        eu_contribution=checked.text("EU_Contribution", contribution, _amount, label="field 'EU_Contribution'"),
        participations=_scraped_partners(value, orgs),
        raw=raw,
    )
    return Record(key=project_id, project=checked.onto(project), line=line)


def _amount(text: str | None) -> Money | None:
    return non_negative(parse_money(text))


def _meta_codes(value: JsonObject) -> list[str]:
    """Programme codes from ``<meta name="WT.cg_s" content="H2020-EU.3.2.5., H2020-EU.2.3.1.">``."""
    codes: list[str] = []
    for markup in _strings(value, "Meta"):
        for content in _META_CONTENT.findall(markup):
            codes.extend(c.strip() for c in content.split(",") if c.strip())
    return codes


def _framework(codes: list[str], call: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(fund, period, programme, programme code) from the page's programme codes or its call."""
    code = codes[0] if codes else None
    marker = code or call or ""
    name = name_of(code) if code else None
    if marker.startswith("FP7"):
        return FP7[0], FP7[1], name or FP7[2], code
    if marker.startswith("H2020"):
        return H2020[0], H2020[1], name or H2020[2], code
    return None, None, None, code


def _split_label(text: str | None) -> tuple[str | None, str | None]:
    """``'ENV.2012.6.3-1 - Innovative resource…'`` → (code, title)."""
    if not text:
        return None, None
    code, sep, title = text.partition(" - ")
    return (code.strip() or None, title.strip() or None) if sep else (text, None)


# Country names on the pages that normalise.places does not know.
_COUNTRY_NAMES = {"faeroe islands": "FO"}


@lru_cache(maxsize=1024)
def _country(name: str | None) -> str | None:
    """ISO code of a country name as the pages write it (a few dozen names recur on every page)."""
    if name is None:
        return None
    return _COUNTRY_NAMES.get(name.lower()) or country_code(name)


def _scraped_partners(value: JsonObject, orgs: Organisations) -> list[Participation]:
    names = _strings(value, "Partners")
    countries = _strings(value, "Country")
    if len(countries) != len(names):
        countries = [""] * len(names)
    coordinated_in = _country(_one(value, "Coordinated_in"))
    participations: list[Participation] = []
    for index, (name, country) in enumerate(zip(names, countries, strict=True)):
        cleaned = clean(name)
        if cleaned is None:
            continue
        published = clean(country)
        code = _country(published)
        org = orgs.get(cleaned, code or published)
        if code and published and published != code:
            org.country_raw = published
        lead = index == 0 and coordinated_in is not None and org.country == coordinated_in
        participations.append(
            Participation(organisation=org, role=Role.LEAD if lead else Role.PARTNER, order=len(participations))
        )
    return participations


# ---------------------------------------------------------------------------------------------
# Marzee Labs cordis.lab export

MARZEE_KEYS = ("rcn", "project_acronym", "participants", "start_date", "funding")
SWAP_FLAG = "day_month_swapped"


def detect_marzee(head: Head) -> bool:
    return _head_keys(head, MARZEE_KEYS)


def read_marzee(path: Path) -> Iterator[Item]:
    objects = _objects(path)
    swapped = _swaps_day_and_month([v for _, v in objects if isinstance(v, dict)])
    return _marzee_items(objects, swapped)


def _epoch(text: object) -> dt.date | None:
    if text is None:
        return None
    return from_epoch(str(text))


def _swap(day: dt.date) -> dt.date:
    return day.replace(month=day.day, day=day.month) if day.day <= 12 else day


def _month_aligned(start: dt.date, end: dt.date) -> bool:
    """True when the project ends the day before a month-day of its start (1 Mar → 28 Feb)."""
    following = end + dt.timedelta(days=1)
    return following.day == start.day or (start.day > 28 and following.day == 1)


def _swaps_day_and_month(objects: list[JsonObject]) -> bool:
    """Whether the file's dates read better with day and month exchanged (see the module doc)."""
    as_published = swapped = pairs = 0
    for value in objects:
        try:
            start, end = _epoch(value.get("start_date")), _epoch(value.get("end_date"))
        except ValueError:
            continue
        if start is None or end is None:
            continue
        pairs += 1
        as_published += _month_aligned(start, end)
        try:
            swapped += _month_aligned(_swap(start), _swap(end))
        except ValueError:  # e.g. 2008-02-30 after the exchange: not this file's bug
            return False
    return pairs >= 20 and swapped >= 0.9 * pairs and swapped > 2 * as_published


def _marzee_items(objects: list[tuple[int, Any]], swapped: bool) -> Iterator[Item]:
    orgs = Organisations()
    for line, value in objects:
        if not isinstance(value, dict):
            yield Reject(line=line, reason=f"the array holds a {type(value).__name__}, not a project object")
            continue
        try:
            yield _marzee(line, value, swapped, orgs)
        except RowError as err:
            raw = {k: v for k, v in value.items() if k != "participants"}
            yield Reject(line=line, reason=str(err), raw=json.dumps(raw, ensure_ascii=False))


def _text(value: JsonObject, key: str) -> str | None:
    item = value.get(key)
    if item is None:
        return None
    if not isinstance(item, str | int):
        raise RowError(f"field {key!r}: {item!r} is not text")
    return clean(str(item))


def _marzee(line: int, value: JsonObject, swapped: bool, orgs: Organisations) -> Record:
    rcn = _text(value, "rcn")
    if rcn is None:
        raise RowError("field 'rcn' is empty: the cordis.lab id is no grant id, so the rcn is needed")
    if not rcn.isdigit():
        raise RowError(f"field 'rcn': {rcn!r} is not a CORDIS record number")
    raw: dict[str, str] = {}
    dates: list[dt.date | None] = []
    changed: list[str] = []
    for key in ("start_date", "end_date"):
        text = _text(value, key)
        try:
            day = from_epoch(text)
        except ValueError as err:
            raise RowError(f"field {key!r}: {err}") from None
        if text:
            raw[key] = text
        if day is not None and swapped and _swap(day) != day:
            changed.append(f"{key} {day} was read as {_swap(day)}")
            day = _swap(day)
        dates.append(day)
    money = []
    checked = Checked()
    for key in ("cost", "funding"):
        text = _text(value, key)
        if text:
            raw[key] = text
        money.append(checked.text(key, text, lambda t: non_negative(amount(t)), label=f"field {key!r}"))
    flags = []
    if changed:
        flags.append(
            Flag(
                SWAP_FLAG,
                "This export swapped day and month of dates up to the 12th; " + "; ".join(changed) + ".",
            )
        )
    project = Project(
        source="cordis",
        source_id=f"rcn-{rcn}",
        acronym=_text(value, "project_acronym"),
        title=clean_repaired(_text(value, "title")),
        start_date=dates[0],
        end_date=dates[1],
        programme=FP7[2],
        fund=FP7[0],
        period=FP7[1],
        total_cost=money[0],
        eu_contribution=money[1],
        website=_text(value, "project_website"),
        participations=_marzee_partners(value, orgs),
        flags=flags,
        raw=raw,
    )
    return Record(key=rcn, project=checked.onto(project), line=line)


def _coordinate(item: JsonObject, key: str, limit: float) -> float | None:
    text = item.get(key)
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if -limit <= number <= limit else None


def _marzee_partners(value: JsonObject, orgs: Organisations) -> list[Participation]:
    listed = value.get("participants") or []
    if not isinstance(listed, list):
        raise RowError("field 'participants' is not a list")
    participations: list[Participation] = []
    for item in listed:
        if not isinstance(item, dict):
            raise RowError(f"field 'participants': {item!r} is not a participant object")
        name = _text(item, "name")
        if name is None:
            continue
        org = orgs.get(name, _text(item, "country"), city=_text(item, "city"))
        latitude, longitude = _coordinate(item, "lat", 90), _coordinate(item, "lon", 180)
        if latitude is not None and longitude is not None:
            org.latitude, org.longitude = latitude, longitude
        participations.append(Participation(organisation=org, role=Role.PARTNER, order=len(participations)))
    return participations


FORMATS = [
    Format(
        name="cordis-scraped-pages",
        description="CORDIS project fact sheets scraped to JSON (2018): title, abstract, budget, partners, countries",
        detect=detect_scraped,
        read=read_scraped,
    ),
    Format(
        name="marzeelabs-json",
        description="Marzee Labs cordis.lab FP7 export (JSON, 2014): title, dates, budget, geocoded participants",
        detect=detect_marzee,
        read=read_marzee,
    ),
]
