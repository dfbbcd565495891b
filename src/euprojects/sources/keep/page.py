"""keep.eu project pages: the page saved as HTML, and the plain text a browser renders from it.

One page is one project, so one file yields one Record (or one Reject when a value on it is
impossible). A page without a title or a programme cannot be identified at all: that is a
SourceError. Both formats fill the same intermediate :class:`Page` and share
:func:`_record`, so the text and the HTML of one page normalise to the same facts and the
same id (``keep:<programme slug>-<period>:<acronym slug>``), and the store merges them.

keep.eu exports dates as midnight local time printed in UTC, so a start on 1 January can show
as 31 December. The published date is kept and a ``*_date_shifted`` flag names the likely one.
Advertisements on the page ("Looking for a partnership? …") are not project facts and are
skipped. Partner blocks carry no personal data we read: contact persons are never looked at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from urllib.parse import urljoin

from euprojects.model import Flag, Link, Money, Organisation, Participation, Project, Record, Reject, Role, Status
from euprojects.normalise.dates import looks_shifted_back, parse_date
from euprojects.normalise.html import Node, parse_html, render, rendered_lines, text_of, walk
from euprojects.normalise.money import parse_money, parse_rate
from euprojects.normalise.places import country_code, fold
from euprojects.normalise.text import clean
from euprojects.normalise.urls import web_address
from euprojects.sources.base import Format, Head, Item, SourceError, read_text
from euprojects.sources.common import Checked, RowError, non_negative, organisation, short_hash, slug

T = TypeVar("T")

BANNER = "Search for European Projects"
KEEP = "https://keep.eu/"
ENCODINGS = ("utf-8", "cp1252")

# "Start date: Dec 31, 2003, End date: Mar 30, 2007 PROJECT FINISHED" (the status may be absent).
_DATES = re.compile(r"Start date:\s*(?P<start>.*?),?\s*End date:\s*(?P<end>.*?)(?:\s*\b(?P<status>PROJECT\b.*))?")
# "53.6% 808 536,81": rate first (decimal point), then the EU amount (NBSP groups, decimal comma).
_RATE_AMOUNT = re.compile(r"(?:(?P<rate>\d{1,3}(?:[.,]\d+)?)\s*%)?\s*(?P<amount>\d{1,3}(?:[ .]\d{3})*(?:,\d{1,2})?)?")
# "2000 - 2006 Interreg IIIC North", with "Programme" in front when it is the programme link.
_PROGRAMME = re.compile(r"(?:Programme:?\s+)?(?P<period>\d{4})\s*-\s*(?P<end>\d{4})\s+(?P<name>\S.*)")
_PROGRAMME_WORD = re.compile(r"^Programme:?\s+")
# keep.eu lists the Interreg programmes, which the ERDF funds, and the cross-border programmes of
# the pre-accession and neighbourhood instruments ("IPA CBC", "ENI CBC"), which the fund codes
# here do not name: those get no fund.
ERDF = "ERDF"
_OTHER_INSTRUMENT = re.compile(r"\b(?:IPA|ENPI|ENI|NDICI)\b")
_PARTNERS = re.compile(r"(?P<count>\d+)\s+Partners?\b.*")
_UPDATED = re.compile(r"Date of latest update:\s*(?P<date>\d{4}-\d{2}-\d{2})")
_ACHIEVEMENTS = re.compile(r"(?:^|\s+)(?P<kind>Expected\s+|Actual\s+)?Achievements:\s*")
_BULLETS = "•◦·*"
_AD_START = "Looking for a partnership?"
_TEXT_STOPS = ("Project Website", _AD_START)

_STATUS_WORDS = (
    ("finished", Status.FINISHED),
    ("closed", Status.FINISHED),
    ("completed", Status.FINISHED),
    ("ongoing", Status.ONGOING),
    ("on going", Status.ONGOING),
    ("running", Status.ONGOING),
    ("cancel", Status.CANCELLED),
    ("withdrawn", Status.CANCELLED),
    ("planned", Status.PLANNED),
    ("not started", Status.PLANNED),
)


class _PageError(RowError):
    """An impossible value on a page; remembers the line it was published on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class Partner:
    """One partner block of an HTML page: its labelled values and whether it is the lead."""

    labels: dict[str, str]
    lead: bool
    line: int


