"""PEKPPP F-02 indicator scores (0–5) that Pantau's data can support (domain.md §4.3).

Pure functions; each returns the score and the rubric line it rests on, so a report can show
its evidence. Interpretations where the rubric is silent are stated in the docstrings.
"""
from __future__ import annotations

WEIGHTS_VERSION = "PEKPPP 2024 (PermenPANRB 29/2022 jo. 4/2023; Pedoman 5/2023)"


def ind2_community_elements(elements: int) -> tuple[int, str]:
    """2.a.P: SP drafted with the community: 0 none; 1..4 = at least that many elements; 5 = >4."""
    if elements <= 0:
        return 0, "tidak melibatkan unsur masyarakat"
    if elements > 4:
        return 5, "melibatkan lebih dari 4 unsur masyarakat"
    return elements, f"melibatkan {elements} unsur masyarakat"


def ind6_skm(done: bool, per_regulation: bool, non_electronic: bool, electronic: bool,
             followed_up: bool) -> tuple[int, str]:
    """6.a.B: 0 not done; 1 done, not per regulation; 2 per regulation; 3 + published (one kind of
    medium; the rubric names non-electronic, electronic-only is scored the same); 4 + published
    non-electronic and electronic; 5 + followed up. 'Per regulation' = the nine standard unsur on
    the 1–4 scale (guaranteed by intake) with a sample meeting Krejcie–Morgan. 'Followed up' =
    an RTL with at least one item done."""
    if not done:
        return 0, "SKM tidak dilaksanakan"
    if not per_regulation:
        return 1, "SKM dilaksanakan, sampel belum memenuhi Krejcie–Morgan"
    if not (non_electronic or electronic):
        return 2, "SKM sesuai PermenPANRB 14/2017, belum dipublikasikan"
    if not (non_electronic and electronic):
        return 3, "SKM sesuai ketentuan dan dipublikasikan pada satu jenis media"
    if not followed_up:
        return 4, "SKM dipublikasikan di media elektronik dan non-elektronik"
    return 5, "SKM dipublikasikan dan ditindaklanjuti"


def ind7_publication_media(media: int) -> tuple[int, str]:
    """7.a.T: number of publication media: 0 none, 1..4, 5 = more than 4."""
    if media <= 0:
        return 0, "hasil SKM tidak dipublikasikan"
    if media > 4:
        return 5, "dipublikasikan di lebih dari 4 media"
    return media, f"dipublikasikan di {media} media"


def ind8_rtl_done(planned: int, done: int) -> tuple[int, str]:
    """8.a.Ak: % RTL realised: 0 no RTL; 1 RTL not executed; 2 <30 %; 3 30–80 %; 4 >80 %; 5 100 %."""
    if planned <= 0:
        return 0, "tidak ada RTL"
    pct = 100.0 * done / planned
    if done == 0:
        return 1, "RTL belum dilaksanakan"
    if pct >= 100:
        return 5, "100% RTL terealisasi"
    if pct > 80:
        return 4, f"{pct:.0f}% RTL terealisasi (>80%)"
    if pct >= 30:
        return 3, f"{pct:.0f}% RTL terealisasi (30–80%)"
    return 2, f"{pct:.0f}% RTL terealisasi (<30%)"


def ind9_followup_speed(all_done: bool, months: float | None) -> tuple[int, str]:
    """9.a.Ak: all recommendations followed up within 1/3/6/9/12 months of the report
    (5/4/3/2/1); 0 if not all are done (or done later than a year)."""
    if not all_done or months is None:
        return 0, "belum semua rekomendasi ditindaklanjuti"
    for limit, score in ((1, 5), (3, 4), (6, 3), (9, 2), (12, 1)):
        if months <= limit:
            return score, f"seluruh rekomendasi selesai dalam {limit} bulan"
    return 0, "tindak lanjut selesai lebih dari 12 bulan setelah laporan"


MEASURED = (2, 4, 6, 7, 8, 9, 28)
"""F-02 indicators Pantau scores from its own data (the functions above and `lapor.pekppp_ind28`);
an evaluator's score for one of them is an override and needs a reason."""
