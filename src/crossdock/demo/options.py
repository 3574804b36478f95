"""What the caller chooses about a demo network: its size, history length and seed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

SNAPSHOT_HOUR_UTC = 18  # inventory is counted at end_date 18:00 UTC; nothing is later


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoOptions:
    """Size and seed of a generated demo network.

    Attributes:
        skus: Items in the catalogue; every warehouse stocks every item.
        warehouses: Warehouses in total: DCs (one national DC, plus a regional DC for
            every further eight branches) and the branches they feed.
        days: Days of daily demand history, ending on `end_date`.
        seed: Same seed and options give the same network, frame for frame.
        end_date: Last day of history. Open orders and stock are as of that day at
            18:00 UTC; only promised, requested and expected dates are later.
        shipped_history_weeks: Weeks of shipped customer orders before `end_date`,
            drawn from the demand history (0: the open order book alone).
    """

    skus: int = 2000
    warehouses: int = 5
    days: int = 730
    seed: int = 42
    end_date: datetime.date
    shipped_history_weeks: int = 8

    def __post_init__(self) -> None:
        _require_integer("skus", self.skus, minimum=1)
        _require_integer("warehouses", self.warehouses, minimum=2)
        _require_integer("days", self.days, minimum=28)
        _require_integer("seed", self.seed, minimum=0)
        _require_integer("shipped_history_weeks", self.shipped_history_weeks, minimum=0)
        if isinstance(self.end_date, datetime.datetime) or not isinstance(
            self.end_date, datetime.date
        ):
            raise ValueError(f"end_date must be a calendar date, got {self.end_date!r}")

    @property
    def item_locations(self) -> int:
        """Item-location pairs: every warehouse stocks every SKU."""
        return self.skus * self.warehouses


def _require_integer(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
