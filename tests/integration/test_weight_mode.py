"""The IKM weight mode is a parameter of each report (issue 16): the same responses give the exact
IKM (weight 1/9) by default and the figure a unit printed with 0,111 when `weight=printed_0_111`
is asked for, without a restart; every report echoes the mode it used; an unknown mode is a 422
problem (API) or a 400 page (dashboard).

Responses go through the project's own `SkmProjection` into a fresh database of the real store;
the aggregator app (Flask test client) reads it with the scenario registry of `card_scenario`
(`lab`: N = 20, so its 20 respondents are an adequate sample and count in the province).
"""
from __future__ import annotations

import re
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from card_scenario import aggregator_client
from pymongo import MongoClient

from pantau import auth
from pantau.rules.ikm import ELEMENTS, compute_ikm
from services.aggregator.exports import fmt

pytestmark = pytest.mark.infra

WITA = timezone(timedelta(hours=8))
UNIT, OPD = "lab", "dinkes"
BUREAU, LAB = "pantau_bureau_w", "pantau_lab_w"
PRINCIPALS = {BUREAU: auth.Principal("kbw", "bureau", None), LAB: auth.Principal("klw", "unit", UNIT)}
# 20 respondents, each with four unsur answered 3 and the rest 4, four of them one more 3: 636 of 720
# points, so IKM = 636 / 7.2 = 88.33 (A) exactly, and 2.775 × 636 / 20 = 88.245 → 88.25 (B) with 0,111
ANSWERS = [{k: (3 if j < 4 + (i < 4) else 4) for j, k in enumerate(ELEMENTS)} for i in range(20)]
WHEN = datetime.now(WITA) - timedelta(hours=2)
MONTH, YEAR = WHEN.strftime("%Y-%m"), WHEN.year


def events(tag: str) -> list:
    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    from services.survey.intake import build_doc
    from services.survey.schemas import ResponseSchema
    out = []
    for i, answers in enumerate(ANSWERS):
        item = {"unit_id": UNIT, "response_id": f"wm-{tag}-{i}", "submitted_at": WHEN.isoformat(timespec="seconds"),
                "answers": answers, "channel": "web"}
        doc = build_doc(ResponseSchema().load(item), None, "Asia/Makassar")
        doc["envelope"]["data"]["recorded_at"] = WHEN.isoformat()
        out.append(at_position(decode(orjson.dumps(doc["envelope"])), "skm.events", 0, i))
    return out


def expected(mode: str) -> dict:
    sums = {k: sum(a[k] for a in ANSWERS) for k in ELEMENTS}
    return compute_ikm(sums, len(ANSWERS), mode)


@pytest.fixture
def client(infra, monkeypatch):
    mongo = MongoClient(infra.mongo_url, tz_aware=True)
    db = mongo[f"weight_{uuid.uuid4().hex[:8]}"]
    from services.aggregator.projections.skm import SkmProjection
    assert SkmProjection(db).apply(events(uuid.uuid4().hex[:6])) == {}
    monkeypatch.setenv("PANTAU_IKM_WEIGHT_MODE", "exact")
    yield aggregator_client(monkeypatch, db, PRINCIPALS, {"kbw", "klw"})
    mongo.drop_database(db.name)
    mongo.close()


