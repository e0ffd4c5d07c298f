"""CloudEvents envelope and event contracts: every example payload is a test case."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import pantau.events  # noqa: F401  (registers the schemas)
from pantau.envelope import PoisonEvent, decode, new_event, registered_types

EXAMPLES = Path(pantau.events.__file__).parent / "examples"
PERSONAL = ("reporter", "name", "phone", "email", "nik", "address", "suggestion", "participants")


def test_every_registered_type_has_an_example():
    assert {t for t, _ in registered_types()} == {p.stem for p in EXAMPLES.glob("*.json")}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_example_decodes_and_carries_no_personal_data(path):
    raw = path.read_bytes()
    event = decode(raw)
    assert event.type == path.stem and event.seq >= 1
    keys = json.dumps(json.loads(raw)["data"])
    for word in PERSONAL:
        assert f'"{word}"' not in keys, f"{path.name} carries {word}"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.mark.parametrize("mutate, reason", [
    (lambda d: b"{not json", "undecodable"),
    (lambda d: b"[1, 2]", "undecodable"),
    (lambda d: json.dumps({**d, "specversion": "0.3"}).encode(), "invalid_envelope"),
    (lambda d: json.dumps({**d, "time": "2026-03-10T09:30:00"}).encode(), "invalid_envelope"),
    (lambda d: json.dumps({**d, "type": "skm.unheard_of"}).encode(), "unknown_type"),
    (lambda d: json.dumps({**d, "dataversion": 99}).encode(), "unknown_version"),
    (lambda d: json.dumps({**d, "data": {**d["data"], "answers": {"waktu": 9}}}).encode(), "invalid_data"),
])
def test_poison_is_classified(mutate, reason):
    with pytest.raises(PoisonEvent) as exc:
        decode(mutate(_example("skm.response_recorded")))
    assert exc.value.reason == reason


def test_decode_none_is_poison():
    with pytest.raises(PoisonEvent):
        decode(None)


def test_new_event_round_trips_and_rejects_invalid_data():
    d = _example("complaint.received")["data"]
    e = new_event(source="pantau/complaints", type="complaint.received", subject="complaint:X", seq=1, data=d)
    back = decode(e.to_bytes())
    assert (back.id, back.subject, back.seq, back.data) == (e.id, "complaint:X", 1, d)
    with pytest.raises(ValueError):
        new_event(source="s", type="complaint.received", subject="x", seq=1, data={"unit_id": "a"})
    with pytest.raises(KeyError):
        new_event(source="s", type="nope", subject="x", seq=1, data={})
