"""Site limits on real databases (SQLite and PostgreSQL).

Deciding: a person limited to some sites decides on stock moving between two of our
warehouses (a transfer, a rebalance, an order exception filled from another warehouse)
only when they hold both; a buy's `from_code` is a supplier and is never checked. The
work queue offers exactly the decisions the handler would take.

Listing: `list_recommendations` filters a limited person's rows in the query, so the
limit counts the rows they may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from crossdock.adapters.db.tables import recommendations
from crossdock.bootstrap import Crossdock
from crossdock.domain.lifecycle import Action
from crossdock.governance.access import NotAllowed, Principal
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.recommendation_queries import list_recommendations
from crossdock.service_layer.routing import route_plan
from crossdock.service_layer.work_queue import bulk_decide, work_queue
from tests.integration.governance_fixtures import add_plan_run, add_recommendation

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
PEOPLE = {  # username: (roles, sites)
    "sue": (["warehouse_supervisor"], ["BR02"]),  # receives the transfer, not its source
    "dan": (["warehouse_supervisor"], ["DC01"]),  # ships it, does not receive it
    "val": (["warehouse_supervisor"], ["BR02", "DC01"]),  # holds both ends
    "bo": (["buyer"], ["BR01"]),  # buys for BR01 from any supplier
    "cy": (["customer_service"], ["BR01"]),  # order exceptions at BR01
}


@dataclass
class Scoped:
    crossdock: Crossdock
    transfer: int  # DC01 -> BR02
    rebalance: int  # BR03 -> BR02
    buy: int  # SUP-01 -> BR01
    exception_filled_from_br02: int  # BR02 -> BR01

    def who(self, name: str) -> Principal:
        principal = self.crossdock.governance.principal(name)
        assert principal is not None
        return principal

    def version(self, rec: int) -> tuple[str, int]:
        with self.crossdock.engine.connect() as connection:
            row = connection.execute(
                select(recommendations.c.status, recommendations.c.version).where(
                    recommendations.c.id == rec
                )
            ).one()
        return str(row.status), int(row.version)


@pytest.fixture
def scoped(crossdock: Crossdock) -> Scoped:
    """Four recommendations waiting for a person (no policy loaded) and people limited
    to sites."""
    for name, (roles, sites) in PEOPLE.items():
        add_person(
            crossdock.governance,
            username=name,
            roles=roles,
            sites=sites,
            password=PASSWORD,
            now=NOW,
        )
    engine = crossdock.engine
    plan = add_plan_run(engine)
    made = Scoped(
        crossdock=crossdock,
        transfer=add_recommendation(
            engine, plan, kind="transfer", from_code="DC01", to_code="BR02", order_value=None
        ),
        rebalance=add_recommendation(
            engine, plan, kind="rebalance", from_code="BR03", to_code="BR02", order_value=None
        ),
        buy=add_recommendation(engine, plan, kind="buy", from_code="SUP-01", to_code="BR01"),
        exception_filled_from_br02=add_recommendation(
            engine, plan, kind="order_exception", from_code="BR02", to_code="BR01"
        ),
    )
    summary = route_plan(crossdock.governance, plan_run_id=plan, policy=None, now=NOW)
    assert summary.by_status == {"pending_approval": 4}
    return made


def _command(rec: int, action: Action) -> Decide:
    if action is Action.APPROVE:
        return Decide(rec, action)
    return Decide(rec, action, reason="stock is promised", reason_code="timing", quantity=10.0)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REJECT, Action.MODIFY])
@pytest.mark.parametrize("person", ["sue", "dan"])
def test_one_end_of_a_transfer_is_not_enough_to_decide_it(scoped, person, action):
    before = scoped.version(scoped.transfer)
    with pytest.raises(NotAllowed) as refused:
        decide(
            scoped.crossdock.governance,
            _command(scoped.transfer, action),
            actor=scoped.who(person),
            now=NOW,
        )
    missing = "DC01" if person == "sue" else "BR02"
    assert refused.value.site == missing
    assert f"{missing} is outside their sites" in str(refused.value)
    assert scoped.version(scoped.transfer) == before  # nothing written


def test_a_rebalance_from_a_site_they_do_not_hold_is_refused(scoped):
    with pytest.raises(NotAllowed, match="BR03 is outside their sites"):
        decide(
            scoped.crossdock.governance,
            Decide(scoped.rebalance, Action.APPROVE),
            actor=scoped.who("val"),
            now=NOW,
        )


def test_holding_both_warehouses_decides_the_transfer(scoped):
    made = decide(
        scoped.crossdock.governance,
        Decide(scoped.transfer, Action.APPROVE),
        actor=scoped.who("val"),
        now=NOW,
    )
    assert made.to_status.value == "approved"
    assert scoped.version(scoped.transfer)[0] == "approved"


def test_a_buys_supplier_is_not_a_site(scoped):
    made = decide(
        scoped.crossdock.governance,
        Decide(scoped.buy, Action.APPROVE),
        actor=scoped.who("bo"),
        now=NOW,
    )
    assert made.to_status.value == "approved"


def test_an_order_exception_filled_from_another_warehouse_needs_that_warehouse(scoped):
    with pytest.raises(NotAllowed, match="BR02 is outside their sites"):
        decide(
            scoped.crossdock.governance,
            Decide(scoped.exception_filled_from_br02, Action.APPROVE),
            actor=scoped.who("cy"),
            now=NOW,
        )


def test_the_queue_offers_only_what_the_handler_takes(scoped):
    reads = scoped.crossdock.work_queue_reads
    for person, expected in [("sue", ()), ("val", ("approve", "reject", "modify"))]:
        page = work_queue(reads, actor=scoped.who(person), limit=50)
        offered = {item.id: item.actions for item in page.items}
        assert scoped.transfer in offered, person  # received at BR02: they see it
        assert offered[scoped.transfer] == expected, person
    bo = work_queue(reads, actor=scoped.who("bo"), limit=50)
    assert {item.id: item.actions for item in bo.items}[scoped.buy] == (
        "approve",
        "reject",
        "modify",
    )


def test_bulk_approval_refuses_the_transfer_naming_the_missing_site(scoped):
    outcome = bulk_decide(
        scoped.crossdock.governance,
        [scoped.transfer, scoped.rebalance],
        action="approve",
        actor=scoped.who("sue"),
        policy=None,
        now=NOW,
    )
    assert [line.done for line in outcome.lines] == [False, False]
    assert "DC01 is outside their sites" in outcome.lines[0].message
    assert "BR03 is outside their sites" in outcome.lines[1].message
    assert scoped.version(scoped.transfer)[0] == "pending_approval"


# -------------------------------------------------------------- listing


def test_a_limited_persons_list_is_full_although_other_sites_save_more(crossdock):
    engine = crossdock.engine
    plan = add_plan_run(engine)
    elsewhere = [
        add_recommendation(engine, plan, to_code="BR01", savings=Decimal(900 - n)) for n in range(4)
    ]
    mine = [
        add_recommendation(engine, plan, to_code="BR02", savings=Decimal(100 - n)) for n in range(3)
    ]
    branch = Principal(username="sue", kind="person", roles=frozenset({"buyer"}), sites={"BR02"})
    store = crossdock.governance

    assert [row["id"] for row in list_recommendations(store, actor=branch, limit=2)] == mine[:2]
    assert [row["id"] for row in list_recommendations(store, actor=branch, limit=10)] == mine
    everyone = Principal(username="ann", kind="person", roles=frozenset({"buyer"}))
    assert [row["id"] for row in list_recommendations(store, actor=everyone, limit=5)] == [
        *elsewhere,
        mine[0],
    ]
