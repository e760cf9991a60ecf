"""Student's t two-sided p-values, for the Diebold-Mariano tests, without scipy.

scipy.special.betainc gave these until now. Importing scipy.special took 0.21-0.33 s of a
`train` (numpy.f2py and the array-API layer come with it, `python -X importtime`), about 1% of
the peer harness's whole run, where stockrnn must stay within 5% of a minimal loop
(docs/performance.md). The one function the tests need is the regularised incomplete beta
function, by the continued fraction of Numerical Recipes (3rd ed., 6.4) with the modified
Lentz method. Against 40-digit mpmath it was within 1e-11 (relative) up to 5,000 degrees of
freedom and 1e-9 up to 10^5, where lgamma's cancellation sets the floor: far finer than the
three digits a p-value is shown with. tests/evaluate/test_student.py holds it to
scipy.stats.t.sf and to the closed forms for 1 and 2 degrees of freedom.
"""

from __future__ import annotations

import math

_EPS = 1e-15  # the continued fraction stops when a step changes it by less than this
_TINY = 1e-300  # keeps Lentz's divisions away from zero
_MAX_STEPS = 100_000  # steps grow as sqrt(df): 10^5 degrees of freedom take about 400


def two_sided(stat: float, df: int) -> float:
    """P(|T| >= |stat|) for T with `df` > 0 degrees of freedom (NaN for a NaN statistic)."""
    if not df > 0:
        raise ValueError(f"Student's t needs positive degrees of freedom, not {df}")
    if math.isnan(stat):
        return math.nan
    t2 = stat * stat
    if math.isinf(t2):  # |stat| past 1e154: no double is between the answer and 0
        return 0.0
    # I_x(df/2, 1/2) with x = df / (df + t^2); 1 - x = t^2 / (df + t^2), without cancellation
    return _betainc(df / 2, 0.5, df / (df + t2), t2 / (df + t2))


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """The regularised incomplete beta I_x(a, b), with y = 1 - x given exactly."""
    if y <= 0.0:
        return 1.0
    if x <= 0.0:
        return 0.0
    log_front = (
        a * math.log(x) + b * math.log(y) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    )
    if x < (a + 1) / (a + b + 2):  # where the fraction converges fast; else by symmetry
        return math.exp(log_front) * _fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _fraction(b, a, y) / b


def _fraction(a: float, b: float, x: float) -> float:
    """The continued fraction for I_x(a, b) (Numerical Recipes' betacf)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_STEPS + 1):
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((a - 1 + m2) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + num / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta: no convergence for a={a}, b={b}, x={x}")
