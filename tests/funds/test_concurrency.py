"""Races on PostgreSQL with real parallel connections: payments and spendings that together go too far."""

import threading

import pytest
from django.db import connection

from tests.funds.conftest import charge_of, issued, make_place, pay
from yishi.errors import Refused
from yishi.funds import queries, services
from yishi.funds.models import Charge, FundEntry, Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(n, work):
    """Run ``work(i)`` in ``n`` threads released together, each on its own connection; return results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def ready(on_postgres):
    place = make_place()
    return place, issued(place)


def split(results, kind):
    return [r for r in results if isinstance(r, kind)], [r for r in results if isinstance(r, Exception)]


def test_two_payments_at_once_that_together_overpay_leave_one_refused(ready):
    place, rule = ready
    charge = charge_of(rule, place.homes[0])  # 150.00 owed
    results = race(3, lambda i: pay(place, Charge.objects.get(pk=charge.pk), "100", f"R{i}"))
    wins, losses = split(results, Payment)
    assert len(wins) == 1 and len(losses) == 2, results
    assert all(isinstance(r, Refused) and r.code == "overpayment" for r in losses), results
    charge.refresh_from_db()
    assert charge.paid == 100


def test_one_receipt_number_recorded_twice_at_once_is_kept_once(ready):
    place, rule = ready
    results = race(4, lambda i: pay(place, charge_of(rule, place.homes[i]), "50", "NO.0001"))
    wins, losses = split(results, Payment)
    assert len(wins) == 1, results
    assert all(isinstance(r, Refused) and r.code == "receipt_taken" for r in losses), results
    assert Payment.objects.filter(receipt_no="NO.0001").count() == 1
    assert queries.rule_totals(rule).paid == 50  # the refused payments left no trace on their charges


def test_spendings_at_once_never_take_the_fund_below_zero(ready):
    place, _rule = ready
    services.record_fund_entry(
        actor=place.secretary,
        compound=place.compound,
        kind="income",
        amount="100",
        description="捐赠",
        occurred_on=place.today,
    )
    results = race(
        4,
        lambda i: services.record_fund_entry(
            actor=place.owners,
            compound=place.compound,
            kind="spending",
            amount="40",
            description=f"支出{i}",
            evidence_text="发票",
            occurred_on=place.today,
        ),
    )
    wins, losses = split(results, FundEntry)
    assert len(wins) == 2, results
    assert all(isinstance(r, Refused) and r.code == "insufficient_balance" for r in losses), results
    assert queries.balance(place.compound) == 20


def test_the_first_entries_of_a_new_fund_at_once_open_it_once(ready):
    place, _rule = ready
    results = race(
        4,
        lambda i: services.record_fund_entry(
            actor=place.secretary,
            compound=place.compound,
            kind="income",
            amount="10",
            description=f"收入{i}",
            occurred_on=place.today,
        ),
    )
    assert all(isinstance(r, FundEntry) for r in results), results
    assert len({r.fund_id for r in results}) == 1
    assert queries.balance(place.compound) == 40
