"""Detection says why each plausible format refused a file, and a recognised file with damaged
rows keeps its other rows: real FP7 and CORDIS files altered in tmp_path."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from euprojects.model import Record, Reject
from euprojects.sources import SourceError, detect, plan
from euprojects.sources.cordis.projects import read_fp7

FP7 = "cordis-fp7-samples/fp7_test_projects.csv"


def fp7_lines(data: Path) -> list[bytes]:
    return (data / FP7).read_bytes().split(b"\n")


def read(path: Path) -> tuple[list[Record], list[Reject]]:
    items = list(read_fp7(path))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


def refusal(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        detect(path)
    message = str(caught.value)
    assert message.startswith("no known format recognises this file: ") and "\n" not in message
    return message


def test_a_stray_cp1252_byte_rejects_its_row_and_keeps_the_others(data: Path, tmp_path: Path) -> None:
    lines = fp7_lines(data)
    title = lines[10].index(b'";"', 30)  # inside row 11's third value
    lines[10] = lines[10][:title] + b"\x85" + lines[10][title:]
    path = tmp_path / "fp7_test_projects.csv"
    path.write_bytes(b"\n".join(lines))
    assert detect(path).name == "cordis-fp7-projects"
    records, rejects = read(path)
    intact, _ = read(data / FP7)
    [reject] = rejects
    assert reject.line == 11 and "byte 0x85 is not UTF-8 (in cp1252 it would be '…')" in reject.reason
    assert "\ufffd" in (reject.raw or "")
    assert [r.project for r in records] == [r.project for r in intact if r.line != 11]


def test_nul_bytes_in_two_rows_reject_those_rows(data: Path, tmp_path: Path) -> None:
    lines = fp7_lines(data)
    for index in (1, 7):  # the first data row lies within the bytes detection looks at
        lines[index] = lines[index].replace(b'";"', b'\x00";"', 1)
    path = tmp_path / "fp7_test_projects.csv"
    path.write_bytes(b"\n".join(lines))
    assert detect(path).name == "cordis-fp7-projects"
    records, rejects = read(path)
    assert [(r.line, "NUL byte" in r.reason) for r in rejects] == [(2, True), (8, True)]
    assert len(records) == len(read(data / FP7)[0]) - 2


def test_utf16_is_named_for_the_formats_it_would_match(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "fp7_test_projects.csv"
    path.write_bytes((data / FP7).read_text(encoding="utf-8-sig").encode("utf-16"))
    message = refusal(path)
    assert "cordis-fp7-projects" in message and "the file is UTF-16 (save it as UTF-8)" in message


def test_a_removed_column_is_named(data: Path, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO((data / FP7).read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    column = rows[0].index("acronym")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows(row[:column] + row[column + 1 :] for row in rows)
    path = tmp_path / "fp7_test_projects.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    message = refusal(path)
    closest = message.removeprefix("no known format recognises this file: ").split("; ")[0]
    assert closest == "cordis-fp7-projects: missing column 'acronym' in its semicolon-separated header"


def test_text_saved_as_xlsx_is_not_a_workbook_for_the_workbook_formats(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "organization_1.xlsx"
    path.write_bytes((data / FP7).read_bytes()[:2000].replace(b'"id";"acronym"', b'"ref";"short"'))
    message = refusal(path)
    assert "cordis-he-organizations" in message and "cordis-deliverables" in message
    assert "not an XLSX workbook: the file is text, not a zip archive" in message


def test_a_zip_archive_that_is_no_workbook(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "fp7.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(data / FP7, "fp7_test_projects.csv")
    assert "it is a zip archive but not a workbook (unpack it" in refusal(path)


def test_a_file_like_no_format_shows_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("when;what;where\nmonday;meeting;Brussels\n", encoding="utf-8")
    assert "no format has the columns when, what, where" in refusal(path)


def test_every_real_file_is_still_detected_as_one_format(data: Path) -> None:
    """The checks detection now keeps change no decision: each real data file has one format."""
    planned = plan([data])
    assert [(p.path.name, p.error) for p in planned if p.error] == []
    names = {p.path.name: p.format.name for p in planned if p.format}
    assert names["fp7_test_projects.csv"] == "cordis-fp7-projects"
    assert names["organization_1.xlsx"] == "cordis-he-organizations"
    assert names["h2020.csv.gz"] == "cordis-h2020-participations"
