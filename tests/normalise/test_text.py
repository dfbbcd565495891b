"""Text repair and decoding on strings from the real files."""

import pytest

from euprojects.normalise.html import html_to_text
from euprojects.normalise.text import DecodeError, clean, decode, is_null, repair


def test_double_encoded_utf8_is_repaired() -> None:
    assert repair("the worldâ€™s first") == "the world’s first"  # cleantech inner_table.csv
    assert repair("around 4 â‚¬/kWh") == "around 4 €/kWh"  # tech.csv


def test_lost_soft_hyphens_and_euro_signs() -> None:
    assert repair("stays homo¬geneous") == "stays homogeneous"  # ERC abstracts
    assert repair("¬3.5M of funding") == "€3.5M of funding"
    assert repair("(cost 1M¬) will") == "(cost 1M€) will"


def test_clean_text_is_left_alone() -> None:
    for text in ("Słubice", "Vækst", "Στερεά Ελλάδα", "Zaključni datum"):
        assert repair(text) == text


def test_decode_tries_the_formats_encodings_in_order() -> None:
    danish = "Vækst på Bornholm".encode("cp1252")
    assert decode(danish, ("utf-8", "cp1252")) == ("Vækst på Bornholm", "cp1252")
    assert decode("\ufeffid;title".encode(), ("utf-8",)) == ("id;title", "utf-8-sig")
    greek = "ΕΛΛΑΔΑ".encode("cp1253")
    assert decode(greek, ("utf-8", "cp1253"))[0] == "ΕΛΛΑΔΑ"
    polish = "Tytuł projektu;Dofinansowanie z EU".encode("cp1250")  # PL list of operations header
    assert decode(polish, ("utf-8", "cp1250")) == ("Tytuł projektu;Dofinansowanie z EU", "cp1250")


def test_decode_refuses_what_is_not_text() -> None:
    with pytest.raises(DecodeError, match="UTF-16"):
        decode("id;title".encode("utf-16"), ("utf-8",))
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00", ("utf-8",))
    with pytest.raises(DecodeError, match=r"utf-8 fails on line 2 \(byte 0xff\)"):
        decode(b"abc\n\xff", ("utf-8",))


def test_clean_collapses_spaces_and_keeps_paragraphs() -> None:
    assert clean("  Tornio \u00a0 Haparanda \r\n\r\n\r\nnext  ") == "Tornio Haparanda\n\nnext"
    assert clean("  ") is None
    assert clean("N.a.") is None


def test_null_markers() -> None:
    assert is_null("NA") and is_null("n/a") and is_null("") and not is_null("0")


def test_html_to_text_drops_markup_and_scripts() -> None:
    markup = "<p>City <b>Twins</b> &amp; partners</p><script>alert(1)</script><ul><li>Imatra</li><li>Narva</li></ul>"
    assert html_to_text(markup) == "City Twins & partners\n\nImatra\n\nNarva"


def test_repair_fixes_what_ftfy_leaves() -> None:
    assert repair("WarwickFBRâ„¢ technology") == "WarwickFBR™ technology"  # cleantech inner_table.csv
    assert repair("SaulÄ—s energija") == "Saulės energija"
    assert repair("already clean — text") == "already clean — text"
    assert repair("mixed Słubice and worldâ€™s") == "mixed Słubice and world’s"  # not cp1252: ftfy


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("UNIVERSITY OF DURHAM", "UNIVERSITY OF DURHAM"),
        (" RUE  DESCARTES 1 ", "RUE DESCARTES 1"),
        ("A\tB", "A B"),
        ("A\r\nB", "A\nB"),
        ("A\u00a0B", "A B"),
        ("A\x01B", "AB"),
        ("N.A.", None),
        ("None", None),
        ("", None),
    ],
)
def test_clean_cells(cell: str, expected: str | None) -> None:
    assert clean(cell) == expected
