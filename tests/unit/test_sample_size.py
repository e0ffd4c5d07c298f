"""Unit tests for pantau.rules.sample (Krejcie & Morgan, domain.md §1.4).

The table is typed in again below, column by column as printed in domain.md §1.4,
independently of the module's data.
"""

from __future__ import annotations

import pytest

from pantau.rules.sample import (
    KREJCIE_MORGAN_TABLE,
    krejcie_morgan_formula,
    required_sample,
    sample_adequacy,
)

# domain.md §1.4, the five N/S column pairs read top to bottom.
_COLUMNS = [
    [(10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
     (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
     (90, 73), (95, 76)],
    [(100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113),
     (170, 118), (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144),
     (240, 148), (250, 152), (260, 155), (270, 159)],
    [(280, 162), (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191),
     (400, 196), (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226),
     (600, 234), (650, 242), (700, 248), (750, 254)],
    [(800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285),
     (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313),
     (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335)],
    [(2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357),
     (6000, 361), (7000, 364), (8000, 367), (9000, 368), (10000, 370), (15000, 375),
     (20000, 377), (30000, 379), (40000, 380), (50000, 381), (75000, 382),
     (1000000, 384)],
]
TABLE = [row for column in _COLUMNS for row in column]


def test_table_literal_has_90_rows() -> None:
    assert len(TABLE) == 90
    assert len({n for n, _ in TABLE}) == 90


def test_module_table_matches_domain_table() -> None:
    assert list(KREJCIE_MORGAN_TABLE) == TABLE


@pytest.mark.parametrize(("population", "sample"), TABLE)
def test_required_sample_every_row(population: int, sample: int) -> None:
    assert required_sample(population) == sample


@pytest.mark.parametrize(("population", "sample"), TABLE)
def test_formula_every_row(population: int, sample: int) -> None:
    assert krejcie_morgan_formula(population) == sample


@pytest.mark.parametrize(
    ("population", "sample"),
    [
        (0, 0),
        (1, 1),
        (7, 7),
        (10, 10),
        (11, 11),  # the row for 15 says 14: never more than N (a census is adequate)
        (16, 16),  # the row for 20 says 19: capped at N
        (22, 22),  # the row for 25 says 24
        (26, 26),  # the row for 30 says 28
        (29, 28),  # the row for 30 says 28, below N: the row's value
        (33, 32),  # the row for 35 says 32
        (91, 76),  # the row for 95 says 76
        (96, 80),
        (101, 86),  # between 100 and 110 -> row 110
        (999, 278),
        (1001, 285),
        (74999, 382),
        (75001, 384),
        (1000000, 384),
        (1000001, 384),  # beyond the table
        (10**9, 384),
    ],
)
def test_required_sample_between_rows(population: int, sample: int) -> None:
    assert required_sample(population) == sample


def test_formula_small_and_limit() -> None:
    # N <= 11: S rounds to N; N -> infinity: 3.841 x 0.25 / 0.0025 = 384.1 -> 384
    assert [krejcie_morgan_formula(n) for n in range(12)] == list(range(12))
    assert krejcie_morgan_formula(10**9) == 384


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True])
def test_bad_population_raises(bad: object) -> None:
    with pytest.raises(ValueError):
        required_sample(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        krejcie_morgan_formula(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("population", "respondents", "required", "adequate"),
    [
        (150, 108, 108, True),
        (150, 107, 108, False),
        (150, 400, 108, True),
        (5, 5, 5, True),
        (5, 4, 5, False),
        (101, 86, 86, True),
        (150000, 383, 384, False),
        (11, 11, 11, True),  # a census of 11 users (the row for 15 says 14)
        (11, 10, 11, False),
        (14, 14, 14, True),
        (29, 28, 28, True),  # between rows, the row's value below N
    ],
)
def test_sample_adequacy(population: int, respondents: int, required: int, adequate: bool) -> None:
    assert sample_adequacy(population, respondents) == {
        "population": population,
        "required": required,
        "actual": respondents,
        "adequate": adequate,
    }


def test_sample_adequacy_unknown_population() -> None:
    assert sample_adequacy(None, 50) == {
        "population": None,
        "required": None,
        "actual": 50,
        "adequate": None,
    }


def test_sample_adequacy_bad_respondents() -> None:
    with pytest.raises(ValueError):
        sample_adequacy(100, -1)


def test_the_required_sample_never_exceeds_the_population():
    from pantau.rules.sample import KREJCIE_MORGAN_TABLE, required_sample, sample_adequacy
    assert required_sample(11) == 11 and required_sample(12) == 12  # the row for 15 says 14
    assert required_sample(14) == 14 and required_sample(16) == 16 and required_sample(15) == 14
    assert sample_adequacy(11, 11)["adequate"] is True  # a census is adequate
    for n in range(0, 20001, 7):
        assert required_sample(n) <= n
    for n, s in KREJCIE_MORGAN_TABLE:  # the table's own rows unchanged
        assert required_sample(n) == s
