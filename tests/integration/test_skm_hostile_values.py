"""Client values are never field names in the SKM buckets (issue 13): a free-text service type
with "." or a leading "$" once made the store refuse the bucket write, and the consumer retried
that batch forever. With the project's own `SkmProjection` on the real store, such responses are
written, read back with their counts (live and as of a past moment), and buckets stored before
the list form (profile counts keyed by value) still read and take new responses."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from pymongo import MongoClient

pytestmark = pytest.mark.infra

WITA = timezone(timedelta(hours=8))
UNIT = "samsat-samarinda"
HOSTILE = ("izin usaha (Perda No. 5)", "$where", "a.b.c", "$x", "layanan ✓ ümlaut 日本", "x" * 200)


def events(service_types: list[str], when: datetime, offset0: int, tag: str,
           recorded: datetime | None = None) -> list:
    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    from pantau.rules.ikm import ELEMENTS
    from services.survey.intake import build_doc
    from services.survey.schemas import ResponseSchema
    out = []
    for i, st in enumerate(service_types):
        item = {"unit_id": UNIT, "response_id": f"hv-{tag}-{i}", "submitted_at": when.isoformat(timespec="seconds"),
                "answers": {k: 3 for k in ELEMENTS}, "channel": "web", "service_type": st}
        doc = build_doc(ResponseSchema().load(item), None, "Asia/Makassar")
        doc["envelope"]["data"]["recorded_at"] = (recorded or when).isoformat()
        out.append(at_position(decode(orjson.dumps(doc["envelope"])), "skm.events", 0, offset0 + i))
    return out


@pytest.fixture
def db(infra):
    client = MongoClient(infra.mongo_url, tz_aware=True)
    d = client[f"hostile_{uuid.uuid4().hex[:8]}"]
    yield d
    client.drop_database(d.name)
    client.close()


def unsafe_keys(doc, path: str = "") -> list[str]:
    """Field names a MongoDB-protocol store refuses (".", a leading "$", NUL), anywhere in `doc`."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if "." in k or k.startswith("$") or "\0" in k:
                out.append(f"{path}/{k}")
            out += unsafe_keys(v, f"{path}/{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += unsafe_keys(v, f"{path}/{i}")
    return out


def service_types(db, month: str, as_of: datetime | None = None) -> dict:
    from services.aggregator.reports import BUCKET_FIELDS, _merge
    from services.aggregator.skm_asof import buckets_at
    return dict(_merge(buckets_at(db, [UNIT], [month], as_of, BUCKET_FIELDS))["profile"]["service_type"])


def test_service_types_with_dots_and_dollars_are_written_and_counted(db):
    from services.aggregator.projections.skm import SkmProjection
    proj = SkmProjection(db)
    when = datetime.now(WITA) - timedelta(hours=2)
    month = when.strftime("%Y-%m")
    batch = ["izin usaha (Perda No. 5)", "izin usaha (Perda No. 5)", "$where", *HOSTILE[2:]]
    assert proj.apply(events(batch, when, 0, "a")) == {}
    assert db["skm_buckets"].find_one({"_id": f"{UNIT}:{month}"})["respondents"] == len(batch)
    expected = {"izin usaha (Perda No. 5)": 2, "$where": 1, "a.b.c": 1, "$x": 1, HOSTILE[4]: 1, HOSTILE[5]: 1}
    assert service_types(db, month) == expected
    # a redelivery of the same records changes nothing; a second batch adds to the same bucket
    assert proj.apply(events(batch, when, 0, "a")) == {}
    mid = datetime.now(timezone.utc)
    assert proj.apply(events(["$where"], when, 100, "b", recorded=mid + timedelta(seconds=1))) == {}
    assert service_types(db, month) == {**expected, "$where": 2}
    # as of a moment between the batches: the rewind reads the same stored form
    assert service_types(db, month, as_of=mid) == expected
    for name in db.list_collection_names():  # the buckets, bursts, facts, day-of-recording copies
        assert [k for d in db[name].find({}) for k in unsafe_keys(d)] == [], name


def test_buckets_stored_with_counts_keyed_by_value_still_read(db):
    """A bucket (and its bursts) as stored before the list form, from an existing data dir."""
    from pantau.rules.ikm import ELEMENTS
    from services.aggregator.projections.skm import PROFILE_FIELDS, SkmProjection
    when = datetime.now(WITA) - timedelta(hours=2)
    month = when.strftime("%Y-%m")
    bid = f"{UNIT}:{month}"
    profile = {f: {"tidak_diisi": 2} for f in PROFILE_FIELDS}
    profile["channel"] = {"web": 2}
    profile["service_type"] = {"KTP": 2}
    db["skm_buckets"].insert_one({
        "_id": bid, "unit_id": UNIT, "month": month, "respondents": 2, "sums": {k: 6 for k in ELEMENTS},
        "sum_x": 6.0, "sum_x2": 18.0, "all4": 0, "out_of_hours": 0, "profile": profile,
        "largest_identical_burst": 2, "last_submitted_at": when.isoformat(), "applied": {"p0": 50}})
    db["skm_bursts"].insert_one({"_id": bid, "bursts": {"web|333333333|x": 2}, "applied": {"p0": 50}})
    assert service_types(db, month) == {"KTP": 2}
    assert SkmProjection(db).apply(events(["$where", "KTP"], when, 50, "c")) == {}
    assert service_types(db, month) == {"KTP": 3, "$where": 1}
    stored = db["skm_buckets"].find_one({"_id": bid})
    assert stored["respondents"] == 4 and stored["largest_identical_burst"] == 2
