"""The worker pool of an ingest: results in order, and never more work in flight than asked."""

from __future__ import annotations

from collections.abc import Iterator

from euprojects.workers import in_order, pool


def test_results_come_in_order_with_bounded_work_in_flight() -> None:
    drawn: list[int] = []

    def items() -> Iterator[int]:
        for number in range(-10, 10):
            drawn.append(number)
            yield number

    with pool(2) as workers:
        results = in_order(workers, abs, items(), ahead=3)
        assert next(results) == 10
        # one result was asked for: only the items needed to keep three in flight were submitted
        assert len(drawn) == 3
        assert list(results) == [abs(n) for n in range(-9, 10)]
    assert len(drawn) == 20
