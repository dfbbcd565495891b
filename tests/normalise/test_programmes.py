"""Programme codes and labels as the sources spell them, resolved to one canonical programme."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from euprojects.normalise.programmes import (
    ERC,
    FRAMEWORKS,
    MSCA,
    PROGRAMMES,
    Canonical,
    by_code,
    by_label,
    fund_of,
    name_of,
    resolve,
)
from euprojects.sources.cordis.participations import parse_programmes_yml


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("H2020-EU.1.3.", "H2020-EU.1.3."),
        ("EU.1.3.", "H2020-EU.1.3."),  # Norway's list leaves out the framework
        ("h2020-eu.1.3", "H2020-EU.1.3."),  # case and the final dot do not matter
        ("H2020-EU.3.4.7.1", "H2020-EU.3.4."),  # SESAR, without its final dot, named by its challenge
        ("H2020-EU.3.3.2.4.", "H2020-EU.3.3."),
        ("H2020-EU.2.1.1.7.", "H2020-EU.2.1.1."),  # LEIT's technologies are listed themselves
        ("H2020-EU.4.a.", "H2020-EU.4."),
        ("H2020-Euratom-1.1.", "H2020-Euratom"),
        ("H2020-EU.0.", "H2020"),  # Norway's cross-theme rows: no part, the framework
        ("HORIZON.2.5.2", "HORIZON.2.5"),
        ("EURATOM.1.1.4", "EURATOM2027"),  # Horizon Europe's Euratom parts
        ("FP7-IDEAS-ERC", "FP7-IDEAS-ERC"),
        ("FP7-EURATOM-FISSION", "FP7-EURATOM-FISSION"),
        ("FP7-OCEAN", "FP7"),
        ("FP2", "FP2"),
    ],
)
def test_a_code_in_any_spelling_finds_its_listed_programme(code: str, canonical: str) -> None:
    found = by_code(code)
    assert found is not None and found.code == canonical
    assert found.label == PROGRAMMES[canonical] and found.fund == fund_of(canonical)


@pytest.mark.parametrize("code", ["8", "HR", "interreg-north-sea", "", "EU", "2014AT16RFOP001"])
def test_codes_of_other_lists_are_not_programmes_here(code: str) -> None:
    """National lists number their programmes (Greece "8", Croatia "HR"): never a research programme."""
    assert by_code(code) is None


def test_the_erc_and_msca_have_one_label_in_every_framework() -> None:
    assert {PROGRAMMES[c] for c in ("FP7-IDEAS-ERC", "H2020-EU.1.1.", "HORIZON.1.1")} == {ERC}
    assert {PROGRAMMES[c] for c in ("H2020-EU.1.3.", "HORIZON.1.2")} == {MSCA}
    assert PROGRAMMES["H2020-EU.1.4."] == PROGRAMMES["HORIZON.1.3"] == "Research infrastructures"


@pytest.mark.parametrize(
    ("label", "fund", "code"),
    [
        ("Marie Sklodowska-Curie actions", "H2020", "H2020-EU.1.3."),  # no accent, no abbreviation
        ("Health, demographic change and wellbeing", "H2020", "H2020-EU.3.1."),  # no hyphen
        ("Smart, green and integrated transport", "H2020", "H2020-EU.3.4."),
        ("Research Infrastructures", "HORIZON", "HORIZON.1.3"),
        ("Leadership in enabling and industrial technologies (LEIT)", None, "H2020-EU.2.1."),
        ("European Research Council", "FP7", "FP7-IDEAS-ERC"),
        ("European Research Council (ERC)", "H2020", "H2020-EU.1.1."),
        ("Ideas - European Research Council (ERC)", None, "FP7-IDEAS-ERC"),
        ("Euratom", "H2020", "H2020-Euratom"),
        ("Third Framework Programme (FP3)", "FP3", "FP3"),
    ],
)
def test_a_label_is_matched_folded(label: str, fund: str | None, code: str) -> None:
    assert by_label(label, fund) == Canonical(code, PROGRAMMES[code], fund_of(code))


def test_a_label_several_frameworks_share_has_no_code_until_the_fund_chooses() -> None:
    assert by_label("European Research Council (ERC)") == Canonical(None, ERC, None)
    assert by_label("Marie Skłodowska-Curie Actions (MSCA)", "HORIZON") == Canonical("HORIZON.1.2", MSCA, "HORIZON")


@pytest.mark.parametrize(
    ("label", "fund"),
    [
        ("Health", "ERDF"),  # a national programme may be called so: not Horizon Europe's cluster
        ("Space", "HORIZON"),  # H2020's LEIT part, not a Horizon Europe programme
        ("Interreg IIIC North", "ERDF"),
        ("Razvoj ljudskih potencijala", "ESF"),
        ("Marie Curie", None),
    ],
)
def test_labels_of_other_programmes_stay_unknown(label: str, fund: str | None) -> None:
    assert by_label(label, fund) is None


def test_the_code_decides_before_the_label() -> None:
    """A merged project can hold one record's code and another's label ("Horizon 2020")."""
    found = resolve("H2020-EU.1.1.", "Horizon 2020", "H2020")
    assert found is not None and (found.code, found.label) == ("H2020-EU.1.1.", ERC)
    assert resolve("8", "Ήπειρος", "ERDF") is None
    assert resolve(None, None, "H2020") is None


def test_every_listed_code_names_itself_and_its_framework() -> None:
    for code, label in PROGRAMMES.items():
        assert by_code(code) == Canonical(code, label, fund_of(code)), code
        assert fund_of(code) in FRAMEWORKS, code


def test_horizon_europe_labels_are_the_legal_basis_titles(data: Path) -> None:
    """Every main programme part of CORDIS' Horizon Europe legalBasis.csv, named by its own title."""
    path = data / "cordis-reference" / "horizon_legalBasis.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    main = {(r["legalBasis"], r["title"]) for r in rows if r["uniqueProgrammePart"] == "true"}
    assert len(main) == 15
    assert {(code, name_of(code)) for code, _ in main} == main


