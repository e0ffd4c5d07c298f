"""One population N and one required sample for a unit, whichever report asks (issue 15): the unit
report, the compliance report, the unit card and the dashboard's SKM page give the same N and
required sample, for a unit whose survey settings give a population (`lab`: that figure, not the
registry's) and for one without (`rs`: the registry's yearly figure).

Responses and settings go through the project's own projections into a fresh database of the real
store; the aggregator app (Flask test client) reads it with the scenario registry of
`card_scenario` (`lab`: N = 20 in the registry, `rs`: N = 100,000).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from card_scenario import UNITS, aggregator_client
from pymongo import MongoClient

from pantau import auth
from pantau.rules.ikm import ELEMENTS
from pantau.rules.sample import required_sample
from services.aggregator.exports import fmt

pytestmark = pytest.mark.infra

WITA = timezone(timedelta(hours=8))
BUREAU = "pantau_bureau_n"
PRINCIPALS = {BUREAU: auth.Principal("kbn", "bureau", None)}
WHEN = datetime.now(WITA) - timedelta(hours=2)
YEAR = WHEN.year
CONFIGURED = {"lab": 450}  # the population `lab` records in its survey settings for the year; `rs` records none
RESPONDENTS = {"lab": 12, "rs": 3}
REGISTRY_N = {u.id: u.population for u in UNITS}


def response_events(tag: str) -> list:
    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    from services.survey.intake import build_doc
    from services.survey.schemas import ResponseSchema
    out = []
    for unit_id, n in RESPONDENTS.items():
        for i in range(n):
            item = {"unit_id": unit_id, "response_id": f"pn-{tag}-{unit_id}-{i}",
                    "submitted_at": WHEN.isoformat(timespec="seconds"), "answers": dict.fromkeys(ELEMENTS, 3),
                    "channel": "web"}
            doc = build_doc(ResponseSchema().load(item), None, "Asia/Makassar")
            doc["envelope"]["data"]["recorded_at"] = WHEN.isoformat()
            out.append(at_position(decode(orjson.dumps(doc["envelope"])), "skm.events", 0, len(out)))
    return out


def settings_events() -> list:
    from pantau.envelope import at_position, new_event
    from pantau.events import SOURCES
    from pantau.events import skm as ev
    return [at_position(new_event(source=SOURCES["survey"], type=ev.SETTINGS_SET,
                                  subject=f"skm-settings:{unit_id}:{YEAR}", seq=1, time=WHEN - timedelta(days=1),
                                  data={"unit_id": unit_id, "period": str(YEAR), "population": n,
                                        "period_type": "year", "executor": "self"}), "skm.events", 1, i)
            for i, (unit_id, n) in enumerate(CONFIGURED.items())]


@pytest.fixture
def client(infra, monkeypatch):
    mongo = MongoClient(infra.mongo_url, tz_aware=True)
    db = mongo[f"population_{uuid.uuid4().hex[:8]}"]
    from services.aggregator.projections import skm_followup
    from services.aggregator.projections.skm import SkmProjection
    assert SkmProjection(db).apply(response_events(uuid.uuid4().hex[:6])) == {}
    for projection in skm_followup.projections(db):
        assert projection.apply(settings_events()) == {}
    yield aggregator_client(monkeypatch, db, PRINCIPALS, {"kbn"})
    mongo.drop_database(db.name)
    mongo.close()


def get(client, path: str, **params) -> dict:
    r = client.get(path, query_string=params, headers={"Authorization": f"Bearer {BUREAU}"})
    assert r.status_code == 200, (path, params, r.status_code, r.get_data(as_text=True)[:300])
    return r.get_json()


def dashboard_sample(client, unit_id: str) -> tuple[str, str]:
    """The SKM page's required-sample tile: its value and its note (which names N)."""
    page = client.get("/masuk").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/masuk", data={"api_key": BUREAU, "csrf_token": csrf}).status_code == 302
    r = client.get(f"/dasbor/unit/{unit_id}/skm", query_string={"periode": str(YEAR)})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    tile = re.search(r'data-figure="sample\.required">([^<]*)</div>\s*<div class="note">([^<]*)<', html, re.S)
    assert tile, "the required-sample tile with its note"
    return tile.group(1).strip(), tile.group(2).strip()


@pytest.mark.parametrize("unit_id", ["lab", "rs"])
def test_the_reports_agree_on_n_and_the_required_sample(client, unit_id):
    want_n = CONFIGURED.get(unit_id) or REGISTRY_N[unit_id]  # the year: the registry's figure unscaled
    assert want_n != REGISTRY_N[unit_id] or unit_id not in CONFIGURED  # the settings, not the registry, when given
    want = {"population": want_n, "required": required_sample(want_n), "actual": RESPONDENTS[unit_id]}

    unit = get(client, f"/v1/ikm/units/{unit_id}", period=str(YEAR))["sample"]
    compliance = get(client, f"/v1/skm/compliance/units/{unit_id}", year=YEAR)["sample"]
    card = get(client, f"/v1/units/{unit_id}/card", year=YEAR)["skm"]["year"]["sample"]
    for name, sample in (("unit report", unit), ("compliance", compliance), ("card", card)):
        assert {k: sample[k] for k in want} == want, (name, sample)
    assert unit == compliance == card

    value, note = dashboard_sample(client, unit_id)
    assert value == fmt.bulat(want["required"]) and note == f"populasi {fmt.bulat(want_n)}"
