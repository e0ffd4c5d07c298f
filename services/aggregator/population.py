"""The population N of a unit's SKM period and the sample it requires, decided here for every
report, dashboard card, export and metric.

`population` is the rule: the unit's survey settings for that period when they give one, else the
registry's yearly figure scaled to the period's months. Every caller judges its respondents with
`sample_adequacy(population(...), respondents)` (pantau/rules/sample.py: the required sample is
`required_sample` of that N). The readers below only fetch the settings the rule is given, as
recorded by `as_of` (None: now).
"""
from __future__ import annotations

from datetime import datetime

from pantau.rules.periods import Period
from pantau.units import Registry

from .followup_at import settings_at

SETTINGS = "skm_settings"  # `_id` "<unit>:<period>", the population a unit recorded for a period


def population(unit_id: str, period: Period, settings_doc: dict | None, estimate: bool = True) -> int | None:
    """Service users (N) in the period: the settings' figure when they give one, else (unless
    `estimate` is False) the registry's yearly figure scaled to the period; None when unknown."""
    if settings_doc and settings_doc.get("population"):
        return int(settings_doc["population"])
    unit = Registry.instance().get(unit_id) if estimate else None
    if unit is None or not unit.population:
        return None
    return max(1, round(unit.population * len(period.months) / 12))


def settings_doc(db, unit_id: str, period: Period, as_of: datetime | None = None) -> dict | None:
    """The unit's settings for the period as recorded by `as_of` (one read by `_id`)."""
    return settings_at(db[SETTINGS].find_one({"_id": f"{unit_id}:{period}"}), as_of)


def settings_docs(db, unit_ids: list[str], period: Period, as_of: datetime | None = None) -> dict[str, dict | None]:
    """`settings_doc` of each unit in one read of the (small) settings collection."""
    docs = db[SETTINGS].find({"period": str(period)},
                             projection={"unit_id": 1, "population": 1, "updated_at": 1, "history": 1})
    then = {d["unit_id"]: d for d in (settings_at(x, as_of) for x in docs) if d is not None}
    return {uid: then.get(uid) for uid in unit_ids}


def population_for(db, unit_id: str, period: Period, as_of: datetime | None = None) -> int | None:
    return population(unit_id, period, settings_doc(db, unit_id, period, as_of))


def populations(db, unit_ids: list[str], period: Period, as_of: datetime | None = None) -> dict[str, int | None]:
    return {uid: population(uid, period, doc) for uid, doc in settings_docs(db, unit_ids, period, as_of).items()}
