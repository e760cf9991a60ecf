import numpy as np
import pytest

from stockrnn import intervals, limits
from stockrnn.errors import UsageError


def test_calibrated_width_covers_at_least_the_level_on_fresh_draws() -> None:
    rng = np.random.default_rng(0)
    widths = intervals.calibrate(np.abs(rng.normal(0, 0.01, 500)))
    fresh = np.abs(rng.normal(0, 0.01, 20000))
    for level in (0.5, 0.8, 0.95):
        cover = np.mean(fresh <= intervals.half_width(widths, level))
        assert level - 0.03 <= cover <= level + 0.05
    assert widths == sorted(widths)


def test_each_step_has_its_own_width_then_grows_with_the_square_root() -> None:
    levels = len(limits.LEVELS)
    by_step = [[0.5 * (h + 1)] * levels for h in range(intervals.CAL_STEPS)]  # step h: 0.5 h
    counts = [100] * intervals.CAL_STEPS
    widths = intervals.step_widths(by_step, 0.8, 12, counts)
    assert np.allclose(widths[:10], 0.5 * np.arange(1, 11))
    assert np.allclose(widths[10:], 5.0 * np.sqrt([11 / 10, 12 / 10]))
    sigma = np.array([0.01, 0.02])
    lo, hi = intervals.band(np.full((2, 12), 100.0), sigma, widths)
    assert np.allclose(np.log(hi / lo) / 2, sigma[:, None] * widths[None, :])


def test_volatility_is_the_recent_std_known_at_the_origin() -> None:
    rng = np.random.default_rng(2)
    r = np.concatenate([rng.normal(0, 0.01, 100), rng.normal(0, 0.05, 100)])
    sigma = intervals.origin_sigma(r, np.array([50, 99, 150, 199]))
    assert sigma[0] == pytest.approx(np.std(r[31:51]))  # the 20 days up to row 50, no later
    assert sigma[1] < 0.02 < 0.03 < sigma[2]  # a calm span, then a storm
    r2 = r.copy()
    r2[100:] *= 10  # changing days after an origin leaves its volatility alone
    assert intervals.origin_sigma(r2, np.array([99]))[0] == sigma[1]


@pytest.mark.parametrize("level", [0.3, 0.995, 1.0])
def test_levels_outside_the_grid_are_refused(level) -> None:
    with pytest.raises(UsageError):
        intervals.half_width([0.01] * len(limits.LEVELS), level)
