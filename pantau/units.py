"""The units registry: province → perangkat daerah (OPD) → UPP, shared by every service.

The registry lives in its own database (`<prefix>_registry`), written only by
`pantau units import` and read by every service through a small in-process cache, so adding
a unit needs no restart. Import files are YAML (see deploy/registry/kaltim.yaml) or CSV with
the columns id,name,kind,level,parent[,population].
"""
from __future__ import annotations

import csv
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import mongo

KINDS = ("province", "opd", "upp", "kabkota")
LEVELS = ("provinsi", "kabupaten", "kota")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    level: str
    parent: str | None
    population: int | None = None
    service_types: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "level": self.level,
                "parent": self.parent, "population": self.population,
                "service_types": list(self.service_types)}


def parse(rows: list[dict]) -> list[Unit]:
    """Validate registry rows; raises ValueError listing every problem."""
    problems: list[str] = []
    units: list[Unit] = []
    seen: set[str] = set()
    for i, r in enumerate(rows):
        uid = str(r.get("id") or "").strip()
        if not ID_RE.match(uid):
            problems.append(f"row {i + 1}: invalid id {uid!r}")
            continue
        if uid in seen:
            problems.append(f"row {i + 1}: duplicate id {uid}")
        seen.add(uid)
        kind, level = r.get("kind"), r.get("level") or "provinsi"
        if kind not in KINDS:
            problems.append(f"{uid}: kind must be one of {KINDS}")
        if level not in LEVELS:
            problems.append(f"{uid}: level must be one of {LEVELS}")
        pop = r.get("population")
        try:
            pop = int(pop) if pop not in (None, "") else None
        except ValueError:
            problems.append(f"{uid}: population must be an integer")
            pop = None
        st = r.get("service_types") or ()
        if isinstance(st, str):
            st = [s.strip() for s in st.split(";") if s.strip()]
        units.append(Unit(uid, str(r.get("name") or uid), kind or "", level, r.get("parent") or None, pop,
                          tuple(st)))
    ids = {u.id for u in units}
    for u in units:
        if u.parent and u.parent not in ids:
            problems.append(f"{u.id}: unknown parent {u.parent}")
    if problems:
        raise ValueError("; ".join(problems))
    return units


def load_file(path: str | Path) -> list[Unit]:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return parse(list(csv.DictReader(fh)))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse(doc["units"] if isinstance(doc, dict) else doc)


def collection():
    return mongo.db("registry")["units"]


def import_units(units: list[Unit]) -> int:
    from pymongo import ReplaceOne
    ops = [ReplaceOne({"_id": u.id}, {"_id": u.id, **u.to_dict()}, upsert=True) for u in units]
    collection().bulk_write(ops)
    Registry.instance().invalidate()
    return len(ops)


class Registry:
    """Read-through cache of the registry (refreshed every `ttl` seconds or on a miss)."""

    _instance: Registry | None = None

    def __init__(self, ttl: float = 30.0):
        self.ttl = ttl
        self._units: dict[str, Unit] = {}
        self._loaded = 0.0
        self._lock = threading.Lock()

    @classmethod
    def instance(cls) -> Registry:
        if cls._instance is None:
            cls._instance = Registry()
        return cls._instance

    def invalidate(self) -> None:
        self._loaded = 0.0

    def _refresh(self) -> None:
        units = {}
        for d in collection().find({}):
            units[d["_id"]] = Unit(d["_id"], d["name"], d["kind"], d["level"], d.get("parent"),
                                   d.get("population"), tuple(d.get("service_types") or ()))
        self._units = units
        self._loaded = time.monotonic()

    def _ensure(self, force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if force or now - self._loaded > self.ttl:
                self._refresh()

    def get(self, unit_id: str) -> Unit | None:
        self._ensure()
        u = self._units.get(unit_id)
        if u is None and time.monotonic() - self._loaded > 1.0:
            self._ensure(force=True)  # a unit imported since the last refresh
            u = self._units.get(unit_id)
        return u

    def all(self) -> list[Unit]:
        self._ensure()
        return sorted(self._units.values(), key=lambda u: u.id)

    def opd_of(self, unit_id: str) -> str | None:
        """The perangkat daerah a unit belongs to (the unit itself for an OPD)."""
        u = self.get(unit_id)
        while u is not None and u.kind not in ("opd", "province"):
            u = self._units.get(u.parent) if u.parent else None
        return u.id if u is not None and u.kind == "opd" else None

    def upps(self) -> list[Unit]:
        return [u for u in self.all() if u.kind == "upp"]


# the tier a holder answers for in SP4N-LAPOR! (whose clock a deadline is charged to): a unit's
# kind, the province as the instansi; a holder the registry does not know is "unit"
TIER_OF_KIND = {"upp": "upp", "opd": "opd", "kabkota": "kabkota", "province": "instansi"}


def tier_of(unit_id: str | None) -> str:
    u = Registry.instance().get(unit_id) if unit_id else None
    return TIER_OF_KIND.get(u.kind, "unit") if u else "unit"