@dataclass(slots=True)
class Page:
    """What one keep.eu page publishes, as published text, before any value is normalised.

    ``values`` holds the published text of each normalised value keyed by the model field it
    feeds, and becomes the record's ``raw``; ``lines`` says where each was found.
    """

    heading: str
    line: int
    acronym: str | None = None
    summary: str | None = None
    expected: str | None = None
    results: str | None = None
    programmes: list[str] = field(default_factory=list)
    website: str | None = None
    links: list[Link] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def put(self, name: str, text: str | None, line: int) -> None:
        """Remember a published value once: the first place a page states it wins."""
        value = clean(text)
        if value and name not in self.values:
            self.values[name] = value
            self.lines[name] = line


# --- detection ------------------------------------------------------------------------------

_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_DATES_LINE = re.compile(r"^[ \t]*Start date:.*End date:", re.MULTILINE)


def _is_html(text: str) -> bool:
    return bool(_HTML_START.match(text))


def detect_text(head: Head) -> bool:
    """The rendered page: keep.eu's banner and the dates line, and no markup."""
    text = head.text
    return bool(text) and not _is_html(text) and BANNER in text and bool(_DATES_LINE.search(text))


def detect_html(head: Head) -> bool:
    """A saved page: an HTML document with keep.eu's page title or programme link and its name."""
    text = head.text
    if not text or not _is_html(text):
        return False
    marked = "page-title" in text or "programme-link" in text
    return marked and (BANNER in text or "keep.eu" in text.lower())


# --- reading --------------------------------------------------------------------------------


def read_text_page(path: Path) -> Iterator[Item]:
    """The one record of a rendered page; SourceError (raised here, before any yield) if unreadable."""
    return iter([_item(_text_page(read_text(path, ENCODINGS)))])


def read_html_page(path: Path) -> Iterator[Item]:
    """The one record of a saved HTML page; SourceError (raised here, before any yield) if unreadable."""
    return iter([_item(_html_page(read_text(path, ENCODINGS)))])


def _item(page: Page) -> Item:
    try:
        return _record(page)
    except _PageError as err:
        return Reject(line=err.line, reason=str(err), raw=page.heading)
    except RowError as err:
        return Reject(line=page.line, reason=str(err), raw=page.heading)


# --- the plain-text rendering ---------------------------------------------------------------


def _text_page(text: str) -> Page:
    """Read the rendered page: banner, title, dates line, texts, then bullets and partner count.

    The title is the last line before the dates line, so menus between the banner and the
    title do not matter. The description runs until the advertisement, a bullet or the
    partner count; what follows the description is read only for those known shapes.
    """
    lines = [clean(line) or "" for line in text.splitlines()]
    banner = next((i for i, line in enumerate(lines) if BANNER in line), None)
    if banner is None:
        raise SourceError(f"no {BANNER!r} banner: not a keep.eu project page as text")
    dates = next((i for i in range(banner + 1, len(lines)) if _DATES.fullmatch(lines[i])), None)
    if dates is None:
        raise SourceError("no 'Start date: …, End date: …' line: not a keep.eu project page as text")
    heading = next((i for i in range(dates - 1, banner, -1) if lines[i]), None)
    if heading is None:
        raise SourceError("the page has no title: there is no line between the banner and 'Start date: …'")
    page = Page(heading=lines[heading], line=heading + 1)
    _take_dates(page, lines[dates], dates + 1)
    rest = _take_texts(page, lines, dates + 1)
    for number in range(rest, len(lines)):
        _take_text_line(page, lines[number], number + 1)
    _require_programme(page)
    return page


def _take_dates(page: Page, line: str, number: int) -> None:
    match = _DATES.fullmatch(line)
    if match:
        page.put("start_date", match["start"], number)
        page.put("end_date", match["end"], number)
        page.put("status", match["status"], number)


def _take_texts(page: Page, lines: list[str], start: int) -> int:
    """The description (and achievements) after the dates line; returns the first line after it."""
    end = start
    while end < len(lines) and not _ends_texts(lines[end]):
        end += 1
    page.summary, page.expected, page.results = _split_achievements(clean("\n".join(lines[start:end])))
    return end


def _ends_texts(line: str) -> bool:
    return (
        line.startswith(_TEXT_STOPS)
        or _is_bullet(line)
        or bool(_PARTNERS.fullmatch(line))
        or bool(_UPDATED.search(line))
    )


def _is_bullet(line: str) -> bool:
    return bool(line) and line[0] in _BULLETS


