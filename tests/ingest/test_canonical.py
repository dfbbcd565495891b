"""The programme step of a merged project: label and code from the table, what they replace in
raw, and the years a framework implies. The full ingest checks the same on the real data; these
cases are the ones it has too few of (no CORDIS table lacks a period today)."""

from __future__ import annotations

from euprojects.ingest.canonical import canonicalise
from euprojects.model import Project
from euprojects.normalise.programmes import ERC


def settled(**values: object) -> Project:
    project = Project(source="cordis", source_id="1", **values)  # type: ignore[arg-type]
    canonicalise(project)
    return project


def test_one_record_s_code_and_another_s_label_agree_again() -> None:
    """tech.csv names only the framework; the programme parts give the code."""
    project = settled(programme="Horizon 2020", programme_code="H2020-EU.1.1.", fund="H2020", period="2014-2020")
    assert (project.programme, project.programme_code, project.raw) == (ERC, "H2020-EU.1.1.", {})


def test_a_published_label_and_a_deeper_code_stay_in_raw() -> None:
    project = settled(programme="Nurturing excellence", programme_code="EU.1.3.2.", fund="H2020", period="2014-2020")
    assert (project.programme_code, project.programme) == ("H2020-EU.1.3.", "Marie Skłodowska-Curie Actions (MSCA)")
    assert project.raw == {"programme": "Nurturing excellence", "programme_code": "EU.1.3.2."}


def test_a_project_without_programme_is_named_by_its_framework_and_says_so() -> None:
    project = settled(fund="H2020", period="2014-2020")
    assert (project.programme, project.programme_code) == ("Horizon 2020", "H2020")
    assert project.raw == {"programme": "implied by the fund H2020"}


def test_a_framework_without_period_gets_its_years_and_says_so() -> None:
    project = settled(programme="Cooperation - Energy", programme_code="FP7-ENERGY", fund="FP7")
    assert project.period == "2007-2013" and project.raw == {"period": "implied by the fund FP7"}


def test_other_programmes_stay_as_published() -> None:
    project = settled(programme="Regionalna konkurentnost", programme_code="RC", fund="ERDF", period="2007-2013")
    assert (project.programme, project.programme_code, project.raw) == ("Regionalna konkurentnost", "RC", {})
    assert settled(fund="ERDF").programme is None and settled(fund="ERDF").period is None
