"""Order quantities and their rounding to packs, multiples and MOQ."""

import itertools
from decimal import Decimal

import numpy as np
import pytest

from crossdock.domain.model import Item
from crossdock.planning.policy import (
    PolicyInputError,
    economic_order_quantity,
    review_period_quantity,
    round_order_quantities,
)


def test_economic_order_quantity_is_wilsons_formula() -> None:
    # D = 1200, K = 100, h = 6: sqrt(2 * 1200 * 100 / 6) = 200
    eoq = economic_order_quantity(
        demand_per_period=[1200.0, 0.0, 5.0],
        ordering_cost=100.0,
        holding_cost_per_unit_period=[6.0, 6.0, 0.0],
    )
    assert eoq.tolist() == [200.0, 0.0, 0.0]


def test_review_period_quantity_is_demand_between_reviews() -> None:
    assert review_period_quantity(demand_per_period=[2.5, 0.0], review_period=7.0).tolist() == [
        17.5,
        0.0,
    ]


def test_rounds_to_the_lcm_of_pack_and_multiple_and_respects_moq() -> None:
    rounded = round_order_quantities(
        [1.0, 13.0, 0.0, 7.0],
        pack_size=[6, 6, 6, 1],
        order_multiple=[4, 4, 4, 1],
        moq=[0.0, 30.0, 30.0, 0.0],
    )
    assert rounded.tolist() == [12, 36, 0, 7]


def test_vectorised_rounding_agrees_with_the_domain_method_on_many_cases() -> None:
    packs, multiples = [1, 2, 3, 4, 6, 10, 12, 24], [1, 2, 5, 6, 8]
    quantities = [-3.0, 0.0, 0.2, 1.0, 5.999999999, 6.0, 6.0000001, 17.5, 48.0, 121.3, 1000.0]
    moqs = [0.0, 1.0, 25.0, 48.0, 100.5]
    cases = list(itertools.product(packs, multiples, quantities, moqs))
    pack, multiple, quantity, moq = (np.array(column) for column in zip(*cases, strict=True))
    vectorised = round_order_quantities(quantity, pack_size=pack, order_multiple=multiple, moq=moq)
    expected = [
        Item(
            sku="S", uom="EA", unit_cost=Decimal(1), pack_size=p, order_multiple=m
        ).round_order_quantity(q, moq=o)
        for p, m, q, o in cases
    ]
    assert len(cases) == 2200
    assert vectorised.tolist() == expected


def test_refuses_a_pack_size_of_zero() -> None:
    with pytest.raises(PolicyInputError, match=r"pack_size\[1\]=0: must be a whole number >= 1"):
        round_order_quantities([5.0, 5.0], pack_size=[1, 0])
