"""Helpers shared by the browser tests (constants of the demo set, login, screenshots)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pantau_platform.infra.procs import ROOT

CHROMIUM = os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TZ = ZoneInfo("Asia/Makassar")
Y = datetime.now(TZ).year - 1
MAIN, SMALL, OTHER = "sman-1-samarinda", "sman-10-samarinda", "uptd-prasarana-hub-samarinda"
MAIN_OPD, OTHER_OPD = "disdikbud", "dishub"


def login(page, base: str, token: str) -> None:
    """Sign in with an API key (the test profiles enable key sign-in; people use accounts)."""
    page.goto(base + "/masuk")
    page.click("details.key-signin summary")
    page.fill("#api_key", token)
    page.click("details.key-signin button[type=submit]")
    page.wait_for_load_state("networkidle")


def login_account(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form button[type=submit] >> nth=0")
    page.wait_for_load_state("networkidle")


def today_local() -> date:
    return datetime.now(TZ).date()


def end_of_today() -> str:
    d = today_local()
    return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=TZ).isoformat()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_page(platform, new_context, width: int):
    """A fresh browser context's page at `width` px, the aggregator's base URL, and the list the
    page's console errors are collected in: `url, ctx, page, errors = open_page(...)`."""
    url = f"http://127.0.0.1:{platform.profile.http_ports['aggregator']}"
    ctx = new_context()
    page = ctx.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return url, ctx, page, errors
