"""Data of one unit ("B") in every service, created through the APIs, that the authorization
matrix then tries to read and write with another unit's key ("A"), without a key and with the
bureau's key.

Every write the matrix makes as the owner repeats a write made here, so the owner's control
request is an idempotent repeat (2xx) and proves the request itself is valid: a 403 for unit A
is then the authorization check, never a validation error.
"""
from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from pypdf import PdfWriter

from pantau.rules.ikm import ELEMENTS

TZ = ZoneInfo("Asia/Makassar")
UNIT_A, UNIT_B = "uptd-prasarana-olahraga", "uptd-lab-esdm"   # A attacks, B owns the data
OPD_B = "desdm"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
TIMEOUT = 60


def blank_pdf() -> bytes:
    """A valid one-page PDF (a summary's report file must open as one)."""
    w = PdfWriter()
    w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


REPORT_PDF = blank_pdf()


def noon(d: date) -> str:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=TZ).isoformat()


def today() -> date:
    return datetime.now(TZ).date()


def csv_form(response_id: str, extra_header: str = "", extra_value: str = "") -> bytes:
    head = "response_id,submitted_at," + ",".join(ELEMENTS) + extra_header
    row = f"{response_id},2026-03-10," + ",".join("3" for _ in ELEMENTS) + extra_value
    return f"{head}\r\n{row}\r\n".encode()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, "the form carries a CSRF token"
    return m.group(1)


