"""Demand over the protection interval (lead time + review period) as a distribution.

Assumptions, stated once and relied on everywhere:
  * demand in successive periods is independent with the same mean and standard deviation
    (the forecast's level and the residual spread for the horizon in question);
  * the lead time is independent of demand, with its own mean and standard deviation, and
    the review period is fixed;
  * hence over the protection interval P = L + R
        mean     = mu_D * (E[L] + R)
        variance = (E[L] + R) * sigma_D**2 + mu_D**2 * Var(L).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy._arrays import BoolArray, FloatArray, as_float, broadcast

Family = Literal["auto", "normal", "gamma"]

# Demand per period with CV above 0.7 (CV^2 > 0.49, the Syntetos-Boylan boundary of
# erratic and lumpy demand) is skewed enough that a normal misplaces the upper tail;
# such rows, and intermittent ones, use the gamma. The rule looks at demand per period
# only, so a longer or more variable lead time never switches a row's family.
GAMMA_CV_THRESHOLD = 0.7

NEGLIGIBLE = 1e-9


@dataclass(frozen=True, slots=True)
class LeadTimeDemand:
    """Demand over the protection interval, one row per item-location.

    Attributes:
        mean: expected demand over lead time + review period, in units.
        std: its standard deviation, in units.
        is_gamma: True where the row is modelled as a gamma with the same mean and
            variance; False where normal. Rows with zero mean or zero std are
            deterministic whatever this says.
    """

    mean: FloatArray
    std: FloatArray
    is_gamma: BoolArray

    @property
    def cv(self) -> FloatArray:
        """Coefficient of variation std / mean (0 where the mean is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.mean > 0.0, self.std / self.mean, 0.0)

    @property
    def is_deterministic(self) -> BoolArray:
        """Rows with nothing to protect against: no expected demand or no spread.

        Below `NEGLIGIBLE` units of mean, or a std below `NEGLIGIBLE` times the mean,
        counts as none (it would only add round-off and overflow to the maths).
        """
        return ~self.is_random

    @property
    def is_random(self) -> BoolArray:
        """Rows whose lead-time demand is uncertain and so need safety stock sizing."""
        return np.asarray(
            (self.mean > NEGLIGIBLE) & (self.std > NEGLIGIBLE * self.mean), dtype=np.bool_
        )

    @property
    def gamma_shape(self) -> FloatArray:
        """Shape a = mean**2 / variance of the moment-matched gamma (nan if undefined)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.is_deterministic, np.nan, (self.mean / self.std) ** 2)

    @property
    def gamma_scale(self) -> FloatArray:
        """Scale theta = variance / mean of the moment-matched gamma (nan if undefined)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.is_deterministic, np.nan, self.std**2 / self.mean)


def lead_time_demand(
    *,
    demand_mean: npt.ArrayLike,
    demand_std: npt.ArrayLike,
    lead_time_mean: npt.ArrayLike,
    lead_time_std: npt.ArrayLike = 0.0,
    review_period: npt.ArrayLike = 0.0,
    intermittent: npt.ArrayLike | None = None,
    family: Family = "auto",
    gamma_cv_threshold: float = GAMMA_CV_THRESHOLD,
) -> LeadTimeDemand:
    """Demand over lead time + review period, combining demand and lead-time uncertainty.

    Args:
        demand_mean: mean demand per period (units), >= 0.
        demand_std: standard deviation of demand per period (units), >= 0.
        lead_time_mean: mean replenishment lead time, in periods, >= 0.
        lead_time_std: standard deviation of the lead time, in periods, >= 0.
        review_period: periods between reviews (0 = continuous review), >= 0.
        intermittent: optional boolean per row from the demand classifier (intermittent
            or lumpy demand); such rows use the gamma under `family="auto"`.
        family: "auto" (gamma where intermittent or the demand CV per period
            demand_std / demand_mean exceeds `gamma_cv_threshold`, else normal), or
            force "normal" / "gamma" for every row.
        gamma_cv_threshold: the CV of demand per period above which "auto" picks gamma.

    Returns:
        The mean, standard deviation and family of lead-time demand per row.

    Raises:
        PolicyInputError: a missing or negative input, naming the argument and row.
    """
    mu, sigma, lead, lead_sd, review = broadcast(
        as_float(demand_mean, field="demand_mean"),
        as_float(demand_std, field="demand_std"),
        as_float(lead_time_mean, field="lead_time_mean"),
        as_float(lead_time_std, field="lead_time_std"),
        as_float(review_period, field="review_period"),
    )
    protection = lead + review
    mean = mu * protection
    std = np.sqrt(protection * sigma**2 + mu**2 * lead_sd**2)
    if family == "normal":
        is_gamma = np.zeros(mean.shape, dtype=np.bool_)
    elif family == "gamma":
        is_gamma = np.ones(mean.shape, dtype=np.bool_)
    else:
        is_gamma = sigma > gamma_cv_threshold * mu
        if intermittent is not None:
            is_gamma = is_gamma | np.broadcast_to(np.asarray(intermittent, np.bool_), mean.shape)
    is_gamma = np.asarray(is_gamma, dtype=np.bool_)
    demand = LeadTimeDemand(mean=mean, std=std, is_gamma=is_gamma)
    return LeadTimeDemand(mean=mean, std=std, is_gamma=is_gamma & demand.is_random)
