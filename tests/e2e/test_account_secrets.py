"""No password, password hash or session secret leaves its place (issue 17): after a person signs
in, looks at a page, fails a sign-in and signs out on the live platform, none of their password,
its argon2 hash, the session id or the session cookie appears in any log file, any metrics page,
any event topic or the audit log."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from kafka import KafkaConsumer, TopicPartition

from pantau import accounts, mongo
from pantau.config import settings
from pantau_platform.infra import procs

pytestmark = pytest.mark.e2e


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _topics_text() -> str:
    s = settings()
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, enable_auto_commit=False, consumer_timeout_ms=3000)
    parts = [TopicPartition(t, p) for t in s.all_topics() for p in (c.partitions_for_topic(t) or ())]
    c.assign(parts)
    c.seek_to_beginning(*parts)
    out = [r.value.decode("utf-8", "replace") + repr(r.headers) for r in c]
    c.close()
    return "\n".join(out)


def test_passwords_hashes_and_session_secrets_appear_nowhere(platform):
    marker = uuid.uuid4().hex[:10]
    password, wrong = f"Rahasia-{marker}-Mahakam", f"Keliru-{marker}-Sungai"
    a = accounts.create(f"priv{marker}", "Lina Marlina", "bureau_analyst", password)
    stored_hash = accounts.accounts().find_one({"_id": a.username})["password_hash"]
    web = requests.Session()
    url = lambda p: platform.url("aggregator", p)  # noqa: E731
    page = web.get(url("/masuk"))
    assert web.post(url("/masuk"), data={"csrf_token": _csrf(page.text), "username": a.username,
                                         "password": wrong}).status_code == 401
    r = web.post(url("/masuk"), data={"csrf_token": _csrf(page.text), "username": a.username, "password": password})
    assert r.status_code == 200 and "/masuk" not in r.url
    cookie = web.cookies.get("pantau_sesi")
    sid = mongo.db("registry")["sessions"].find_one({"account": a.username})["_id"]
    assert web.get(url("/akun")).status_code == 200
    web.post(url("/keluar"), data={"csrf_token": _csrf(web.get(url("/akun")).text)})
    secrets = [password, wrong, stored_hash, stored_hash.rsplit("$", 1)[-1], sid, cookie]

    def absent(text: str, where: str) -> None:
        for s in secrets:
            assert s not in text, f"a secret ({s[:6]}…) leaked into {where}"

    workers = ("aggregator", "survey", "consultation", "complaints", "relay-survey", "relay-consultation",
               "relay-complaints", "consumer")
    logs = [p for p in sorted((procs.run_dir(platform.profile.name) / "logs").glob("*.log")) if p.stem in workers]
    assert {p.stem for p in logs} == set(workers)
    for p in logs:
        absent(p.read_text(encoding="utf-8", errors="replace"), f"log {p.name}")
    for service in ("aggregator", "survey", "consultation", "complaints"):
        absent(requests.get(platform.url(service, "/metrics"), timeout=10).text, f"{service} /metrics")
    absent(_topics_text(), "the event topics")
    log = requests.get(url("/v1/audit"), params={"account": a.username}, headers=platform.headers(platform.bureau))
    assert [e["action"] for e in log.json()["entries"]] == ["signout", "signin.ok", "signin.failed"]
    absent(log.text, "the audit log")