@dataclass
class World:
    platform: object
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    # ---- requests -------------------------------------------------------------------------
    def url(self, service: str, path: str) -> str:
        return self.platform.url(service, path)

    def auth(self, who: str | None) -> dict:
        if who is None:
            return {}
        token = self.platform.bureau if who == "bureau" else self.platform.key(who)
        return self.platform.headers(token)

    def call(self, service: str, method: str, path: str, who: str | None, **kw) -> requests.Response:
        headers = {**self.auth(who), **kw.pop("headers", {})}
        return requests.request(method, self.url(service, path), headers=headers, timeout=TIMEOUT,
                                allow_redirects=False, **kw)

    def session(self, who: str) -> requests.Session:
        """A dashboard session signed in with `who`'s key (login form with its CSRF token)."""
        s = requests.Session()
        page = s.get(self.url("aggregator", "/masuk"), timeout=TIMEOUT)
        token = self.platform.bureau if who == "bureau" else self.platform.key(who)
        r = s.post(self.url("aggregator", "/masuk"), data={"csrf_token": csrf_of(page.text), "api_key": token},
                   timeout=TIMEOUT, allow_redirects=False)
        assert r.status_code == 302, r.text[:300]
        return s

    def account_session(self, role: str) -> requests.Session:
        """A dashboard session of a new staff account with `role` (username and password)."""
        import uuid

        from pantau import accounts
        password = "Sesi-akun-uji-2026"
        a = accounts.create(f"sec{uuid.uuid4().hex[:8]}", "Akun Uji", role, password,
                            UNIT_B if role == "unit_operator" else None)
        s = requests.Session()
        page = s.get(self.url("aggregator", "/masuk"), timeout=TIMEOUT)
        r = s.post(self.url("aggregator", "/masuk"), data={"csrf_token": csrf_of(page.text), "username": a.username,
                                                          "password": password}, timeout=TIMEOUT, allow_redirects=False)
        assert r.status_code == 302, r.text[:300]
        s.username = a.username
        return s

    @staticmethod
    def session_id(s: requests.Session) -> str:
        """The server-side id of an account's dashboard session (what the dashboard forwards as
        `Authorization: Session <id>` to the routes that accept it)."""
        from pantau import mongo
        doc = mongo.db("registry")["sessions"].find_one({"account": s.username}, sort=[("created_at", -1)])
        assert doc is not None, s.username
        return doc["_id"]

    # ---- the owner's data -----------------------------------------------------------------
    @property
    def response(self) -> dict:
        return {"unit_id": UNIT_B, "response_id": f"sec-{self.tag}", "submitted_at": "2026-03-10T10:00:00+08:00",
                "answers": {k: 3 for k in ELEMENTS}}

    settings_body = {"population": 200, "period_type": "year", "executor": "internal"}
    publication_body = {"medium": "website", "published_on": "2026-03-01"}

    @property
    def rtl_item(self) -> dict:
        return {"item_id": f"rtl-{self.tag}", "element": "waktu", "programme": "Tambah loket pada jam sibuk",
                "owner": "Kepala Seksi Pelayanan", "target_date": "2026-06-30"}

    rtl_progress = {"status": "in_progress", "progress_pct": 50, "at": "2026-03-20T10:00:00+08:00", "evidence": []}

    @property
    def fkp_id(self) -> str:
        return f"fkp-sec-{self.tag}"

    @property
    def held(self) -> date:
        return today() - timedelta(days=10)

    @property
    def promise(self) -> dict:
        return {"promise_id": "janji-sec", "description": "Papan informasi tarif di loket", "owner": "Subbag Umum",
                "target_date": (today() + timedelta(days=30)).isoformat(), "elements": ["biaya"]}

    @property
    def forum(self) -> dict:
        return {"unit_id": UNIT_B, "fkp_id": self.fkp_id, "topic": "standar_pelayanan", "format": "tatap_muka",
                "title": "Peninjauan standar pelayanan", "held_on": self.held.isoformat(), "place": "Aula",
                "stage": "planned", "participants": [{"element": "pengguna_layanan", "name": "Siti Aminah"},
                                                     {"element": "akademisi", "name": "Yohanes Lake"}],
                "minutes": None, "promises": [self.promise]}

    @property
    def summary_body(self) -> dict:
        return {"unit_id": UNIT_B, "period": "2026", "submission_id": f"sec-{self.tag}", "respondents": 50,
                "nrr": dict.fromkeys(ELEMENTS, 3.0), "reported_ikm": 75.0}

    @property
    def report_path(self) -> str:
        return f"/v1/skm/summaries/{UNIT_B}/2026/sec-{self.tag}/report"

    stage_body = {"stage": "held", "minutes": "Notulen singkat."}
    signatories = json.dumps([{"name": "Kepala UPTD", "position": "Kepala"}])

    @property
    def promise_progress(self) -> dict:
        return {"status": "in_progress", "progress_pct": 10, "at": noon(self.held + timedelta(days=1))}

    @property
    def tracking_id(self) -> str:
        return f"SEC-{self.tag.upper()}"

    @property
    def complaint(self) -> dict:
        return {"unit_id": UNIT_B, "tracking_id": self.tracking_id, "channel": "web", "classification": "pengaduan",
                "category": "pelayanan", "subject": "Antrean terlalu lama", "description": "Dua jam menunggu.",
                "reporter": {"name": "Wati", "phone": "081300000002"}}

    def build(self) -> World:
        """Create B's data in every write service (each step must succeed)."""
        steps = [
            ("survey", "POST", "/v1/skm/responses", {"json": self.response}, 202),
            ("survey", "PUT", f"/v1/skm/settings/{UNIT_B}/2026", {"json": self.settings_body}, 200),
            ("survey", "POST", f"/v1/skm/rtl/{UNIT_B}/2026/items", {"json": self.rtl_item}, 201),
            ("survey", "POST", f"/v1/skm/publications/{UNIT_B}/2026", {"json": self.publication_body}, 201),
            ("survey", "POST", "/v1/skm/summaries", {"json": self.summary_body}, 201),
            ("survey", "PUT", self.report_path,
             {"files": {"file": ("laporan-skm.pdf", REPORT_PDF, "application/pdf")}}, 201),
            ("consultation", "POST", "/v1/fkp", {"json": self.forum}, 201),
            ("consultation", "POST", f"/v1/fkp/{self.fkp_id}/stage", {"json": self.stage_body}, 200),
            ("consultation", "POST", f"/v1/fkp/{self.fkp_id}/berita-acara",
             {"files": {"file": ("ba.pdf", PDF, "application/pdf")}, "data": {"signatories": self.signatories}}, 201),
            ("consultation", "POST", f"/v1/fkp/{self.fkp_id}/documents",
             {"files": {"file": ("bukti.png", PNG, "image/png")}}, 201),
            ("complaints", "POST", "/v1/complaints", {"json": self.complaint}, 201),
        ]
        for service, method, path, kw, status in steps:
            r = self.call(service, method, path, UNIT_B, **kw)
            assert r.status_code == status, (path, r.status_code, r.text[:400])
            if path == "/v1/complaints":
                self.reporter_token = r.json()["reporter_token"]
        import hashlib
        self.doc_sha = hashlib.sha256(PNG).hexdigest()
        return self

    def new_code(self) -> str:
        r = self.call("consultation", "POST", f"/v1/fkp/{self.fkp_id}/confirmation-code", UNIT_B)
        assert r.status_code == 201, r.text
        return r.json()["confirmation_code"]
