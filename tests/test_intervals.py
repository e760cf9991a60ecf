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


def test_band_widens_with_the_square_root_of_the_step() -> None:
    lo, hi = intervals.band(np.full((1, 4), 100.0), 0.01)
    widths = np.log(hi / lo)[0] / 2
    assert np.allclose(widths, 0.01 * np.sqrt([1, 2, 3, 4]))


@pytest.mark.parametrize("level", [0.3, 0.995, 1.0])
def test_levels_outside_the_grid_are_refused(level) -> None:
    with pytest.raises(UsageError):
        intervals.half_width([0.01] * len(limits.LEVELS), level)
