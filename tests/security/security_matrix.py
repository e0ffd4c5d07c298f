"""The authorization matrix: every route of the four services, who may call it, and a request
against unit B's data (tests/security/security_world.py) to try it with.

Access kinds (what each route must answer):
- PUBLIC       no key needed: answers `ok` (default 200) without one.
- UNIT         a key of the unit that owns the data, or the bureau. No key → 401; unit A's key on
               B's data → 403 (403, not 404: the services answer 403 for an existing entity of
               another unit and 404 only for what does not exist; complaint existence is public
               anyway through tracking); B's key and the bureau → `ok`.
- BUREAU       the bureau's key only. No key → 401; a unit key (even for its own unit) → 403.
- ANY_KEY      any valid key; the answer is limited to the key's unit (GET /v1/units).
- ACTION       complaint actions: an API key of the unit holding the complaint (or the bureau),
               or the reporter's token. No credential → 401; another unit → 403.
- CODE         FKP participants' feedback: the forum's confirmation code, no key. Wrong code → 403.
- PAGE         dashboard page of one unit: no session → 302 to /masuk; unit A's session → 403.
- PAGE_BUREAU  bureau dashboard page: no session → 302 to /masuk; a unit session → 403, or a 302
               to the unit's own page for the three overview pages that redirect.
- FORM         dashboard form posts (login, logout): refused (400) without the CSRF token.
- ACCOUNT_PAGE a person's own page (/akun): no session → 302 to /masuk; any session → 200.
- ADMIN_PAGE   the accounts page: no session → 302 to /masuk; a unit's or a bureau key's or a
               bureau analyst's session → 403; a bureau_admin account → 200.
- AUDIT_PAGE   the audit log page: no session → 302 to /masuk; any session but an auditor's or a
               bureau admin's → 403.
- FORM_SESSION a form post behind a session: no session → 302 to /masuk (nothing done); a
               session without the CSRF token → 400.
- SCORE_PAGE   the PEKPPP scoring form, for persons only: no session → 302 to /masuk; unit A's
               session → 403; a key's session (unit B's or the bureau's) → 403; accounts: a
               bureau admin, an evaluator and unit B's operator (its self-assessment) → 200, a
               bureau analyst and an auditor → 403.

`ok` is the status the owner's (or bureau's) control request gets; `None` means "not 401/403
and not 5xx" (the request is valid but the state refuses it, e.g. 409).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from security_world import OPD_B, PDF, PNG, REPORT_PDF, UNIT_B, World, csv_form

PUBLIC, UNIT, BUREAU, ANY_KEY, ACTION, CODE, PAGE, PAGE_BUREAU, FORM = (
    "public", "unit", "bureau", "any_key", "action", "code", "page", "page_bureau", "form")
ACCOUNT_PAGE, ADMIN_PAGE, AUDIT_PAGE, FORM_SESSION = "account_page", "admin_page", "audit_page", "form_session"
SCORE_PAGE = "score_page"


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    rule: str
    access: str
    build: Callable[[World], tuple[str, dict]]
    ok: int | None = 200

    @property
    def id(self) -> str:
        return f"{self.service}:{self.method}:{self.rule}"


def _p(path: str, **kw) -> Callable[[World], tuple[str, dict]]:
    return lambda w: (path.format(w=w, B=UNIT_B, OPD=OPD_B), kw)


def _json(path: str, body: Callable[[World], dict]) -> Callable[[World], tuple[str, dict]]:
    return lambda w: (path.format(w=w, B=UNIT_B), {"json": body(w)})


def _paper(w: World):
    return "/v1/skm/paper-forms", {"data": {"unit_id": UNIT_B},
                                   "files": {"file": ("kuesioner.csv", csv_form(f"paper-{w.tag}"), "text/csv")}}


def _ba(w: World):
    return f"/v1/fkp/{w.fkp_id}/berita-acara", {"files": {"file": ("ba.pdf", PDF, "application/pdf")},
                                                "data": {"signatories": w.signatories}}


def _doc(w: World):
    return f"/v1/fkp/{w.fkp_id}/documents", {"files": {"file": ("bukti.png", PNG, "image/png")}}


def _feedback(w: World):
    return f"/v1/fkp/{w.fkp_id}/promises/janji-sec/feedback", {"json": {"code": "ABCD-EFGH-JKLM", "verdict": "confirm"}}


FKP = "/v1/fkp/{w.fkp_id}"
Y, P = "?year=2026", "?period=2026"
STANDARD = [("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/openapi.json")]

ROUTES: list[Route] = [
    *[Route(s, m, r, PUBLIC, _p(r)) for s in ("survey", "consultation", "complaints", "aggregator")
      for m, r in STANDARD],
    # Flask's default static route; no service ships a static folder there
    *[Route(s, "GET", "/static/<path:filename>", PUBLIC, _p("/static/x.txt"), ok=404)
      for s in ("survey", "consultation", "complaints", "aggregator")],

    # ---- survey ----
    Route("survey", "POST", "/v1/skm/responses", UNIT, _json("/v1/skm/responses", lambda w: w.response), ok=202),
    Route("survey", "POST", "/v1/skm/responses/<unit_id>/<response_id>/void", UNIT,
          _json("/v1/skm/responses/{B}/sec-{w.tag}/void", lambda w: {"reason": "Salah entri"}), ok=202),
    Route("survey", "POST", "/v1/skm/paper-forms", UNIT, _paper, ok=202),
    Route("survey", "POST", "/v1/skm/paper-forms/preview", UNIT, lambda w: ("/v1/skm/paper-forms/preview", _paper(w)[1])),
    Route("survey", "GET", "/v1/skm/paper-forms/template.csv", PUBLIC, _p("/v1/skm/paper-forms/template.csv")),
    Route("survey", "GET", "/v1/skm/paper-forms/template.xlsx", PUBLIC, _p("/v1/skm/paper-forms/template.xlsx")),
    Route("survey", "PUT", "/v1/skm/settings/<unit_id>/<period>", UNIT,
          _json("/v1/skm/settings/{B}/2026", lambda w: w.settings_body)),
    Route("survey", "GET", "/v1/skm/settings/<unit_id>/<period>", UNIT, _p("/v1/skm/settings/{B}/2026")),
    # a unit key records its own self-assessment, the bureau evaluator scores (12 is not measured: no note needed)
    Route("survey", "PUT", "/v1/pekppp/<unit_id>/<int(signed=True):year>/scores", UNIT,
          _json("/v1/pekppp/{B}/2026/scores", lambda w: {"scores": {"12": 3}})),
    Route("survey", "POST", "/v1/skm/rtl/<unit_id>/<period>/items", UNIT,
          _json("/v1/skm/rtl/{B}/2026/items", lambda w: w.rtl_item), ok=201),
    Route("survey", "POST", "/v1/skm/rtl/<unit_id>/<period>/items/<item_id>/progress", UNIT,
          _json("/v1/skm/rtl/{B}/2026/items/rtl-{w.tag}/progress", lambda w: w.rtl_progress)),
    Route("survey", "GET", "/v1/skm/rtl/<unit_id>/<period>/items/<item_id>", UNIT,
          _p("/v1/skm/rtl/{B}/2026/items/rtl-{w.tag}")),
    Route("survey", "POST", "/v1/skm/publications/<unit_id>/<period>", UNIT,
          _json("/v1/skm/publications/{B}/2026", lambda w: w.publication_body), ok=201),
    # the unit comes from the body; the owner's and the bureau's identical posts: stored, then a replay
    Route("survey", "POST", "/v1/skm/summaries", UNIT, _json("/v1/skm/summaries", lambda w: w.summary_body), ok=201),
    # the world attached this file: the owner's repeat is a replay (200)
    Route("survey", "PUT", "/v1/skm/summaries/<unit_id>/<period>/<submission_id>/report", UNIT,
          lambda w: (w.report_path, {"files": {"file": ("laporan-skm.pdf", REPORT_PDF, "application/pdf")}})),
    Route("survey", "GET", "/v1/skm/summaries/<unit_id>/<period>/<submission_id>/report", UNIT,
          lambda w: (w.report_path, {})),

    # ---- consultation ----
    Route("consultation", "POST", "/v1/fkp", UNIT, _json("/v1/fkp", lambda w: w.forum), ok=201),
    Route("consultation", "GET", "/v1/fkp/<fkp_id>", UNIT, _p(FKP)),
    # the forum is already held: the owner's repeat is refused by state (409), never by role
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/stage", UNIT, _json(FKP + "/stage", lambda w: w.stage_body),
          ok=None),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/confirmation-code", UNIT, _p(FKP + "/confirmation-code"), ok=201),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/berita-acara", UNIT, _ba),
    Route("consultation", "GET", "/v1/fkp/<fkp_id>/berita-acara", UNIT, _p(FKP + "/berita-acara")),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/documents", UNIT, _doc, ok=201),
    Route("consultation", "GET", "/v1/fkp/<fkp_id>/documents/<sha256>", UNIT, _p(FKP + "/documents/{w.doc_sha}")),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/promises", UNIT,
          _json(FKP + "/promises", lambda w: w.promise), ok=201),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/promises/<promise_id>/progress", UNIT,
          _json(FKP + "/promises/janji-sec/progress", lambda w: w.promise_progress)),
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/promises/<promise_id>/feedback", CODE, _feedback, ok=None),
    # the promise is not disputed: the bureau's valid review is refused by state (409), not by role
    Route("consultation", "POST", "/v1/fkp/<fkp_id>/promises/<promise_id>/review", BUREAU,
          _json(FKP + "/promises/janji-sec/review", lambda w: {"decision": "dispute_upheld", "note": "Belum stabil."}),
          ok=None),

    # ---- complaints ----
    Route("complaints", "POST", "/v1/complaints", UNIT, _json("/v1/complaints", lambda w: w.complaint), ok=201),
    Route("complaints", "GET", "/v1/complaints/<tracking_id>", UNIT, _p("/v1/complaints/{w.tracking_id}")),
    # follow_up on a complaint not yet verified: the holder is refused by state (409), others by role
    Route("complaints", "POST", "/v1/complaints/<tracking_id>/actions", ACTION,
          _json("/v1/complaints/{w.tracking_id}/actions", lambda w: {"action": "follow_up", "note": "Ditindaklanjuti."}),
          ok=None),
    Route("complaints", "GET", "/v1/complaints/track/<tracking_id>", PUBLIC, _p("/v1/complaints/track/{w.tracking_id}")),
    # Open311 GeoReport v2: one rule per resource serves .xml and .json (the XML, primary, is tried)
    Route("complaints", "GET", "/open311/discovery.<any(xml, json):fmt>", PUBLIC, _p("/open311/discovery.xml")),
    Route("complaints", "GET", "/open311/v2/services.<any(xml, json):fmt>", PUBLIC, _p("/open311/v2/services.xml")),
    Route("complaints", "GET", "/open311/v2/services/<service_code>.<any(xml, json):fmt>", PUBLIC,
          _p("/open311/v2/services/pengaduan.xml")),
    Route("complaints", "GET", "/open311/v2/requests.<any(xml, json):fmt>", PUBLIC, _p("/open311/v2/requests.xml")),
    Route("complaints", "GET", "/open311/v2/requests/<request_id>.<any(xml, json):fmt>", PUBLIC,
          _p("/open311/v2/requests/{w.tracking_id}.xml")),

    # ---- aggregator: JSON reports ----
    Route("aggregator", "GET", "/v1/units", ANY_KEY, _p("/v1/units")),
    Route("aggregator", "GET", "/v1/units/<unit_id>/summary", UNIT, _p("/v1/units/{B}/summary")),
    Route("aggregator", "GET", "/v1/units/<unit_id>/card", UNIT, _p("/v1/units/{B}/card" + Y)),
    Route("aggregator", "GET", "/v1/ikm/units/<unit_id>", UNIT, _p("/v1/ikm/units/{B}" + P)),
    Route("aggregator", "GET", "/v1/skm/compliance/units/<unit_id>", UNIT, _p("/v1/skm/compliance/units/{B}" + Y)),
    Route("aggregator", "GET", "/v1/fkp/units/<unit_id>", UNIT, _p("/v1/fkp/units/{B}" + Y)),
    Route("aggregator", "GET", "/v1/complaints/units/<unit_id>", UNIT, _p("/v1/complaints/units/{B}" + P)),
    Route("aggregator", "GET", "/v1/pekppp/units/<unit_id>", UNIT, _p("/v1/pekppp/units/{B}" + Y)),
    Route("aggregator", "GET", "/v1/pekppp/province", BUREAU, _p("/v1/pekppp/province" + Y)),
    Route("aggregator", "GET", "/v1/ikm/opd/<opd_id>", BUREAU, _p("/v1/ikm/opd/{OPD}" + P)),
    Route("aggregator", "GET", "/v1/ikm/province", BUREAU, _p("/v1/ikm/province" + P)),
    Route("aggregator", "GET", "/v1/ikm/ranking", BUREAU, _p("/v1/ikm/ranking" + P)),
    Route("aggregator", "GET", "/v1/skm/compliance", BUREAU, _p("/v1/skm/compliance" + Y)),
    Route("aggregator", "GET", "/v1/compliance", BUREAU, _p("/v1/compliance" + Y)),
    Route("aggregator", "GET", "/v1/province", BUREAU, _p("/v1/province" + Y)),
    Route("aggregator", "GET", "/v1/fkp/province", BUREAU, _p("/v1/fkp/province" + Y)),
    Route("aggregator", "GET", "/v1/complaints/province", BUREAU, _p("/v1/complaints/province" + P)),
    Route("aggregator", "GET", "/v1/skm/summaries/units/<unit_id>", UNIT, _p("/v1/skm/summaries/units/{B}" + P)),
    Route("aggregator", "GET", "/v1/skm/summaries/flagged", BUREAU, _p("/v1/skm/summaries/flagged" + P)),
    Route("aggregator", "GET", "/v1/audit", BUREAU, _p("/v1/audit?limit=5")),

    # ---- aggregator: dashboard ----
    Route("aggregator", "GET", "/", PUBLIC, _p("/"), ok=302),
    Route("aggregator", "GET", "/masuk", PUBLIC, _p("/masuk")),
    Route("aggregator", "POST", "/masuk", FORM, lambda w: ("/masuk", {"data": {"api_key": w.platform.bureau}})),
    Route("aggregator", "POST", "/keluar", FORM, _p("/keluar")),
    Route("aggregator", "GET", "/akun", ACCOUNT_PAGE, _p("/akun")),
    Route("aggregator", "POST", "/akun", FORM_SESSION,
          lambda w: ("/akun", {"data": {"current": "x", "new": "Sandi-baru-uji-2026", "repeat": "Sandi-baru-uji-2026"}})),
    Route("aggregator", "GET", "/admin/pengguna", ADMIN_PAGE, _p("/admin/pengguna")),
    Route("aggregator", "GET", "/admin/audit", AUDIT_PAGE, _p("/admin/audit?akun=x")),
    Route("aggregator", "POST", "/admin/pengguna", FORM_SESSION,
          lambda w: ("/admin/pengguna", {"data": {"form": "add", "username": "tidakdibuat", "display_name": "X",
                                                  "role": "bureau_admin", "password": "Sandi-baru-uji-2026"}})),
    Route("aggregator", "GET", "/aset/<path:filename>", PUBLIC, _p("/aset/dashboard.css")),
    Route("aggregator", "GET", "/publik", PUBLIC, _p("/publik"), ok=302),
    Route("aggregator", "GET", "/publik/skm", PUBLIC, _p("/publik/skm?periode=2026")),
    Route("aggregator", "GET", "/publik/skm/<unit_id>", PUBLIC, _p("/publik/skm/{B}?periode=2026")),
    Route("aggregator", "GET", "/publik/pengaduan", PUBLIC, _p("/publik/pengaduan?nomor={w.tracking_id}")),
    Route("aggregator", "GET", "/dasbor", PAGE_BUREAU, _p("/dasbor?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/opd/<opd_id>", PAGE_BUREAU, _p("/dasbor/opd/{OPD}?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/kepatuhan", PAGE_BUREAU, _p("/dasbor/kepatuhan?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/fkp", PAGE_BUREAU, _p("/dasbor/fkp?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/pengaduan", PAGE_BUREAU, _p("/dasbor/pengaduan?periode=2026")),
    Route("aggregator", "GET", "/dasbor/rekap-skm.pdf", PAGE_BUREAU, _p("/dasbor/rekap-skm.pdf?periode=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>", PAGE, _p("/dasbor/unit/{B}?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/fkp/janji/<unit_id>/<fkp_id>/<promise_id>", PAGE,
          _p("/dasbor/fkp/janji/{B}/{w.fkp_id}/janji-sec")),
    Route("aggregator", "GET", "/dasbor/pengaduan/kasus/<tracking_id>", PAGE,
          _p("/dasbor/pengaduan/kasus/{w.tracking_id}")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/skm", PAGE, _p("/dasbor/unit/{B}/skm?periode=2026")),
    Route("aggregator", "GET", "/dasbor/skm/laporan-diperiksa", PAGE_BUREAU,
          _p("/dasbor/skm/laporan-diperiksa?periode=2026")),
    # the report file through the dashboard (the survey service checks the forwarded session again)
    Route("aggregator", "GET", "/dasbor/skm/laporan/<unit_id>/<period>/<submission_id>/berkas.pdf", PAGE,
          _p("/dasbor/skm/laporan/{B}/2026/sec-{w.tag}/berkas.pdf")),
    Route("aggregator", "GET", "/dasbor/pekppp", PAGE_BUREAU, _p("/dasbor/pekppp?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/pekppp", PAGE, _p("/dasbor/unit/{B}/pekppp?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/hasil-pekppp.pdf", PAGE,
          _p("/dasbor/unit/{B}/hasil-pekppp.pdf?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/rekap-pekppp.pdf", PAGE_BUREAU, _p("/dasbor/rekap-pekppp.pdf?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/pekppp/nilai", SCORE_PAGE,
          _p("/dasbor/unit/{B}/pekppp/nilai?tahun=2026")),
    Route("aggregator", "POST", "/dasbor/unit/<unit_id>/pekppp/nilai", FORM_SESSION,
          lambda w: (f"/dasbor/unit/{UNIT_B}/pekppp/nilai?tahun=2026", {"data": {"s12": "3"}})),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/fkp", PAGE, _p("/dasbor/unit/{B}/fkp?tahun=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/pengaduan", PAGE, _p("/dasbor/unit/{B}/pengaduan?periode=2026")),
    Route("aggregator", "GET", "/dasbor/unit/<unit_id>/laporan-skm.pdf", PAGE,
          _p("/dasbor/unit/{B}/laporan-skm.pdf?periode=2026")),
]

# overview pages that send a unit session to its own unit's page instead of a 403
REDIRECTS_UNITS = {"/dasbor", "/dasbor/fkp", "/dasbor/pengaduan", "/dasbor/pekppp"}


# API routes that accept a person's staff session (`Authorization: Session <id>`, forwarded by the
# dashboard) besides keys: `auth.require(sessions=True)`; every other API route takes keys only
SESSION_ROUTES = {("survey", "PUT", "/v1/pekppp/<unit_id>/<int(signed=True):year>/scores"),
                  ("survey", "GET", "/v1/skm/summaries/<unit_id>/<period>/<submission_id>/report")}


def accepting_sessions() -> set[tuple[str, str, str]]:
    """The routes whose view is wrapped by `auth.require(sessions=True)`, read from the apps."""
    import importlib
    out = set()
    for service in ("survey", "consultation", "complaints", "aggregator"):
        app = importlib.import_module(f"services.{service}.wsgi").app
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            while view is not None:
                if getattr(view, "accepts_sessions", False):
                    out |= {(service, m, rule.rule) for m in rule.methods - {"HEAD", "OPTIONS"}}
                    break
                view = getattr(view, "__wrapped__", None)
    return out


def declared() -> set[tuple[str, str, str]]:
    return {(r.service, r.method, r.rule) for r in ROUTES}


def served() -> set[tuple[str, str, str]]:
    """Every (service, method, rule) the four apps answer, read from their url_map."""
    import importlib
    out = set()
    for service in ("survey", "consultation", "complaints", "aggregator"):
        app = importlib.import_module(f"services.{service}.wsgi").app
        for rule in app.url_map.iter_rules():
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((service, method, rule.rule))
    return out
