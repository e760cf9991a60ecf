"""Student's t p-values without scipy: the same numbers as scipy.stats and the closed forms."""

import math

import numpy as np
import pytest

from stockrnn.evaluate import significance, student

stats = pytest.importorskip("scipy.stats")  # a test dependency only (pyproject's dev extra)

DF = [1, 2, 3, 4, 5, 7, 10, 30, 99, 299, 755, 1000, 4999, 20000, 100000]
T = [1e-12, 1e-6, 0.01, 0.1, 0.5, 1, 1.5, 1.96, 2.5, 3, 5, 10, 20, 40, 100, 1e3]


@pytest.mark.parametrize("df", DF)
def test_two_sided_p_equals_scipy(df) -> None:
    for t in T:
        want = 2 * float(stats.t.sf(t, df))
        if want > 1e-300:  # below that scipy's value underflows too
            got = student.two_sided(t, df)
            assert got == pytest.approx(want, rel=2e-9, abs=0), (df, t)
            assert student.two_sided(-t, df) == got  # two-sided: the sign does not matter


def test_random_df_and_statistics_equal_scipy() -> None:
    rng = np.random.default_rng(7)
    for _ in range(2000):
        df, t = int(rng.integers(1, 20000)), float(10 ** rng.uniform(-8, 2.5))
        want = 2 * float(stats.t.sf(t, df))
        if want > 1e-300:
            assert student.two_sided(t, df) == pytest.approx(want, rel=2e-9, abs=0), (df, t)


@pytest.mark.parametrize("t", [1e-9, 0.3, 1.0, 4.0, 1e4])
def test_closed_forms_for_one_and_two_degrees_of_freedom(t) -> None:
    """Cauchy (df 1): 1 - 2 atan(t) / pi; df 2: 1 - t / sqrt(2 + t^2)."""
    assert student.two_sided(t, 1) == pytest.approx(1 - 2 * math.atan(t) / math.pi, rel=1e-13)
    assert student.two_sided(t, 2) == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-12)


def test_edges() -> None:
    assert student.two_sided(0.0, 10) == 1.0
    assert student.two_sided(math.inf, 10) == 0.0
    assert math.isnan(student.two_sided(math.nan, 10))
    assert 0.0 <= student.two_sided(1e6, 3) < 1e-17


def test_the_dm_test_takes_its_p_from_here() -> None:
    """dm_test's p is Student's t with n - 1 degrees of freedom on its statistic."""
    d = np.random.default_rng(3).normal(0.1, 1.0, 200)
    got = significance.dm_test(d)
    assert got.p_value == pytest.approx(2 * float(stats.t.sf(abs(got.statistic), 199)), rel=1e-12)


def test_huge_statistics_and_bad_degrees_of_freedom() -> None:
    assert student.two_sided(1e200, 5) == 0.0 and student.two_sided(-1e200, 5) == 0.0
    for df in (0, -3):
        with pytest.raises(ValueError, match="positive degrees of freedom"):
            student.two_sided(1.0, df)


def test_the_p_values_need_no_scipy() -> None:
    """scipy is a test dependency only: with it unimportable, the DM test still gives p."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import numpy as np\n"
        "from stockrnn.evaluate import significance\n"
        "print(significance.dm_test(np.r_[1.0, -0.5, 2, 1.5, 0.3]).p_value)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    d = np.r_[1.0, -0.5, 2, 1.5, 0.3]
    assert float(proc.stdout) == pytest.approx(significance.dm_test(d).p_value, rel=1e-15)
