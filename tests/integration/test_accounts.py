"""Staff accounts on the dashboard (issue 17), in-process against the real store: sign-in with a
username and password, the lock after repeated failures (the same answer for a known and an
unknown name), sessions that end when the account is disabled or its role changes, when idle and
when too old, the person's own password change, the admin's accounts page, key sign-in off unless
configured, and `pantau users` (password never on the command line)."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from card_scenario import install_registry
from click.testing import CliRunner

from pantau import accounts, audit, mongo
from pantau import sessions as dash_session  # the session rules (pantau/sessions.py)
from pantau_platform import cli
from services.aggregator.wsgi import app

pytestmark = pytest.mark.infra
PASSWORD = "Sungai-Mahakam-2026"


@pytest.fixture()
def client(monkeypatch, infra):
    install_registry(monkeypatch)  # unit "lab" (upp)
    monkeypatch.setattr(dash_session, "KEY_RECHECK_SECONDS", 0.0)  # no cache: changes are seen at once
    monkeypatch.delenv("PANTAU_DASHBOARD_KEY_SIGNIN", raising=False)  # the default
    app.config.update(TESTING=True)
    return app.test_client()


def person(role: str = "bureau_analyst", unit_id: str | None = None) -> accounts.Account:
    return accounts.create(f"t{uuid.uuid4().hex[:10]}", "Siti Rahmawati", role, PASSWORD, unit_id)


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def sign_in(client, username: str, password: str, next_: str | None = None):
    page = client.get("/masuk")
    url = "/masuk" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), "username": username,
                                  "password": password})


def sid(client) -> str:
    with client.session_transaction() as s:
        return s["_user_id"]


def test_a_person_signs_in_with_their_password_and_the_header_names_them(client):
    a = person()
    page = client.get("/masuk").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page and 'name="api_key"' not in page
    r = sign_in(client, a.username.upper(), PASSWORD)  # a username is not case-sensitive
    assert r.status_code == 302 and r.headers["Location"].endswith("/dasbor")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and PASSWORD not in cookie
    mine = client.get("/akun")
    assert mine.status_code == 200
    assert [e["action"] for e in mongo.db("registry")["audit"].find({"actor": f"user:{a.username}"})] == ["signin.ok"]
    html = mine.get_data(as_text=True)
    assert "Siti Rahmawati · Biro Organisasi" in html and "Analis Biro Organisasi" in html
    doc = mongo.db("registry")["sessions"].find_one({"_id": sid(client)})
    assert doc["account"] == a.username and doc["kind"] == "account"
    stored = accounts.accounts().find_one({"_id": a.username})
    assert stored["password_hash"].startswith("$argon2id$") and stored["last_sign_in"] is not None


def test_a_unit_operator_lands_on_its_unit_and_sees_no_other(client):
    a = person("unit_operator", "lab")
    r = sign_in(client, a.username, PASSWORD)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dasbor/unit/lab")
    province = client.get("/dasbor")
    assert province.status_code in (302, 403) and "/dasbor/unit/lab" in province.headers.get("Location", "/dasbor/unit/lab")
    assert client.get("/dasbor/unit/rs").status_code == 403  # another unit
    assert client.get("/admin/pengguna").status_code == 403


def _body(r) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', r.get_data(as_text=True))


def test_five_failures_lock_a_name_and_the_answer_never_tells_whether_it_exists(client):
    known = person()
    unknown = f"nobody{uuid.uuid4().hex[:8]}"
    answers = {}
    for name in (known.username, unknown):
        first = [sign_in(client, name, "Salah-sandi-2026") for _ in range(accounts.LOCK_AFTER)]
        assert [r.status_code for r in first] == [401] * (accounts.LOCK_AFTER - 1) + [429]
        answers[name] = (_body(first[0]), _body(first[-1]))
    assert answers[known.username] == answers[unknown]  # same page, word for word
    log = mongo.db("registry")["audit"]
    for name in (known.username, unknown):
        kinds = [e["action"] for e in log.find({"target": name}).sort("at", 1)]
        assert kinds == ["signin.failed"] * (accounts.LOCK_AFTER - 1) + ["signin.locked"], kinds
    locked = sign_in(client, known.username, PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.get_data(as_text=True)
    assert "_user_id" not in dict(client.session_transaction().__enter__())
    accounts.set_password(known.username, PASSWORD + "-baru")  # an admin's reset lifts the lock
    assert sign_in(client, known.username, PASSWORD + "-baru").status_code == 302


def test_the_lock_ends_after_its_time():
    a = accounts.create(f"t{uuid.uuid4().hex[:10]}", "Budi", "auditor", PASSWORD)
    t0 = datetime.now(timezone.utc)
    for i in range(accounts.LOCK_AFTER):
        assert accounts.authenticate(a.username, "salah", t0 + timedelta(seconds=i)).outcome in ("failed", "locked")
    assert accounts.authenticate(a.username, PASSWORD, t0 + timedelta(minutes=1)).outcome == "locked"
    assert accounts.authenticate(a.username, PASSWORD, t0 + accounts.LOCK_FOR + timedelta(minutes=1)).outcome == "ok"


def test_disabling_or_changing_the_role_ends_the_session(client):
    a = person()
    assert sign_in(client, a.username, PASSWORD).status_code == 302
    assert client.get("/akun").status_code == 200
    accounts.set_role(a.username, "auditor")
    assert client.get("/akun").status_code == 302  # to /masuk: sign in again with the new role
    assert sign_in(client, a.username, PASSWORD).status_code == 302
    accounts.set_active(a.username, False)
    r = client.get("/akun")
    assert r.status_code == 302 and "/masuk" in r.headers["Location"]
    assert sign_in(client, a.username, PASSWORD).status_code == 401  # and cannot sign in again


def test_a_session_ends_when_idle_and_when_too_old(client):
    a = person()
    sessions = mongo.db("registry")["sessions"]
    assert sign_in(client, a.username, PASSWORD).status_code == 302
    sessions.update_one({"_id": sid(client)}, {"$set": {"last_seen": datetime.now(timezone.utc) - timedelta(minutes=29)}})
    assert client.get("/akun").status_code == 200  # 29 minutes idle: still open, and seen again now
    assert sessions.find_one({"_id": sid(client)})["last_seen"] > datetime.now(timezone.utc) - timedelta(minutes=1)
    sessions.update_one({"_id": sid(client)}, {"$set": {"last_seen": datetime.now(timezone.utc) - timedelta(minutes=31)}})
    old = sid(client)
    assert client.get("/akun").status_code == 302
    assert sessions.find_one({"_id": old}) is None  # ended, not just refused
    assert sign_in(client, a.username, PASSWORD).status_code == 302
    sessions.update_one({"_id": sid(client)}, {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    assert client.get("/akun").status_code == 302  # the absolute limit, however active


def test_a_person_changes_their_own_password(client):
    a = person()
    assert sign_in(client, a.username, PASSWORD).status_code == 302

    def change(current, new, repeat=None):
        token = csrf(client.get("/akun").get_data(as_text=True))
        return client.post("/akun", data={"csrf_token": token, "current": current, "new": new,
                                          "repeat": new if repeat is None else repeat})
    assert "Kata sandi saat ini salah" in change("salah-sekali-2026", "Baru-dan-panjang-2026").get_data(as_text=True)
    assert change(PASSWORD, "Baru-dan-panjang-2026", "lain").status_code == 422
    weak = change(PASSWORD, "indonesia123")
    assert weak.status_code == 422 and "umum dipakai" in weak.get_data(as_text=True)
    ok = change(PASSWORD, "Baru-dan-panjang-2026")
    assert ok.status_code == 200 and "Kata sandi sudah diganti" in ok.get_data(as_text=True)
    assert accounts.authenticate(a.username, PASSWORD).outcome == "failed"
    assert accounts.authenticate(a.username, "Baru-dan-panjang-2026").outcome == "ok"
    entry = mongo.db("registry")["audit"].find_one({"action": "account.password_change", "target": a.username})
    assert entry and entry["actor"] == f"user:{a.username}"


def test_a_temporary_password_leads_to_the_password_page_until_it_is_changed(client):
    """A password someone else chose (make up's demo accounts, the admin page, `users add
    --temporary`): every dashboard page sends the person to /akun until they change it."""
    a = accounts.create(f"t{uuid.uuid4().hex[:10]}", "Budi Santoso", "bureau_analyst", PASSWORD, temporary=True)
    r = sign_in(client, a.username, PASSWORD)
    assert r.status_code == 302
    first = client.get(r.headers["Location"])
    assert first.status_code == 302 and first.headers["Location"].endswith("/akun")
    assert client.get("/dasbor/kepatuhan").headers["Location"].endswith("/akun")
    page = client.get("/akun")
    assert page.status_code == 200 and "kata sandi sementara" in page.get_data(as_text=True)
    token = csrf(page.get_data(as_text=True))
    ok = client.post("/akun", data={"csrf_token": token, "current": PASSWORD, "new": "Baru-dan-panjang-2026",
                                    "repeat": "Baru-dan-panjang-2026"})
    assert ok.status_code == 200 and "Kata sandi sudah diganti" in ok.get_data(as_text=True)
    assert client.get("/dasbor/kepatuhan").status_code == 200
    assert accounts.get(a.username).must_change is False
    # an admin's reset makes it temporary again
    accounts.set_password(a.username, "Dari-admin-baru-2026", temporary=True)
    assert client.get("/dasbor/kepatuhan").headers["Location"].endswith("/akun")


def test_the_admin_page_is_for_admins_and_its_changes_are_audited(client):
    analyst, admin = person(), person("bureau_admin")
    assert sign_in(client, analyst.username, PASSWORD).status_code == 302
    assert client.get("/admin/pengguna").status_code == 403
    client.post("/keluar", data={"csrf_token": csrf(client.get("/akun").get_data(as_text=True))})
    assert sign_in(client, admin.username, PASSWORD).status_code == 302
    page = client.get("/admin/pengguna")
    assert page.status_code == 200 and analyst.username in page.get_data(as_text=True)
    new = f"op{uuid.uuid4().hex[:8]}"
    token = csrf(page.get_data(as_text=True))
    r = client.post("/admin/pengguna", data={"csrf_token": token, "form": "add", "username": new,
                                             "display_name": "Operator Lab", "role": "unit_operator",
                                             "unit_id": "lab", "password": "pendek"})
    assert r.status_code == 422 and "minimal" in r.get_data(as_text=True) and accounts.get(new) is None
    r = client.post("/admin/pengguna", data={"csrf_token": token, "form": "add", "username": new,
                                             "display_name": "Operator Lab", "role": "unit_operator",
                                             "unit_id": "lab", "password": PASSWORD})
    assert r.status_code == 200 and accounts.get(new).unit_id == "lab" and accounts.get(new).must_change
    r = client.post("/admin/pengguna", data={"csrf_token": token, "username": new, "action": "disable"})
    assert r.status_code == 200 and accounts.get(new).active is False
    r = client.post("/admin/pengguna", data={"csrf_token": token, "username": admin.username, "action": "disable"})
    assert r.status_code == 422 and accounts.get(admin.username).active  # not oneself
    actions = {e["action"] for e in mongo.db("registry")["audit"].find({"target": new, "actor": f"user:{admin.username}"})}
    assert actions == {"account.create", "account.disable"}


def test_key_sign_in_only_when_configured(client, monkeypatch):
    from pantau import auth
    token = auth.issue("bureau", note="test key sign-in")
    page = client.get("/masuk").get_data(as_text=True)
    r = client.post("/masuk", data={"csrf_token": csrf(page), "api_key": token})
    assert r.status_code == 400 and "_user_id" not in dict(client.session_transaction().__enter__())
    monkeypatch.setenv("PANTAU_DASHBOARD_KEY_SIGNIN", "1")
    page = client.get("/masuk").get_data(as_text=True)
    assert 'name="api_key"' in page
    assert client.post("/masuk", data={"csrf_token": csrf(page), "api_key": token}).status_code == 302
    monkeypatch.delenv("PANTAU_DASHBOARD_KEY_SIGNIN")
    assert client.get("/dasbor").status_code == 302  # a key session ends once key sign-in is turned off


def test_users_cli_reads_the_password_from_stdin_and_lists_no_hash(infra, monkeypatch):
    install_registry(monkeypatch)
    name = f"cli{uuid.uuid4().hex[:8]}"
    runner = CliRunner()
    r = runner.invoke(cli.main, ["users", "add", name, "--name", "Rina", "--role", "evaluator", "--password-stdin"],
                      input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli.main, ["users", "add", name + "x", "--name", "Rina", "--role", "evaluator",
                                 "--password-stdin"], input="pendek\n")
    assert r.exit_code != 0 and "minimal" in r.output
    r = runner.invoke(cli.main, ["users", "add", name + "y", "--name", "R", "--role", "evaluator", "--password", "x"])
    assert r.exit_code != 0  # there is no --password option
    listed = runner.invoke(cli.main, ["users", "list"]).output
    assert name in listed and "argon2" not in listed and "password_hash" not in listed
    assert runner.invoke(cli.main, ["users", "disable", name]).exit_code == 0 and not accounts.get(name).active
    assert runner.invoke(cli.main, ["users", "set-role", name, "unit_operator", "--unit", "lab"]).exit_code == 0
    assert accounts.get(name).unit_id == "lab"
    r = runner.invoke(cli.main, ["users", "reset-password", name, "--password-stdin"], input="Lain-lagi-sandinya-1\n")
    assert r.exit_code == 0 and accounts.authenticate(name, "Lain-lagi-sandinya-1").outcome == "failed"  # disabled
    assert runner.invoke(cli.main, ["users", "enable", name]).exit_code == 0
    assert accounts.authenticate(name, "Lain-lagi-sandinya-1").outcome == "ok"


def test_sign_in_posts_are_limited_per_address(infra, monkeypatch):
    """On top of the per-username lock: many names tried from one address meet a 429."""
    from pantau.ratelimit import limit_sign_in
    from pantau.ratelimit_store import StoreStorage
    from pantau.web import create_app
    from services.aggregator.dashboard import blp
    install_registry(monkeypatch)
    monkeypatch.setenv("PANTAU_SIGNIN_RATE_LIMIT", "4/hour")
    monkeypatch.delenv("PANTAU_DASHBOARD_KEY_SIGNIN", raising=False)
    StoreStorage().reset()
    app2 = create_app("aggregator", [], title="sign-in limit")
    app2.register_blueprint(blp)
    limit_sign_in(app2)
    c = app2.test_client()
    codes = [sign_in(c, f"nama{i}{uuid.uuid4().hex[:4]}", "Salah-sandi-2026").status_code for i in range(6)]
    assert codes == [401] * 4 + [429] * 2, codes
    assert c.get("/masuk").status_code == 200  # the page itself is not limited


def test_the_audit_page_pages_fifty_entries_newest_first(client):
    admin = person("bureau_admin")
    assert sign_in(client, admin.username, PASSWORD).status_code == 302
    for n in range(120):  # the admin's own entries: the filter akun= keeps other tests' out
        audit.record(f"user:{admin.username}", "account.set_role", f"target-{n:03d}")
    pages = [client.get(f"/admin/audit?akun={admin.username}&halaman={p}") for p in (1, 2, 3, 4)]
    assert [p.status_code for p in pages] == [200] * 4
    html = [p.get_data(as_text=True) for p in pages]
    shown = [re.findall(r'data-label="Sasaran">(target-\d+)<', h) for h in html]
    assert [len(s) for s in shown] == [50, 50, 20, 0]
    number = [[int(s[-3:]) for s in page] for page in shown]
    assert min(number[0]) > max(number[2])  # newest first (entries of one millisecond tie)
    assert len(set(shown[0] + shown[1] + shown[2])) == 120
    assert "Entri 51–100" in html[1] and 'rel="next"' in html[1] and 'rel="prev"' in html[1]
    assert 'rel="next"' not in html[2] and "Tidak ada entri di halaman 4" in html[3]
    assert f"akun={admin.username}" in re.search(r'href="([^"]+)" rel="next"', html[0]).group(1)
    for bad in ("0", "x", "-1", "1.5", "٣", "99999"):
        assert client.get(f"/admin/audit?halaman={bad}").status_code == 400, bad