def get(client, path: str, token: str = BUREAU, **params):
    r = client.get(path, query_string=params, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, (path, params, r.status_code, r.get_data(as_text=True)[:300])
    return r.get_json()


def test_the_figures_the_two_modes_should_give():
    exact, printed = expected("exact"), expected("printed_0_111")
    assert (exact["ikm"], exact["mutu"]) == (88.33, "A")
    assert (printed["ikm"], printed["mutu"]) == (88.25, "B")


def test_the_unit_report_computes_with_the_mode_asked_for_and_echoes_it(client, monkeypatch):
    path = f"/v1/ikm/units/{UNIT}"
    default = get(client, path, period=MONTH)
    exact = get(client, path, period=MONTH, weight="exact")
    printed = get(client, path, period=MONTH, weight="printed_0_111")
    assert {**default, "as_of": None} == {**exact, "as_of": None}
    assert (exact["weight_mode"], exact["ikm"], exact["mutu"]) == ("exact", 88.33, "A")
    assert (printed["weight_mode"], printed["ikm"], printed["mutu"]) == ("printed_0_111", 88.25, "B")
    assert printed["weight"] == 0.111 and exact["weight"] == pytest.approx(1 / 9)
    assert printed["respondents"] == exact["respondents"] == 20  # the same data
    assert printed["sample"] == exact["sample"] and exact["sample"]["adequate"] is True
    for k in ELEMENTS:  # the NRR does not depend on the weight
        assert printed["elements"][k]["nrr"] == exact["elements"][k]["nrr"]
    # the unit's own key may ask too
    assert get(client, path, LAB, period=MONTH, weight="printed_0_111")["ikm"] == 88.25
    # configured for the printed weight, `weight=exact` still gives the exact figure
    monkeypatch.setenv("PANTAU_IKM_WEIGHT_MODE", "printed_0_111")
    assert get(client, path, period=MONTH)["weight_mode"] == "printed_0_111"
    assert get(client, path, period=MONTH, weight="exact")["ikm"] == 88.33


def test_the_opd_province_and_ranking_reports_follow_the_mode(client):
    for path in (f"/v1/ikm/opd/{OPD}", "/v1/ikm/province"):
        exact = get(client, path, period=MONTH)
        printed = get(client, path, period=MONTH, weight="printed_0_111")
        assert exact["weight_mode"] == "exact" and printed["weight_mode"] == "printed_0_111", path
        assert exact["unit_count"] == printed["unit_count"] == 1  # lab only: rs has no responses
        for key in ("ikm", "ikm_mean_of_units", "ikm_pooled_respondents"):
            assert (exact[key], printed[key]) == (88.33, 88.25), (path, key)
        assert [u["ikm"] for u in exact["units"] if u["unit_id"] == UNIT] == [88.33]
        assert [u["ikm"] for u in printed["units"] if u["unit_id"] == UNIT] == [88.25]
    exact = get(client, "/v1/ikm/ranking", period=MONTH)
    printed = get(client, "/v1/ikm/ranking", period=MONTH, weight="printed_0_111")
    assert (exact["weight_mode"], exact["ranking"][0]["ikm"]) == ("exact", 88.33)
    assert (printed["weight_mode"], printed["ranking"][0]["ikm"]) == ("printed_0_111", 88.25)


def test_the_card_province_overview_and_compliance_follow_the_mode(client):
    exact = get(client, f"/v1/units/{UNIT}/card", year=YEAR)
    printed = get(client, f"/v1/units/{UNIT}/card", year=YEAR, weight="printed_0_111")
    assert (exact["weight_mode"], printed["weight_mode"]) == ("exact", "printed_0_111")
    assert (exact["skm"]["year"]["ikm"], printed["skm"]["year"]["ikm"]) == (88.33, 88.25)
    assert (exact["skm"]["year"]["mutu"], printed["skm"]["year"]["mutu"]) == ("A", "B")
    exact = get(client, "/v1/province", year=YEAR)
    printed = get(client, "/v1/province", year=YEAR, weight="printed_0_111")
    assert (exact["weight_mode"], printed["weight_mode"]) == ("exact", "printed_0_111")
    assert (exact["headline"]["ikm"]["ikm"], printed["headline"]["ikm"]["ikm"]) == (88.33, 88.25)
    assert get(client, "/v1/province", year=YEAR, opd=OPD, weight="printed_0_111")["headline"]["ikm"]["ikm"] == 88.25
    assert get(client, "/v1/compliance", year=YEAR, weight="printed_0_111")["weight_mode"] == "printed_0_111"
    assert get(client, "/v1/compliance", year=YEAR)["weight_mode"] == "exact"


@pytest.mark.parametrize("bogus", ["bogus", "", "EXACT", "0.111", "printed"])
def test_an_unknown_mode_is_a_422_problem_naming_weight(client, bogus):
    h = {"Authorization": f"Bearer {BUREAU}"}
    for path, q in ((f"/v1/ikm/units/{UNIT}", {"period": MONTH}), (f"/v1/ikm/opd/{OPD}", {"period": MONTH}),
                    ("/v1/ikm/province", {"period": MONTH}), ("/v1/ikm/ranking", {"period": MONTH}),
                    (f"/v1/units/{UNIT}/card", {"year": YEAR}), ("/v1/compliance", {"year": YEAR}),
                    ("/v1/province", {"year": YEAR})):
        r = client.get(path, query_string={**q, "weight": bogus}, headers=h)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (path, r.status_code)
        body = r.get_json()
        # an empty value is refused for every parameter alike (pantau/web.py), a wrong one by its reader
        id_words, en_start = ("kosong", "The parameter weight is empty") if bogus == "" else ("tidak dikenal",
                                                                                              "Unknown weight")
        assert body["errors"][0]["pointer"] == "weight" and id_words in body["detail"], body
        en = client.get(path, query_string={**q, "weight": bogus}, headers={**h, "Accept-Language": "en"}).get_json()
        assert en["detail"].startswith(en_start), en


def login(client, token: str) -> None:
    page = client.get("/masuk").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/masuk", data={"api_key": token, "csrf_token": csrf}).status_code == 302


def figure(html: str, key: str) -> str:
    m = re.search(rf'data-figure="{re.escape(key)}">([^<]*)<', html)
    assert m, key
    return m.group(1).strip()


def test_the_dashboard_pages_exports_and_pdfs_follow_the_mode(client):
    login(client, BUREAU)
    path = f"/dasbor/unit/{UNIT}/skm"
    exact = client.get(path, query_string={"periode": MONTH}).get_data(as_text=True)
    printed = client.get(path, query_string={"periode": MONTH, "weight": "printed_0_111"}).get_data(as_text=True)
    assert figure(exact, "ikm") == fmt.angka(88.33) and figure(printed, "ikm") == fmt.angka(88.25)
    # the form offers the mode and keeps the one shown; the PDF link carries it
    assert '<option value="printed_0_111" selected>' in printed and '<option value="exact" selected>' in exact
    assert f"laporan-skm.pdf?periode={MONTH}&amp;weight=printed_0_111" in printed
    csv = client.get(path, query_string={"periode": MONTH, "weight": "printed_0_111", "format": "csv",
                                         "table": "tren", "sep": "comma"}).get_data(as_text=True)
    assert "88.25" in csv and "88.33" not in csv
    assert "88.33" in client.get(path, query_string={"periode": MONTH, "format": "csv", "table": "tren",
                                                     "sep": "comma"}).get_data(as_text=True)
    # (the unit card page itself, /dasbor/unit/<unit>, is left out: on main it answers 500 for any unit whose
    # card carries PEKPPP indicators 26/27, which page_unit has no label for; its figures come from the card API)
    province = client.get("/dasbor", query_string={"tahun": YEAR, "weight": "printed_0_111"}).get_data(as_text=True)
    assert f"rekap-skm.pdf?periode={YEAR}&amp;urut=peringkat&amp;weight=printed_0_111" in province
    assert figure(province, "ikm") == fmt.angka(88.25)
    for query, ikm in (({"periode": MONTH}, "88,33"), ({"periode": MONTH, "weight": "printed_0_111"}, "88,25")):
        pdf = client.get(f"/dasbor/unit/{UNIT}/laporan-skm.pdf", query_string=query)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                              check=True).stdout.decode()
        assert ikm in text, query
    r = client.get(path, query_string={"periode": MONTH, "weight": "bogus"})
    assert r.status_code == 400 and "Bobot (weight) tidak dikenal" in r.get_data(as_text=True)
    assert client.get(path, query_string={"periode": MONTH, "weight": ""}).status_code == 200  # empty: the default
