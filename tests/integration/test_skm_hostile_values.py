"""Client values are never field names in the SKM documents (issue 13): a free-text service type
with "." or a leading "$" once made the store refuse the bucket write, and the consumer retried
that batch forever. With the project's own `SkmProjection` on the real store, such responses are
written and read back with their counts, live and as of a past moment."""
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
    from services.aggregator.skm_read import month_tallies
    return dict(month_tallies(db, [UNIT], [int(month[:4])], as_of)[UNIT][month].profile["service_type"])


def test_service_types_with_dots_and_dollars_are_written_and_counted(db):
    from services.aggregator.projections.skm import SkmProjection
    proj = SkmProjection(db)
    when = datetime.now(WITA) - timedelta(hours=2)
    month = when.strftime("%Y-%m")
    batch = ["izin usaha (Perda No. 5)", "izin usaha (Perda No. 5)", "$where", *HOSTILE[2:]]
    assert proj.apply(events(batch, when, 0, "a")) == {}
    assert db["skm_units"].find_one({"_id": f"{UNIT}:{month[:4]}"})["months"][month[5:]]["respondents"] == len(batch)
    expected = {"izin usaha (Perda No. 5)": 2, "$where": 1, "a.b.c": 1, "$x": 1, HOSTILE[4]: 1, HOSTILE[5]: 1}
    assert service_types(db, month) == expected
    # a redelivery of the same records changes nothing; a second batch adds to the same bucket
    assert proj.apply(events(batch, when, 0, "a")) == {}
    mid = datetime.now(timezone.utc)
    assert proj.apply(events(["$where"], when, 100, "b", recorded=mid + timedelta(seconds=1))) == {}
    assert service_types(db, month) == {**expected, "$where": 2}
    # as of a moment between the batches: the history reads the same stored form
    assert service_types(db, month, as_of=mid) == expected
    for name in db.list_collection_names():  # year documents, snapshots, slots, bursts, facts
        assert [k for d in db[name].find({}) for k in unsafe_keys(d)] == [], name
