"""SKM sample size: Krejcie & Morgan (1970), as allowed by the Lampiran of
PermenPANRB 14/2017 (domain.md §1.4; compliance check §5 row 2).

Pure functions, stdlib only.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

__all__ = [
    "KREJCIE_MORGAN_TABLE",
    "MAX_SAMPLE",
    "required_sample",
    "krejcie_morgan_formula",
    "sample_adequacy",
]

# (population N, sample S): the 90 rows of domain.md §1.4, ascending by N.
KREJCIE_MORGAN_TABLE: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
    (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
    (90, 73), (95, 76), (100, 80), (110, 86), (120, 92), (130, 97), (140, 103),
    (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132), (210, 136),
    (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162),
    (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196),
    (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234),
    (650, 242), (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274),
    (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327),
    (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346), (4000, 351),
    (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (1000000, 384),
)

MAX_SAMPLE = 384  # beyond the last row (§1.4)

# Formula constants (§1.4): chi-square(1 df, 95 %) = 3.841, P = 0.5, d = 0.05. Exact.
_X2 = Fraction(3841, 1000)
_P_Q = Fraction(1, 4)  # P(1-P)
_D2 = Fraction(1, 400)  # d**2


def _check_population(population: int) -> None:
    if isinstance(population, bool) or not isinstance(population, int):
        raise ValueError(f"population must be an int, got {population!r}")
    if population < 0:
        raise ValueError(f"population must be >= 0, got {population}")


def required_sample(population: int) -> int:
    """Minimum SKM respondents for a population of ``population`` service users (§1.4).

    N <= 10 -> N (everyone); otherwise S of the first table row whose N >= population
    (the table is read upwards, the conservative choice), but never more than N itself: a
    survey of every user (a census) is always adequate (N = 11 needs 11, not the 14 of the
    row for 15); beyond the table -> 384. Exact table rows give their own S.
    """
    _check_population(population)
    if population <= 10:
        return population
    for table_n, table_s in KREJCIE_MORGAN_TABLE:
        if table_n >= population:
            return min(table_s, population)
    return MAX_SAMPLE


def krejcie_morgan_formula(population: int) -> int:
    """S = X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)), rounded half-up (§1.4).

    Computed exactly with fractions; matches every row of the table.
    """
    _check_population(population)
    if population == 0:
        return 0
    s = _X2 * population * _P_Q / (_D2 * (population - 1) + _X2 * _P_Q)
    return math.floor(s + Fraction(1, 2))


def sample_adequacy(population: int | None, respondents: int) -> dict[str, Any]:
    """Compliance check ``respondents >= S(N)`` (§1.4, §5 row 2).

    Returns ``{"population", "required", "actual", "adequate"}``; with an unknown
    population, ``required`` and ``adequate`` are None (not judged, not assumed OK).
    """
    if isinstance(respondents, bool) or not isinstance(respondents, int) or respondents < 0:
        raise ValueError(f"respondents must be an int >= 0, got {respondents!r}")
    if population is None:
        return {"population": None, "required": None, "actual": respondents, "adequate": None}
    required = required_sample(population)
    return {
        "population": population,
        "required": required,
        "actual": respondents,
        "adequate": respondents >= required,
    }
