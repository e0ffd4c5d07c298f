"""The store answers `_id` conditions from its index, also inside a larger filter (the projections'
`{_id: k, seq: n}` replace), and the extra conditions still hold (pantau_platform/infra/store.py PATCHES).
Against the real store the project runs; with mongod the plan is mongod's own, so only the
results are checked there."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.infra


@pytest.fixture
def col(infra):
    from pymongo import MongoClient
    client = MongoClient(infra.mongo_url, socketTimeoutMS=30000)  # a hung command fails the test
    db = client[f"pushdown_{uuid.uuid4().hex[:8]}"]
    c = db["docs"]
    c.insert_many([{"_id": f"k{i}", "seq": i % 7, "unit": "u"} for i in range(500)])
    yield c
    client.drop_database(db.name)
    client.close()


def _plan(col, flt: dict) -> tuple[bool | None, str]:
    out = col.database.command("explain", {"find": col.name, "filter": flt})
    return out.get("filterPushdown"), " ".join(out.get("queryPlanner", {}).get("Plan", []))


def test_id_plus_other_fields_is_an_index_search(col):
    from pantau_platform.infra import store
    if store.engine() != "ferretdb":
        pytest.skip("mongod plans its own queries; the patch is FerretDB's")
    for flt in ({"_id": "k42"}, {"_id": "k42", "seq": 0}, {"_id": "k42", "seq": {"$gte": 0}, "unit": "u"},
                {"_id": {"$in": ["k1", "k2"]}}, {"_id": {"$in": ["k1", "k2"]}, "seq": 1}):
        pushdown, plan = _plan(col, flt)
        assert pushdown is True and "SEARCH" in plan and "SCAN" not in plan, (flt, plan)
    # conditions the index cannot answer stay a scan
    assert _plan(col, {"seq": 3})[0] is False
    assert _plan(col, {"_id": {"$in": ["k1", 2]}})[0] is False
    assert _plan(col, {"_id": {"$in": ["k1"], "$ne": "k2"}})[0] is False


def test_the_other_conditions_still_filter(col):
    assert col.find_one({"_id": "k42", "seq": 42 % 7})["_id"] == "k42"
    assert col.find_one({"_id": "k42", "seq": 99}) is None
    assert col.count_documents({"_id": "k42", "unit": "other"}) == 0
    # a guarded replace matches only when the guard holds; a guarded delete likewise
    assert col.replace_one({"_id": "k43", "seq": 99}, {"seq": 100}).matched_count == 0
    assert col.replace_one({"_id": "k43", "seq": 43 % 7}, {"seq": 100}).matched_count == 1
    assert col.find_one({"_id": "k43"})["seq"] == 100
    assert col.delete_one({"_id": "k44", "seq": 99}).deleted_count == 0
    assert col.delete_one({"_id": "k44", "seq": 44 % 7}).deleted_count == 1
    assert col.update_one({"_id": "k45", "unit": "x"}, {"$set": {"seq": 1}}).matched_count == 0
    assert col.count_documents({}) == 499


def test_in_on_id_returns_exactly_the_matching_documents(col):
    ids = [f"k{i}" for i in range(0, 500, 7)] + ["missing"]
    assert sorted(d["_id"] for d in col.find({"_id": {"$in": ids}})) == sorted(ids[:-1])
    assert sorted(d["_id"] for d in col.find({"_id": {"$in": ids}, "seq": 0})) == \
        sorted(i for i in ids[:-1] if int(i[1:]) % 7 == 0)
    assert col.count_documents({"_id": {"$in": ["k1", 2, "k3"]}}) == 2  # not pushed down, same answer


def test_a_bulk_write_of_many_guarded_replaces_completes(col):
    from pymongo import ReplaceOne
    ops = [ReplaceOne({"_id": f"k{i}", "seq": i % 7}, {"seq": 100, "unit": "u"}) for i in range(300)]
    res = col.bulk_write(ops, ordered=False)  # more than 100 statements in one update command
    assert res.matched_count == 300
    assert col.count_documents({"seq": 100}) == 300


def test_document_count_is_exact_after_inserts_and_deletes(col):
    from pantau import store
    count = store.impl("ferretdb").count  # collStats, not a scan (pantau/store/ferretdb.py)
    assert count(col) == col.count_documents({}) == 500
    col.insert_many([{"_id": f"n{i}"} for i in range(7)])
    col.delete_many({"_id": {"$in": ["k1", "k2", "k3"]}})
    assert count(col) == col.count_documents({}) == 504
    assert count(col.database["never_created"]) == 0