def _take_text_line(page: Page, line: str, number: int) -> None:
    """A line after the texts: a bullet, the partner count or the footer; anything else is chrome."""
    if _is_bullet(line):
        _take_bullet(page, line.lstrip(_BULLETS).strip(), number, programmes=True)
    elif _PARTNERS.fullmatch(line):
        page.put("declared_partner_count", line, number)
    elif match := _UPDATED.search(line):
        page.put("date_of_latest_update", match["date"], number)


def _take_bullet(page: Page, text: str, number: int, *, programmes: bool) -> None:
    """A fact bullet: rate and EU amount, or period and programme; other bullets are links or chrome."""
    money = _RATE_AMOUNT.fullmatch(text)
    if money and (money["rate"] or _looks_like_amount(money["amount"])):
        page.put("cofinancing_rate", f"{money['rate']}%" if money["rate"] else None, number)
        page.put("eu_contribution", money["amount"], number)
    elif programmes and _PROGRAMME.fullmatch(text):
        _add_programme(page, text, number)


def _looks_like_amount(text: str | None) -> bool:
    """Grouped or with cents ("808 536,81"), so that a bare year or count is not taken for money."""
    return text is not None and any(mark in text for mark in ", .")


def _add_programme(page: Page, text: str, number: int) -> None:
    """Keep a programme as published, without the "Programme" that the page's link puts before it."""
    published = _PROGRAMME_WORD.sub("", text)
    if published and published not in page.programmes:
        page.programmes.append(published)
        page.lines.setdefault("programme", number)


def _require_programme(page: Page) -> None:
    if not page.programmes:
        raise SourceError(
            "the page names no programme ('2000 - 2006 Interreg IIIC North'): a keep.eu project id needs it"
        )


def _split_achievements(text: str | None) -> tuple[str | None, str | None, str | None]:
    """Description, expected and actual achievements of a text that labels them inline.

    The rendered page runs the description and ``Achievements: …`` together in one paragraph.
    """
    if not text:
        return None, None, None
    pieces = _ACHIEVEMENTS.split(text)
    summary, expected, results = clean(pieces[0]), None, None
    for kind, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if (kind or "").strip().lower() == "expected":
            expected = clean(body)
        else:
            results = clean(body)
    return summary, expected, results


# --- the HTML page --------------------------------------------------------------------------


def _is_partner_block(node: Node) -> bool:
    return (node.tag == "div" and "lead-partner" in node.classes) or (
        node.tag == "dd" and "accordion-item" in node.classes
    )


def _label_key(label: str) -> str:
    """Labels compared without case, spacing or the kind of apostrophe (keep.eu mixes ' and ’)."""
    return " ".join(label.replace("\u2019", "'").casefold().split())


def _labelled(scope: Node, skip: Callable[[Node], bool]) -> dict[str, tuple[str, int]]:
    """``<strong>Label:</strong> value`` pairs: the value runs to the next label in the same parent."""
    found: dict[str, tuple[str, int]] = {}
    for parent in walk(scope, skip):
        children = parent.children
        labels = [(i, child) for i, child in enumerate(children) if isinstance(child, Node) and _is_label(child)]
        stops = [i for i, _ in labels[1:]] + [len(children)] if labels else []
        for (index, label), stop in zip(labels, stops, strict=True):
            value = clean(render(children[index + 1 : stop], skip)) or ""
            found.setdefault(_label_key(text_of(label)[:-1]), (value, label.line))
    return found


def _is_label(node: Node) -> bool:
    return node.tag in ("strong", "b") and text_of(node).endswith(":")


def _html_page(markup: str) -> Page:
    """Read a saved page: the labelled fields where the page has them, its rendered lines otherwise."""
    root = parse_html(markup)
    title = next((n for n in walk(root) if n.tag == "h1" and "page-title" in n.classes), None)
    if title is None or not text_of(title):
        raise SourceError("the page has no title (no h1.page-title): not a keep.eu project page, or a broken one")
    page = Page(heading=text_of(title), line=title.line)
    labels = _labelled(root, _is_partner_block)
    _take_labels(page, labels)
    _take_rendered_lines(page, root)
    _take_anchors(page, root)
    linked = bool(page.programmes)  # the programme links, when present, name the programmes
    for node in walk(root, _is_partner_block):
        if node.tag == "li":
            _take_bullet(page, text_of(node), node.line, programmes=not linked)
    page.partners = [
        Partner(_block_labels(node), lead=node.tag == "div", line=node.line)
        for node in walk(root)
        if _is_partner_block(node)
    ]
    _require_programme(page)
    return page


