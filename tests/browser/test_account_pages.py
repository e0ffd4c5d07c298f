"""People sign in as themselves (issue 17), in Chromium at 1366 px and 390 px against the running
platform: the sign-in form, the header naming the person and their unit, the own-account page, the
admin's accounts page; no horizontal overflow on a phone and no console error once signed in.
Screenshots go to test-artifacts/screenshots/ (akun-*)."""
from __future__ import annotations

import uuid

import pytest
from dashboard_helpers import MAIN, login_account, open_page, shot

from pantau import accounts
from pantau.units import Registry

pytestmark = pytest.mark.e2e
PASSWORD = "Tepian-Mahakam-2026"


@pytest.fixture(scope="module")
def people(platform):
    tag = uuid.uuid4().hex[:6]
    return {"admin": accounts.create(f"admin{tag}", "Dewi Lestari", "bureau_admin", PASSWORD),
            "operator": accounts.create(f"op{tag}", "Rudi Hartono", "unit_operator", PASSWORD, MAIN)}


@pytest.mark.parametrize("width", [1366, 390])
def test_sign_in_as_a_person_at_laptop_and_phone_width(platform, new_context, people, width):
    url, ctx, page, errors = open_page(platform, new_context, width)
    page.goto(url + "/masuk")
    assert page.locator("#username").is_visible() and page.locator("#password").is_visible()
    shot(page, f"akun-masuk-{width}")

    login_account(page, url, people["operator"].username, PASSWORD)
    assert page.url.endswith(f"/dasbor/unit/{MAIN}")
    who = page.locator("header .who a.role").inner_text()
    assert who == f"Rudi Hartono · {Registry.instance().get(MAIN).name}"  # a name, not the unit's code
    assert page.locator("header .who", has_text="Pengguna").count() == 0  # no admin link for an operator
    page.goto(url + "/akun")
    assert "Operator unit" in page.locator("dl.facts").inner_text()
    shot(page, f"akun-saya-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click("header form button[type=submit]")  # Keluar
    page.wait_for_url("**/masuk")

    login_account(page, url, people["admin"].username, PASSWORD)
    assert page.url.endswith("/dasbor")
    page.click("header .who >> text=Pengguna")
    page.wait_for_url("**/admin/pengguna")
    row = page.locator(f'tr[data-account="{people["operator"].username}"]')
    assert "Rudi Hartono" in row.inner_text() and "Aktif" in row.inner_text()
    shot(page, f"akun-pengguna-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == [], errors