def test_each_h2020_programme_part_of_the_companion_table_is_listed(data: Path) -> None:
    text = (data / "cordis-h2020-participations-derived" / "cordis-programmes.yml").read_text(encoding="utf-8")
    codes = [code for codes in parse_programmes_yml(text).values() for code in codes]
    assert len(codes) == 19
    assert [found.code if (found := by_code(code)) else None for code in codes] == codes


NORWAY_LEVELS = (
    ("Programområde kode (H2020)", "Programområde (H2020)"),
    ("Program kode (H2020)", "Program (H2020)"),
    ("Programnivå 1 kode (H2020)", "Programnivå 1 (H2020)"),
)


def test_norway_s_labels_never_name_another_programme_than_their_codes(data: Path) -> None:
    """The two ways in must agree: a label that resolves resolves to its code's programme."""
    path = data / "forskningsradet-eu-grants-norway" / "dataset.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    named = {(r[code], r[label]) for r in rows for code, label in NORWAY_LEVELS if r[code] and r[label]}
    by_labels = {code: by_label(label, "H2020") for code, label in named}
    assert len(named) == len(by_labels) == 37  # 6 pillars, 25 programmes, LEIT's 6 technologies
    for code, found in by_labels.items():
        assert found is None or found == by_code(code), code
    # Unmatched by label: cross-theme lines, parts below the table's level, two other wordings
    unmatched = sorted(code for code, found in by_labels.items() if found is None)
    assert unmatched == [
        "EU.0.", "EU.2.0.", "EU.2.1.2.", "EU.3.0.", "EU.3.2.", "EU.4.0.", "EU.4.b.",
        "EU.5.0.", "EU.5.a.", "EU.5.b.", "EU.5.c.", "EU.5.d.", "EU.5.f.", "EU.5.g.", "EU.5.h.",
    ]  # fmt: skip
