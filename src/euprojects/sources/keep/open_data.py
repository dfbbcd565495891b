"""keep.eu's Open Data API (``api/open-data?key=…``): programmes, projects and partnerships as JSON.

keep.eu does not publish the structure of this answer (``formats/keep.md`` §4); it is taken to
hold the entities and field names of keep.eu's project detail JSON (§3.4): a project with its
``programme`` (``{id, title, period: {title}}``), ``themes``, English texts under
``translations.en`` and its ``partnerships``, each naming its ``partner``. The loader accepts the
shapes such an answer can plausibly take, and says which it found nothing in:

- a list of projects, or an object holding one under ``projects`` or ``results``;
- programmes (a list, or an object's ``programmes``) each holding its ``projects``;
- partnerships apart (an object's ``partnerships``), each naming its project by ``project`` id,
  and a project's programme given as a bare id into the object's ``programmes``.

Ids are those of keep.eu's pages and export (``keep:<programme>-<period>:<acronym>``), so the API,
an export and a saved page describe one project; keep.eu's own number is an alias
(``keep:<id>``), which keep.eu's addresses (``keep.eu/projects/<id>/``) use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from euprojects.model import Flag, Participation, Project, Record, Reject, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money, parse_rate
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, SourceError
from euprojects.sources.common import Checked, RowError, organisation
from euprojects.sources.keep.page import _programme, _source_id, _status, fund_of

JsonObject = dict[str, Any]
# Words only keep.eu's JSON uses, of which one must be among a file's first bytes for it to be
# recognised (a programme's import date, when the programmes come first).
SIGNS = ('"partnerships"', '"seo_name"', '"co_financing_eur"', '"union_co_financing_rate"', '"date_of_data_import"')
JEMS_NO_DATE = "1970-01-01"  # what Jems sends for a missing date (formats/keep.md §1.5)


def detect(head: Head) -> bool:
    text = head.text.lstrip()
    return text[:1] in ("{", "[") and any(sign in text for sign in SIGNS)


def read(path: Path) -> Iterator[Item]:
    try:
        document = msgspec.json.decode(path.read_bytes())
    except msgspec.DecodeError as err:
        raise SourceError(f"not valid JSON: {err}") from None
    projects = list(_projects(document))
    if not projects:
        raise SourceError("no keep.eu project objects (with 'acronym' or 'translations') in the JSON")
    return _records(projects)


def _projects(document: object) -> Iterator[JsonObject]:
    """Every project object of the answer, with its programme and partnerships attached."""
    if isinstance(document, list):
        yield from _from_list(document, {})
        return
    if not isinstance(document, dict):
        return
    programmes = {p["id"]: p for p in _list(document.get("programmes")) if isinstance(p, dict) and "id" in p}
    apart: dict[object, list[JsonObject]] = {}
    for partnership in _list(document.get("partnerships")):
        if isinstance(partnership, dict):
            apart.setdefault(_ref(partnership.get("project")), []).append(partnership)
    listed = _list(document.get("projects")) or _list(document.get("results"))
    holding = [p for p in programmes.values() if "projects" in p]
    found = _from_list(listed, programmes) if listed else _from_list(holding, {})
    for project in found:
        if apart and not project.get("partnerships"):
            project = {**project, "partnerships": apart.get(project.get("id"), [])}
        yield project


def _from_list(items: list[Any], programmes: Mapping[object, JsonObject]) -> Iterator[JsonObject]:
    for item in items:
        if not isinstance(item, dict):
            yield {"_not_an_object": type(item).__name__}
        elif "projects" in item and "acronym" not in item:  # a programme holding its projects
            for project in _list(item.get("projects")):
                if isinstance(project, dict):
                    yield {**project, "programme": project.get("programme") or item}
        else:
            programme = item.get("programme")
            if not isinstance(programme, dict) and programme in programmes:
                item = {**item, "programme": programmes[programme]}
            yield item


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _ref(value: object) -> object:
    """A project named by id, or by an object holding it."""
    return value.get("id") if isinstance(value, dict) else value


def _records(projects: list[JsonObject]) -> Iterator[Item]:
    for number, value in enumerate(projects, 1):
        if "_not_an_object" in value:
            yield Reject(line=number, reason=f"project {number}: a {value['_not_an_object']}, not an object")
            continue
        try:
            yield _record(number, value)
        except (RowError, ValueError) as err:
            raw = {k: v for k, v in value.items() if k not in ("partnerships", "translations")}
            yield Reject(line=number, reason=f"project {number}: {err}", raw=msgspec.json.encode(raw).decode()[:2000])


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return clean(str(value))


def _english(value: JsonObject, key: str) -> str | None:
    """A text in English, else in any language keep.eu filed it under (its language detection
    files some English texts under ``mt`` or ``it``)."""
    translations = value.get("translations")
    if not isinstance(translations, dict):
        return _text(value.get(key))
    ordered = [translations.get("en"), *(v for k, v in translations.items() if k != "en")]
    return next((t for tr in ordered if isinstance(tr, dict) and (t := _text(tr.get(key)))), _text(value.get(key)))


def _record(number: int, value: JsonObject) -> Record:
    programme_text, period = _programme_of(value.get("programme"))
    acronym = _text(value.get("acronym"))
    title = _english(value, "name")
    if not programme_text:
        raise RowError("'programme' gives no title")
    if not (acronym or title):
        raise RowError("neither 'acronym' nor an English 'name' is given")
    programme, period_in_title = _programme(" ".join(programme_text.split()))
    period = period_in_title or period
    keep_id = _text(value.get("id"))
    checked = Checked()
    partnerships = sorted(
        (p for p in _list(value.get("partnerships")) if isinstance(p, dict)), key=lambda p: _order(p.get("id"))
    )
    status_source = _text(value.get("status"))
    project = Project(
        source="keep",
        source_id=_source_id(programme, period, acronym or title or ""),
        acronym=acronym,
        title=title,
        summary=_english(value, "description"),
        results=_english(value, "actual_achievements") or _english(value, "expected_achievements"),
        start_date=checked.text("start_date", _date_text(value.get("start_date")), parse_date, code="invalid_date"),
        end_date=checked.text("end_date", _date_text(value.get("end_date")), parse_date, code="invalid_date"),
        status=_status(status_source),
        status_source=status_source,
        programme=programme,
        programme_code=_text(value.get("project_id")),
        period=period,
        fund=fund_of(programme),
        themes=[t for theme in _list(value.get("themes")) if (t := _text(_title(theme)))],
        total_cost=checked.text("total_budget", _text(value.get("total_budget")), parse_money),
        eu_contribution=checked.text("eu_funding", _text(value.get("eu_funding")), parse_money),
        cofinancing_rate=checked.text(
            "union_co_financing_rate", _text(value.get("union_co_financing_rate")), _rate, code="invalid_rate"
        ),
        website=_text(value.get("website")),
        declared_partner_count=_count(value.get("number_of_partners") or value.get("partners_count")),
        participations=[_participation(order, p, checked) for order, p in enumerate(partnerships)],
        raw={"programme": programme_text, **({"keep_id": keep_id} if keep_id else {})},
    )
    if period == "2021-2027" and not project.programme_code:
        project.flags = [Flag("missing_id", "a 2021-2027 project without the programme's project id")]
    aliases = [f"keep:{keep_id}"] if keep_id and keep_id.isdigit() else []
    return Record(key=project.id, project=checked.onto(project), line=number, aliases=aliases)


def _programme_of(value: object) -> tuple[str | None, str | None]:
    """The programme's title and the period its ``period.title`` gives."""
    if not isinstance(value, dict):
        return _text(value), None
    period = value.get("period")
    period_text = _text(_title(period)) if isinstance(period, dict) else _text(period)
    return _text(value.get("title")), period_text if period_text and re.fullmatch(r"\d{4}-\d{4}", period_text) else None


