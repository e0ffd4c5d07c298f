"""The FKP unit projection's fold and the report figures computed from it (pure: no store).

Scenario written out by hand: one unit, a standar_pelayanan forum held on 2026-02-10 with three
community elements, a tindak_lanjut_skm forum with two more elements, three promises."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import pantau.events  # noqa: F401  (registers the schemas)
from pantau.consumer import Rejected
from pantau.envelope import new_event
from pantau.events import fkp as ev
from services.aggregator.fkp_reports import rollup, unit_figures
from services.aggregator.projections.fkp import apply_event, new_unit_doc

TZ = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 2, 1, 0, 0, tzinfo=timezone.utc)
UNIT = "labkesda"


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def forum(fkp_id, seq, days, etype=ev.FORUM_RECORDED, **data):
    base = {"unit_id": UNIT, "fkp_id": fkp_id}
    if etype == ev.FORUM_RECORDED:
        base.update({"topic": "standar_pelayanan", "title": "Forum", "format": "tatap_muka"})
    return new_event(source="t", type=etype, subject=f"fkp:{fkp_id}", seq=seq, data={**base, **data}, time=at(days))


def promise(fkp_id, pid, seq, days, etype, **data):
    base = {"unit_id": UNIT, "fkp_id": fkp_id, "promise_id": pid}
    if etype == ev.PROMISE_RECORDED:
        base.update({"description": "Perbaikan", "owner": "Bidang Pelayanan", "sp_component": None,
                     "status": "planned"})
    return new_event(source="t", type=etype, subject=f"fkp-promise:{fkp_id}:{pid}", seq=seq, data={**base, **data},
                     time=at(days))


EVENTS = [
    forum("f1", 1, 0, stage="planned", held_on="2026-02-10", elements=["pengguna_layanan"], participant_count=1),
    promise("f1", "p1", 1, 1, ev.PROMISE_RECORDED, target_date="2026-04-30", elements=["waktu"]),
    promise("f1", "p2", 1, 1, ev.PROMISE_RECORDED, target_date="2026-03-15", elements=["prosedur"]),
    forum("f1", 2, 10, ev.STAGE_CHANGED, stage="held", previous_stage="planned", held_on="2026-02-10",
          elements=["pengguna_layanan", "akademisi", "media"], participant_count=4),
    forum("f1", 3, 11, ev.BERITA_ACARA_UPLOADED, sha256="a" * 64, size=10, content_type="application/pdf",
          signatory_count=3),
    promise("f1", "p1", 2, 20, ev.PROMISE_PROGRESSED, status="in_progress", previous_status="planned",
            progress_pct=50, at="2026-02-20T10:00:00+08:00", evidence_count=0),
    promise("f1", "p1", 3, 30, ev.PROMISE_PROGRESSED, status="fulfilled", previous_status="in_progress",
            progress_pct=100, at="2026-03-02T10:00:00+08:00", evidence_count=1),
    promise("f1", "p1", 4, 31, ev.PROMISE_FEEDBACK, status="fulfilled", previous_status="fulfilled",
            verdict="confirm", participant_identified=True),
    forum("f2", 1, 40, stage="held", held_on="2026-03-05", elements=["instansi_terkait", "organisasi_masyarakat"],
          participant_count=2, topic="tindak_lanjut_skm"),
    promise("f2", "p3", 1, 41, ev.PROMISE_RECORDED, target_date="2026-03-20", elements=[]),
    promise("f2", "p3", 2, 42, ev.PROMISE_PROGRESSED, status="dropped", previous_status="planned",
            progress_pct=0, at="2026-03-07T10:00:00+08:00", evidence_count=0, has_reason=True),
    promise("f1", "p1", 5, 60, ev.PROMISE_FEEDBACK, status="disputed", previous_status="fulfilled",
            verdict="dispute", participant_identified=False),
]


def build(events=EVENTS) -> dict:
    doc = new_unit_doc(UNIT)
    for e in events:
        apply_event(doc, e)
    return doc


def test_fold_skips_duplicates_and_rejects_gaps_and_orphans():
    doc = build()
    snapshot = repr(doc)
    for e in EVENTS:  # a full redelivery changes nothing
        assert apply_event(doc, e) is False
    assert repr(doc) == snapshot
    gap = promise("f1", "p1", 9, 70, ev.PROMISE_REVIEWED, status="fulfilled", previous_status="disputed",
                  decision="dispute_rejected")
    with pytest.raises(Rejected) as exc:
        apply_event(doc, gap)
    assert exc.value.reason == "seq_gap"
    orphan = promise("nope", "x", 1, 70, ev.PROMISE_RECORDED, target_date="2026-03-20", elements=[])
    with pytest.raises(Rejected) as exc:
        apply_event(doc, orphan)
    assert exc.value.reason == "unknown_forum"
    assert [p["seq"] for p in doc["promises"]] == [5, 1, 2]
    assert [f["seq"] for f in doc["forums"]] == [3, 1]


@pytest.mark.parametrize("first", [
    forum("f9", 1, 70, ev.STAGE_CHANGED, stage="held", previous_stage="planned", held_on="2026-02-10",
          elements=[], participant_count=1),
    forum("f9", 1, 70, ev.BERITA_ACARA_UPLOADED, sha256="b" * 64, size=10, content_type="application/pdf",
          signatory_count=1),
    promise("f1", "p9", 1, 70, ev.PROMISE_PROGRESSED, status="in_progress", previous_status="planned",
            progress_pct=10, at="2026-03-02T10:00:00+08:00", evidence_count=0),
    promise("f1", "p9", 1, 70, ev.PROMISE_FEEDBACK, status="fulfilled", previous_status="fulfilled",
            verdict="confirm", participant_identified=True),
], ids=["stage", "berita_acara", "progress", "feedback"])
def test_a_first_event_that_is_not_a_record_is_rejected_by_name_and_changes_nothing(first):
    doc = build()
    snapshot = repr(doc)
    with pytest.raises(Rejected) as exc:
        apply_event(doc, first)
    assert exc.value.reason == "unknown_entity"
    assert repr(doc) == snapshot


def test_figures_before_the_forum_was_held():
    f = unit_figures(build(), 2026, at(5), TZ)
    assert (f["forums_held"], f["forums_planned"], f["elements_covered"]) == (0, 1, [])
    assert f["pekppp_ind2"]["score"] == 0 and f["last_forum_date"] is None
    assert f["promises"]["total"] == 2 and f["promises"]["planned"] == 2 and f["promises"]["overdue"] == 0


def test_figures_when_one_promise_is_fulfilled_and_confirmed():
    as_of = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)  # after f2 and p3 dropped, before the dispute (day 60)
    f = unit_figures(build(), 2026, as_of, TZ)
    assert f["forums_held"] == 2 and f["forums_with_berita_acara"] == 1
    assert f["elements_covered"] == ["pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat",
                                     "media"]
    # ind. 2 counts only the standar_pelayanan forum: three elements
    assert f["pekppp_ind2"]["score"] == 3 and f["pekppp_ind2"]["elements"] == ["pengguna_layanan", "akademisi",
                                                                              "media"]
    p = f["promises"]
    assert (p["total"], p["fulfilled"], p["dropped"], p["planned"], p["open"], p["overdue"]) == (3, 1, 1, 1, 1, 1)
    assert p["confirmed"] == 1 and p["fulfilled_late"] == 0
    assert f["fulfilment_rate_pct"] == 33.3
    assert f["median_days_to_fulfil"] == 20.0  # 2026-02-10 → 2026-03-02
    assert f["last_forum_date"] == "2026-03-05"
    assert [(o["promise_id"], o["days_overdue"]) for o in f["overdue_promises"]] == [("p2", 5)]


def test_a_dispute_reopens_the_promise_and_as_of_still_answers_the_past():
    doc = build()
    later = unit_figures(doc, 2026, at(61), TZ)
    p = later["promises"]
    assert (p["fulfilled"], p["disputed"], p["open"]) == (0, 1, 2)
    assert later["fulfilment_rate_pct"] == 0.0 and later["median_days_to_fulfil"] is None
    earlier = unit_figures(doc, 2026, at(45), TZ)
    assert earlier["promises"]["fulfilled"] == 1 and earlier["promises"]["disputed"] == 0


def test_other_years_and_earlier_years_overdue():
    doc = build()
    f2027 = unit_figures(doc, 2027, datetime(2027, 1, 5, tzinfo=TZ), TZ)
    assert f2027["forums_held"] == 0 and f2027["promises"]["total"] == 0
    assert f2027["last_forum_date"] == "2026-03-05"
    assert sorted(p["promise_id"] for p in f2027["overdue_from_earlier_years"]) == ["p1", "p2"]


def test_rollup_pools_promises_and_averages_ind2():
    doc = build()
    as_of = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)
    a = unit_figures(doc, 2026, as_of, TZ)
    empty = unit_figures(None, 2026, as_of, TZ)
    r = rollup([a, empty])
    assert (r["units"], r["units_with_forum_held"], r["forums_held"]) == (2, 1, 2)
    assert r["pekppp_ind2_mean"] == 1.5 and r["pekppp_ind2_distribution"]["3"] == 1
    assert r["pekppp_ind2_distribution"]["0"] == 1
    assert r["promises"]["total"] == 3 and r["fulfilment_rate_pct"] == 33.3 and r["median_days_to_fulfil"] == 20.0
