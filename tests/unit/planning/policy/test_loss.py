"""Normal and gamma loss functions and their inverses."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from crossdock.planning.policy import (
    gamma_loss,
    inverse_gamma_loss,
    inverse_normal_loss,
    normal_loss,
)


def test_normal_loss_matches_the_textbook_table() -> None:
    # Silver, Pyke & Peterson Table II.1: G(0) = 0.3989, G(1) = 0.0833, G(2) = 0.0085
    values = normal_loss([0.0, 1.0, 2.0])
    assert values == pytest.approx([0.3989, 0.0833, 0.0085], abs=5e-5)


def test_normal_loss_of_minus_k_is_loss_of_k_plus_k() -> None:
    k = np.linspace(-3.0, 3.0, 13)
    assert normal_loss(-k) == pytest.approx(normal_loss(k) + k, abs=1e-14)


def test_inverse_normal_loss_agrees_with_brent_root_finding() -> None:
    targets = np.array([2.5, 0.5, 0.1, 0.01, 1e-4, 1e-8])
    expected = [
        optimize.brentq(lambda k, t=t: float(normal_loss(k)) - t, -10.0, 8.0, xtol=1e-14)
        for t in targets
    ]
    assert inverse_normal_loss(targets) == pytest.approx(expected, abs=1e-9)


def test_inverse_normal_loss_clamps_to_the_bounds() -> None:
    k = inverse_normal_loss([0.0, 0.9, 1e-3], k_min=0.0, k_max=8.0)
    assert k[0] == 8.0
    assert k[1] == 0.0
    assert float(normal_loss(k[2])) == pytest.approx(1e-3, abs=1e-15)


def test_gamma_loss_matches_numerical_integration() -> None:
    shape, scale, level = 0.5, 4.0, 3.0
    density = stats.gamma(a=shape, scale=scale).pdf
    expected, _ = integrate.quad(lambda x: (x - level) * density(x), level, np.inf)
    assert float(gamma_loss(level, shape, scale)) == pytest.approx(expected, abs=1e-10)


def test_gamma_loss_at_zero_is_the_mean() -> None:
    assert float(gamma_loss(0.0, 2.5, 3.0)) == pytest.approx(7.5, abs=1e-12)


def test_inverse_gamma_loss_recovers_the_level() -> None:
    shape = np.array([0.2, 0.5, 1.0, 3.0, 50.0, 400.0])
    scale = np.array([10.0, 4.0, 1.0, 2.0, 0.5, 0.25])
    level = np.array([5.0, 3.0, 2.0, 9.0, 30.0, 110.0])
    target = gamma_loss(level, shape, scale)
    assert inverse_gamma_loss(target, shape, scale) == pytest.approx(level, rel=1e-8)


def test_inverse_gamma_loss_is_zero_when_the_target_covers_the_mean() -> None:
    assert inverse_gamma_loss([7.5, 100.0], 2.5, 3.0).tolist() == [0.0, 0.0]