def _take_labels(page: Page, labels: dict[str, tuple[str, int]]) -> None:
    """Project-level labelled fields; the long texts are the "(EN)" ones, else any language's."""
    page.acronym = clean(labels.get("project acronym", ("", 0))[0])
    for key, name in (
        ("project start date", "start_date"),
        ("project end date", "end_date"),
        ("project status", "status"),
        ("total eu funding (amount)", "eu_contribution"),
        ("union co-financing rate", "cofinancing_rate"),
        ("total budget/expenditure", "total_cost"),
        ("project id", "project_code"),
    ):
        if key in labels:
            page.put(name, *labels[key])
    page.summary = _long_text(labels, "description")
    page.expected = _long_text(labels, "expected achievements")
    page.results = _long_text(labels, "actual achievements")
    if "website" in labels:
        _take_website(page, labels["website"][0])


def _long_text(labels: dict[str, tuple[str, int]], name: str) -> str | None:
    english = labels.get(f"{name} (en)")
    if english:
        return clean(english[0])
    other = next((value for key, (value, _) in labels.items() if key.startswith(f"{name} (")), None)
    return clean(other)


def _take_rendered_lines(page: Page, root: Node) -> None:
    """The dates line, the partner count and the footer date, as the page renders them."""
    for line, number in rendered_lines(root, _is_partner_block):
        if _DATES.fullmatch(line):
            _take_dates(page, line, number)
        elif _PARTNERS.fullmatch(line):
            page.put("declared_partner_count", line, number)
        elif match := _UPDATED.search(line):
            page.put("date_of_latest_update", match["date"], number)


def _take_anchors(page: Page, root: Node) -> None:
    """Programme links, the project website, the keep.eu page and attached documents."""
    for node in walk(root, _is_partner_block):
        if node.tag != "a":
            continue
        text, href = text_of(node), node.attrs.get("href", "")
        if "programme-link" in node.classes:
            _add_programme(page, text, node.line)
        elif text.casefold() == "project website":
            _take_website(page, _target(href))
        elif url := _target(href):
            _add_link(page, text, url)


def _add_link(page: Page, text: str, url: str) -> None:
    if text.casefold() == "project on keep platform":
        page.links.append(Link(url=url, title=text, kind="keep.eu"))
    elif "/api/project-attachment/" in url:
        page.links.append(Link(url=url, title=text or None, kind="document"))


def _target(href: str | None) -> str | None:
    """A link's target made absolute the way a browser reads it on keep.eu.

    Whether a page of ours may link to it (``javascript:`` and the like may not) is decided for
    every source at ingest, in normalise.urls.
    """
    text = clean(href)
    return urljoin(KEEP, text) if text else None


def _website(text: str | None) -> str | None:
    """A website written out as text ("www.imatra.fi" or a full URL), as normalise.urls keeps it;
    text that is no web address stays as published, for the ingest to leave out with a flag."""
    value = clean(text)
    return web_address(value) or value


def _take_website(page: Page, text: str | None) -> None:
    """The page's first usable website (the labelled one, then the "Project website" link); an
    unusable one only while no other is found."""
    if page.website is None or web_address(page.website) is None:
        page.website = web_address(text) or page.website or clean(text)


def _block_labels(block: Node) -> dict[str, str]:
    return {key: value for key, (value, _) in _labelled(block, lambda _: False).items()}


# --- from published text to the model ------------------------------------------------------


def _record(page: Page) -> Record:
    title, acronym = _title_and_acronym(page.heading, page.acronym)
    programmes = [_programme(text) for text in page.programmes]
    ids = [_source_id(name, period, acronym or title) for name, period in programmes]
    start = _parsed(page, "start_date", parse_date)
    end = _parsed(page, "end_date", parse_date)
    status_source = page.values.get("status")
    checked = Checked()
    participations, partner_flags = _participations(page.partners, checked)
    declared = _declared_count(page)
    project = Project(
        source="keep",
        source_id=ids[0],
        acronym=acronym,
        title=title,
        summary=_summary(page),
        results=page.results,
        start_date=start,
        end_date=end,
        status=_status(status_source),
        status_source=status_source,
        programme=programmes[0][0],
        period=programmes[0][1],
        fund=fund_of(programmes[0][0]),
        eu_contribution=_money(page, "eu_contribution", checked),
        total_cost=_money(page, "total_cost", checked),
        cofinancing_rate=_rate(page, checked),
        website=page.website,
        declared_partner_count=declared,
        participations=participations,
        links=page.links,
        flags=[*_shift_flags(page, start, end), *partner_flags, *_count_flags(declared, participations)],
        raw={**page.values, "programme": " | ".join(page.programmes)},
    )
    aliases = [f"keep:{other}" for other in dict.fromkeys(ids[1:]) if other != ids[0]]
    return Record(key=project.id, project=checked.onto(project), line=page.line, aliases=aliases)