def _title(value: object) -> object:
    return value.get("title") if isinstance(value, dict) else value


def _order(value: object) -> tuple[int, str]:
    """Partnerships in keep.eu's order: by their id, a number."""
    text = str(value) if value is not None else ""
    return (int(text), "") if text.isdigit() else (1 << 62, text)


def _date_text(value: object) -> str | None:
    text = _text(value)
    return None if text == JEMS_NO_DATE else text


def _rate(text: str | None) -> Decimal | None:
    """``53.6``, ``"53.60"``, ``"80%"`` or a fraction ``0.8`` (formats/keep.md §1.4)."""
    return parse_rate(text, fraction_ok=True)


def _count(value: object) -> int | None:
    text = _text(value)
    return int(float(text)) if text and re.fullmatch(r"\d+(\.0+)?", text) else None


def _participation(order: int, value: JsonObject, checked: Checked) -> Participation:
    partner = value.get("partner") if isinstance(value.get("partner"), dict) else {}
    assert isinstance(partner, dict)
    name = _english(partner, "name_translated") or _text(partner.get("name"))
    country = _text(_title(partner.get("country"))) or _text(_title(value.get("country")))
    pic = _text(value.get("pic"))
    national = _national(_text(value.get("beneficiary_id")))
    where = f" [{name}]"
    location = value.get("location_json") if isinstance(value.get("location_json"), dict) else {}
    assert isinstance(location, dict)
    org = organisation(
        name,
        country,
        pic=pic,
        national=("national", national) if national and not pic else None,
        type=_text(value.get("organisation_type")),
        street=_text(value.get("street")),
        postcode=_text(value.get("postcode")),
        city=_text(value.get("town")),
        website=_text(value.get("website")),
        latitude=_number(location.get("lat")),
        longitude=_number(location.get("lng")),
    )
    role_raw = _text(value.get("type"))
    return Participation(
        organisation=org,
        role=Role.LEAD if (role_raw or "").lower() == "lead" else Role.PARTNER,
        role_raw=role_raw,
        order=order,
        eu_contribution=checked.text("co_financing_eur" + where, _text(value.get("co_financing_eur")), parse_money),
        total_cost=checked.text("total_budget" + where, _text(value.get("total_budget")), parse_money),
    )


# keep.eu's own partner codes (two letters, three digits, 000, three digits) look like VAT ids
# but are not (formats/keep.md §3.4).
_INTERNAL_CODE = re.compile(r"[A-Z]{2}\d{3}000\d{3}")
_NOT_AN_ID = re.compile(r"(?i)^(?:n\.?\s?a\.?|n/a|-|no|not applicable|not vat registered)$")


def _national(text: str | None) -> str | None:
    """The first real national id of a ``beneficiary_id`` (``|``-separated, with n/a markers and
    keep.eu's own partner codes among them), or None."""
    for part in (text or "").split("|"):
        candidate = re.sub(r"\s*-\s*\([A-Z]{2}\)\s*,?", "", part).strip(" ,")
        if candidate and not _NOT_AN_ID.match(candidate) and not _INTERNAL_CODE.fullmatch(candidate):
            return candidate
    return None


def _number(value: object) -> float | None:
    try:
        return float(value) if isinstance(value, (int, float, str)) and str(value).strip() else None
    except ValueError:
        return None


FORMATS = [
    Format(
        name="keep-json",
        description="keep.eu's Open Data API answer: programmes, projects and partnerships as JSON",
        detect=detect,
        read=read,
    )
]
