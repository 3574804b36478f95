"""Fill-rate targets by segment: item criticality x customer service tier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.domain.canonical import CRITICALITY, SERVICE_TIERS
from crossdock.planning.policy._arrays import FloatArray, PolicyInputError

Segment = tuple[str, str]
Codes = npt.ArrayLike | Sequence[str | float | None]

# Defaults: a stockout of a critical item for a gold customer is the most expensive miss.
# Each step down in criticality or tier gives up about one to two points of fill rate.
DEFAULT_FILL_RATE_TARGETS: Mapping[Segment, float] = MappingProxyType(
    {
        ("high", "gold"): 0.99,
        ("high", "silver"): 0.98,
        ("high", "bronze"): 0.97,
        ("medium", "gold"): 0.98,
        ("medium", "silver"): 0.97,
        ("medium", "bronze"): 0.95,
        ("low", "gold"): 0.95,
        ("low", "silver"): 0.93,
        ("low", "bronze"): 0.90,
    }
)


@dataclass(frozen=True, slots=True)
class FillRateTargets:
    """Target fill rate for every (criticality, service tier) pair.

    Attributes:
        targets: fill rate per (criticality, tier); must cover all nine pairs, each in (0, 1).
        missing_criticality: criticality assumed when a row has none (the Item default).
        missing_tier: tier assumed when a row has none (e.g. an item-location with no
            customer orders yet).
    """

    targets: Mapping[Segment, float] = field(default_factory=lambda: DEFAULT_FILL_RATE_TARGETS)
    missing_criticality: str = "medium"
    missing_tier: str = "silver"

    def __post_init__(self) -> None:
        for segment in [(c, t) for c in CRITICALITY for t in SERVICE_TIERS]:
            value = self.targets.get(segment)
            if value is None or not 0.0 < value < 1.0:
                raise PolicyInputError(
                    field=f"fill_rate_targets[{segment[0]}, {segment[1]}]",
                    row=0,
                    value=value,
                    reason="every segment needs a fill rate strictly between 0 and 1",
                )
        unknown = set(self.targets) - {(c, t) for c in CRITICALITY for t in SERVICE_TIERS}
        if unknown:
            segment = sorted(unknown)[0]
            raise PolicyInputError(
                field=f"fill_rate_targets[{segment[0]}, {segment[1]}]",
                row=0,
                value=self.targets[segment],
                reason=f"criticality must be one of {CRITICALITY}, tier one of {SERVICE_TIERS}",
            )

    def with_overrides(self, overrides: Mapping[Segment, float]) -> FillRateTargets:
        """A copy with some segments' targets replaced."""
        return FillRateTargets(
            targets=MappingProxyType({**self.targets, **overrides}),
            missing_criticality=self.missing_criticality,
            missing_tier=self.missing_tier,
        )

    def lookup(self, criticality: Codes, tier: Codes) -> FloatArray:
        """Fill-rate target per row; None/NaN/empty fall back to the `missing_*` values.

        Raises:
            PolicyInputError: a criticality or tier that is not a canonical code.
        """
        crit = _codes(criticality, CRITICALITY, self.missing_criticality, "criticality")
        tiers = _codes(tier, SERVICE_TIERS, self.missing_tier, "service_tier")
        table = np.array([[self.targets[(c, t)] for t in SERVICE_TIERS] for c in CRITICALITY])
        crit, tiers = np.broadcast_arrays(crit, tiers)
        return np.asarray(table[crit, tiers], dtype=np.float64)


def _codes(
    values: Codes, allowed: tuple[str, ...], missing: str, name: str
) -> npt.NDArray[np.intp]:
    """Position of each value in `allowed`, with missing values read as `missing`."""
    array = np.asarray(values, dtype=object)
    blank = np.asarray(pd.isna(array), dtype=np.bool_) | (array == "")
    text = np.where(blank, missing, array).astype(str)
    index = np.full(text.shape, -1, dtype=np.intp)
    for position, code in enumerate(allowed):
        index[text == code] = position
    if (index < 0).any():
        row = int(np.flatnonzero(index.ravel() < 0)[0])
        raise PolicyInputError(
            field=name,
            row=row,
            value=str(text.ravel()[row]),
            reason=f"must be one of {allowed}",
        )
    return index