def _title_and_acronym(heading: str, labelled: str | None) -> tuple[str, str | None]:
    """Split "City Twins Co-operation Network (City Twins)" into title and acronym.

    A labelled acronym wins; the bracket is then removed from the title only if it repeats it.
    """
    name, bracket = _trailing_bracket(heading)
    if labelled:
        return (name if bracket == labelled else heading), labelled
    return (name, bracket) if bracket else (heading, None)


def _trailing_bracket(text: str) -> tuple[str, str | None]:
    """The text before a final balanced "(…)" group and the group's content (brackets can nest)."""
    if not text.endswith(")"):
        return text, None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            before, inside = text[:index].strip(), text[index + 1 : -1].strip()
            return (before, inside) if before and inside else (text, None)
    return text, None


def _programme(text: str) -> tuple[str, str | None]:
    """Programme name and period ("2000-2006") of "2000 - 2006 Interreg IIIC North"."""
    match = _PROGRAMME.fullmatch(text)
    if not match:
        return text, None
    return match["name"].strip(), f"{match['period']}-{match['end']}"


def fund_of(programme: str) -> str | None:
    """ERDF for an Interreg programme, None for a programme of another instrument."""
    return None if _OTHER_INSTRUMENT.search(programme) else ERDF


def _source_id(programme: str, period: str | None, acronym: str) -> str:
    scope = f"{_slug(programme)}-{period}" if period else _slug(programme)
    return f"{scope}:{_slug(acronym)}"


def _slug(text: str) -> str:
    """The readable slug, or a hash where the text has no Latin letters (a Greek or Cyrillic acronym)."""
    return slug(text) or short_hash(text)


def _parsed(page: Page, name: str, parse: Callable[[str | None], T]) -> T:
    """Parse one published value; an impossible one rejects the page, naming it and its text."""
    try:
        return parse(page.values.get(name))
    except ValueError as err:
        raise _PageError(f"{_LABELS[name]}: {err}", page.lines.get(name, page.line)) from None


_LABELS = {
    "start_date": "'Start date'",
    "end_date": "'End date'",
    "cofinancing_rate": "co-financing rate",
    "eu_contribution": "EU funding (amount)",
    "total_cost": "'Total budget/expenditure'",
}


def _money(page: Page, name: str, checked: Checked) -> Money | None:
    """An amount; one that cannot be read is left out with a flag, the page kept."""
    parse = lambda text: non_negative(parse_money(text, decimal=","))  # noqa: E731
    return checked.text(name, page.values.get(name), parse, label=_label(page, name))


def _rate(page: Page, checked: Checked) -> Decimal | None:
    text = page.values.get("cofinancing_rate")
    return checked.text(
        "cofinancing_rate", text, parse_rate, code="invalid_rate", label=_label(page, "cofinancing_rate")
    )


def _label(page: Page, name: str) -> str:
    return f"{_LABELS[name]} (line {page.lines.get(name, page.line)})"


def _declared_count(page: Page) -> int | None:
    text = page.values.get("declared_partner_count")
    match = _PARTNERS.fullmatch(text) if text else None
    return int(match["count"]) if match else None


def _summary(page: Page) -> str | None:
    """The description; expected achievements, which the model has no field for, follow it."""
    if not page.expected:
        return page.summary
    expected = f"Expected achievements: {page.expected}"
    return f"{page.summary}\n\n{expected}" if page.summary else expected


def _status(text: str | None) -> Status | None:
    folded = fold(text) if text else ""
    return next((status for word, status in _STATUS_WORDS if word in folded), None)


