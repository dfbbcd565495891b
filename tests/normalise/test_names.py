"""Organisation identities."""

import pytest

from euprojects.normalise.names import normalise_name, organisation_id


def test_pic_wins() -> None:
    assert organisation_id("UNIVERSITY OF DURHAM", "GB", pic="999977948") == "pic:999977948"


def test_national_register_next() -> None:
    assert organisation_id("SINTEF AS", "NO", national=("no-orgnr", "919303808")) == "no-orgnr:919303808"


def test_folded_name_within_country_last() -> None:
    assert organisation_id("Université de Liège", "BE") == organisation_id("UNIVERSITE DE LIEGE", "BE")
    assert organisation_id("Université de Liège", "BE") != organisation_id("Université de Liège", "FR")


def test_a_malformed_pic_is_not_an_identity() -> None:
    assert organisation_id("ACME", "DE", pic="12") == "name:DE:acme"


def test_nameless_and_idless_is_an_error() -> None:
    with pytest.raises(ValueError):
        organisation_id(None, "DE")


def test_normalised_names() -> None:
    assert normalise_name("THE CHANCELLOR, MASTERS AND SCHOLARS") == "the chancellor masters and scholars"
