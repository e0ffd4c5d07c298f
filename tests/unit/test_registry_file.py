"""Structural checks of the demo unit registry deploy/registry/kaltim.yaml."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

REGISTRY = Path(__file__).resolve().parents[2] / "deploy" / "registry" / "kaltim.yaml"
# [a-z0-9-]{2,40}, additionally no leading/trailing hyphen
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])")
KINDS = {"province", "opd", "upp"}
LEVELS = {"provinsi"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    with REGISTRY.open(encoding="utf-8") as fh:
        loaded = yaml.safe_load(fh)
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def units(doc: dict[str, Any]) -> list[dict[str, Any]]:
    assert isinstance(doc["units"], list)
    return doc["units"]


def test_province_key(doc: dict[str, Any]) -> None:
    assert doc["province"] == "kaltim"


def test_ids_unique_and_slugs(units: list[dict[str, Any]]) -> None:
    ids = [u["id"] for u in units]
    duplicates = [i for i, c in Counter(ids).items() if c > 1]
    assert duplicates == []
    bad = [i for i in ids if not (isinstance(i, str) and SLUG.fullmatch(i))]
    assert bad == []


def test_required_fields_and_vocabularies(units: list[dict[str, Any]]) -> None:
    for u in units:
        assert isinstance(u.get("name"), str) and u["name"].strip(), u
        assert u["kind"] in KINDS, u
        assert u["level"] in LEVELS, u
        assert "parent" in u, u


def test_exactly_one_province_as_root(doc: dict[str, Any], units: list[dict[str, Any]]) -> None:
    provinces = [u for u in units if u["kind"] == "province"]
    assert len(provinces) == 1
    assert provinces[0]["id"] == doc["province"]
    assert provinces[0]["parent"] is None
    assert [u["id"] for u in units if u["parent"] is None] == [doc["province"]]


def test_parents_exist_and_hierarchy(units: list[dict[str, Any]]) -> None:
    by_id = {u["id"]: u for u in units}
    for u in units:
        if u["kind"] == "province":
            continue
        assert u["parent"] in by_id, f"{u['id']}: unknown parent {u['parent']}"
        parent_kind = by_id[u["parent"]]["kind"]
        if u["kind"] == "upp":
            assert parent_kind == "opd", u["id"]
        elif u["kind"] == "opd":
            assert parent_kind == "province", u["id"]


def test_upp_population_and_service_types(units: list[dict[str, Any]]) -> None:
    for u in units:
        if u["kind"] != "upp":
            continue
        population = u.get("population")
        assert isinstance(population, int) and not isinstance(population, bool), u["id"]
        assert population > 0, u["id"]
        types = u.get("service_types")
        assert isinstance(types, list) and 1 <= len(types) <= 3, u["id"]
        assert all(isinstance(t, str) and t.strip() for t in types), u["id"]
        assert len(set(types)) == len(types), u["id"]


def test_enough_units(units: list[dict[str, Any]]) -> None:
    kinds = Counter(u["kind"] for u in units)
    assert kinds["opd"] >= 30
    assert kinds["upp"] >= 60


def test_names_unique(units: list[dict[str, Any]]) -> None:
    names = [u["name"] for u in units]
    assert [n for n, c in Counter(names).items() if c > 1] == []
