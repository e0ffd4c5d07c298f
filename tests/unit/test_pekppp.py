"""PEKPPP F-02 rubrics (domain.md §4.3), boundaries written out from the table."""
import pytest

from pantau.rules.pekppp import (
    ind2_community_elements,
    ind6_skm,
    ind7_publication_media,
    ind8_rtl_done,
    ind9_followup_speed,
)


@pytest.mark.parametrize("n, score", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (9, 5)])
def test_ind2(n, score):
    assert ind2_community_elements(n)[0] == score


@pytest.mark.parametrize("args, score", [
    ((False, False, False, False, False), 0), ((True, False, True, True, True), 1),
    ((True, True, False, False, False), 2), ((True, True, True, False, False), 3),
    ((True, True, False, True, True), 3), ((True, True, True, True, False), 4), ((True, True, True, True, True), 5)])
def test_ind6(args, score):
    assert ind6_skm(*args)[0] == score


@pytest.mark.parametrize("n, score", [(0, 0), (1, 1), (4, 4), (5, 5)])
def test_ind7(n, score):
    assert ind7_publication_media(n)[0] == score


@pytest.mark.parametrize("planned, done, score", [(0, 0, 0), (3, 0, 1), (10, 2, 2), (10, 3, 3), (10, 8, 3),
                                                   (10, 9, 4), (3, 3, 5)])
def test_ind8(planned, done, score):
    assert ind8_rtl_done(planned, done)[0] == score


@pytest.mark.parametrize("all_done, months, score", [(False, 0.5, 0), (True, None, 0), (True, 0.9, 5), (True, 1.0, 5),
                                                     (True, 2.5, 4), (True, 6.0, 3), (True, 8.0, 2), (True, 11.9, 1),
                                                     (True, 13, 0)])
def test_ind9(all_done, months, score):
    assert ind9_followup_speed(all_done, months)[0] == score
