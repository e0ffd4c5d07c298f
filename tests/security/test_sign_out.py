"""Sign-out ends the dashboard session on the server: a copy of the cookie taken before
`POST /keluar` is sent to `/masuk` right after, by every worker, while another session of the
same key goes on."""
from __future__ import annotations

import pytest
import requests
from security_world import UNIT_B, csrf_of

pytestmark = pytest.mark.e2e

COOKIE = "pantau_sesi"


def test_a_cookie_copied_before_sign_out_is_refused_right_after(world):
    page = f"/dasbor/unit/{UNIT_B}"
    signed_in = world.session(UNIT_B)
    other = world.session(UNIT_B)  # a second sign-in with the same key
    copied = signed_in.cookies.get(COOKIE)
    assert copied

    def with_copy() -> requests.Response:
        return requests.get(world.url("aggregator", page), cookies={COOKIE: copied}, timeout=60, allow_redirects=False)

    assert [with_copy().status_code for _ in range(4)] == [200] * 4  # the copy works while signed in
    form = signed_in.get(world.url("aggregator", page), timeout=60)
    out = signed_in.post(world.url("aggregator", "/keluar"), data={"csrf_token": csrf_of(form.text)}, timeout=60,
                         allow_redirects=False)
    assert out.status_code == 302 and out.headers["Location"].endswith("/masuk")
    # right after, in every worker (gunicorn spreads the connections over both)
    answers = [with_copy() for _ in range(8)]
    assert [r.status_code for r in answers] == [302] * 8, [r.status_code for r in answers]
    assert all("/masuk" in r.headers["Location"] for r in answers)
    # exports and PDFs too
    for path in (f"{page}?format=xlsx", f"/dasbor/unit/{UNIT_B}/laporan-skm.pdf?periode=2026"):
        r = requests.get(world.url("aggregator", path), cookies={COOKIE: copied}, timeout=60, allow_redirects=False)
        assert r.status_code == 302 and "/masuk" in r.headers["Location"], (path, r.status_code)
    # the other session of the same key was not ended
    assert other.get(world.url("aggregator", page), timeout=60, allow_redirects=False).status_code == 200


def test_the_session_cookie_is_http_only_and_same_site_lax(world):
    s = requests.Session()
    page = s.get(world.url("aggregator", "/masuk"), timeout=60)
    r = s.post(world.url("aggregator", "/masuk"), timeout=60, allow_redirects=False,
               data={"csrf_token": csrf_of(page.text), "api_key": world.platform.key(UNIT_B)})
    assert r.status_code == 302
    set_cookie = r.headers["Set-Cookie"]
    assert set_cookie.startswith(COOKIE + "=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    # without its CSRF token, sign-out is refused and the session goes on
    assert s.post(world.url("aggregator", "/keluar"), timeout=60, allow_redirects=False).status_code == 400
    assert s.get(world.url("aggregator", f"/dasbor/unit/{UNIT_B}"), timeout=60, allow_redirects=False).status_code == 200