def _shift_flags(page: Page, start: dt.date | None, end: dt.date | None) -> list[Flag]:
    """Flag a start the day before a month begins, or an end the day before a month's last day.

    These are the marks of a midnight printed in UTC. ``looks_shifted_back`` answers for both
    kinds of date at once; a start is only suspicious if the likely date is a first, an end
    only if it is a last (an end on 31 August is normal, not a shifted 1 September).
    """
    flags = []
    for name, label, day in (("start_date", "Start date", start), ("end_date", "End date", end)):
        likely = looks_shifted_back(day) if day else None
        if likely and _is_boundary(likely, is_start=name == "start_date"):
            published = page.values[name]
            message = f"{label} {published} looks shifted by one day; probably {likely.isoformat()}"
            flags.append(Flag(f"{name}_shifted", message))
    return flags


def _is_boundary(day: dt.date, *, is_start: bool) -> bool:
    return day.day == 1 if is_start else (day + dt.timedelta(days=1)).day == 1


def _count_flags(declared: int | None, participations: list[Participation]) -> list[Flag]:
    if declared is None or not participations or declared == len(participations):
        return []
    message = f"The page declares {declared} partners but lists {len(participations)}"
    return [Flag("partner_count_mismatch", message)]


def _participations(partners: list[Partner], checked: Checked) -> tuple[list[Participation], list[Flag]]:
    """Partner blocks in page order, the lead first.

    A block without a name is skipped and an unreadable amount left out, each with a flag:
    one bad partner value should not cost the project its other facts.
    """
    participations: list[Participation] = []
    flags: list[Flag] = []
    for partner in sorted(partners, key=lambda p: not p.lead):
        name = clean(partner.labels.get("lead partner")) or clean(partner.labels.get("name"))
        if not name:
            flags.append(Flag("partner_unreadable", f"A partner block (line {partner.line}) has no name"))
            continue
        try:
            participations.append(_participation(partner, name, len(participations), checked))
        except ValueError as err:  # a name of punctuation only cannot identify an organisation
            flags.append(Flag("partner_unreadable", f"A partner block (line {partner.line}): {err}"))
    return participations, flags


def _participation(partner: Partner, name: str, order: int, checked: Checked) -> Participation:
    labels = partner.labels
    return Participation(
        organisation=_organisation(name, labels),
        role=Role.LEAD if partner.lead else Role.PARTNER,
        role_raw="Lead Partner" if partner.lead else "Partner",
        order=order,
        total_cost=_partner_money(partner, name, "total budget", checked),
        eu_contribution=_partner_money(partner, name, "partner's programme co-financing", checked),
    )


def _partner_money(partner: Partner, name: str, key: str, checked: Checked) -> Money | None:
    parse = lambda text: non_negative(parse_money(text, decimal=","))  # noqa: E731
    return checked.text(f"{key}[{name}]", partner.labels.get(key), parse, label=f"{name}: {key!r}")


def _organisation(name: str, labels: dict[str, str]) -> Organisation:
    street, postcode, city, country = _address(labels.get("address") or labels.get("department address"))
    return organisation(
        name,
        country,
        pic=clean(labels.get("pic (participant identification code)")),
        street=street,
        postcode=postcode,
        city=city,
        type=clean(labels.get("organisation type")),
        website=_website(labels.get("website")),
    )


_POSTCODE_CITY = re.compile(r"(?P<postcode>(?:[A-Z]{1,3}-)?\d[\d -]*?)\s+(?P<city>[^\d\s].*)")


def _address(text: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """Street, postcode, city and country of "Virastokatu 2, 55100 Imatra, Finland".

    keep.eu has no country field on pages: the country is the last comma-separated part,
    when that part is a country at all.
    """
    parts = [p for p in (clean(part) for part in (clean(text) or "").split(",")) if p]
    country = parts.pop() if parts and country_code(parts[-1]) else None
    if not parts:
        return None, None, None, country
    match = _POSTCODE_CITY.fullmatch(parts[-1])
    postcode, city = (match["postcode"], match["city"]) if match else (None, parts[-1])
    street = ", ".join(parts[:-1]) or None
    return street, postcode, city, country


FORMATS = [
    Format(
        name="keep-page-text",
        description="keep.eu project page as rendered text (title, dates, status, texts, rate, EU amount, programme)",
        detect=detect_text,
        read=read_text_page,
    ),
    Format(
        name="keep-page-html",
        description="keep.eu project page saved as HTML (the text's facts plus partners, website, update date)",
        detect=detect_html,
        read=read_html_page,
    ),
]
