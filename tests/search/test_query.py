"""The query parser: what people type, and anything else, never crashes it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from euprojects.search import QueryError, Searcher, SearchRequest
from euprojects.search.query import FieldFilter, Term, parse

OPERATORS = st.sampled_from(['"', "OR", "-", "*", "AND", ":", "title:", "org:", "country:", "(", ")", " ", "\x00", "é"])
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(OPERATORS, st.text(alphabet="abcxyzłé01 ", max_size=8)), max_size=30).map("".join),
)


def test_words_phrases_or_and_exclusions() -> None:
    parsed = parse('hydrogen "fuel cell" solar OR wind -coal -"natural gas"')
    assert [[t.text for t in c.terms] for c in parsed.positive] == [["hydrogen"], ["fuel cell"], ["solar", "wind"]]
    assert [c.terms[0].text for c in parsed.clauses if c.negated] == ["coal", "natural gas"]
    assert parsed.positive[1].terms[0].phrase


def test_prefixes_and_scopes() -> None:
    parsed = parse('cooperat* title:twins org:"city of imatra" programme:interreg')
    assert parsed.positive[0].terms == [Term("cooperat", prefix=True)]
    assert parsed.positive[1].terms == [Term("twins", scope="title")]
    assert parsed.positive[2].terms == [Term("city of imatra", phrase=True, scope="orgs")]
    assert parsed.positive[3].terms == [Term("interreg", scope="programme")]


def test_filters_in_the_text() -> None:
    parsed = parse("energy country:EE start:2014..2020 -status:cancelled")
    assert parsed.filters == [FieldFilter("country", "EE"), FieldFilter("start", "2014..2020")]
    assert parsed.excluded_filters == [FieldFilter("status", "cancelled")]


@pytest.mark.parametrize(
    "text",
    ['"unbalanced', "OR", "- - -", "*", "**", "AND OR", ":", "title:", "\x00\x01\x7f", "a" * 10_000, '"""', "x:y:z"],
)
def test_odd_input_parses(text: str) -> None:
    parse(text)


def test_an_unknown_field_is_just_words() -> None:
    assert parse("colour:red").positive[0].terms == [Term("colour red", phrase=True)]


def test_a_scope_without_a_value_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="start: needs a value"):
        parse('start:""')


@settings(max_examples=300, deadline=None)
@given(QUERIES)
def test_the_parser_never_raises_on_plain_text(text: str) -> None:
    """Without a filter name, no input is an error."""
    if any(f"{name}:" in text.lower() for name in ("country", "lead", "start", "end", "status", "source", "period")):
        return
    parse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES)
def test_searching_anything_returns_results_or_a_query_error(searcher: Searcher, text: str) -> None:
    try:
        result = searcher.search(SearchRequest(query=text, limit=3))
    except QueryError as err:
        assert str(err).split(":")[0] in {
            "country",
            "lead_country",
            "start_year",
            "end_year",
            "status",
            "source",
            "period",
            "fund",
            "nuts",
            "id",
            "start",
            "end",
            "lead",
        }
        return
    assert result.total >= len(result.hits)
