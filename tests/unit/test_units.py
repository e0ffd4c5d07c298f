"""Units registry parsing (YAML and CSV)."""
import pytest

from pantau.units import load_file, parse


def test_csv_import(tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("id,name,kind,level,parent,population\n"
                 "kaltim,Pemprov Kaltim,province,provinsi,,\n"
                 "dinkes,Dinas Kesehatan,opd,provinsi,kaltim,\n"
                 "rsud-aws,RSUD A.W. Sjahranie,upp,provinsi,dinkes,150000\n", encoding="utf-8")
    units = {u.id: u for u in load_file(f)}
    assert units["rsud-aws"].parent == "dinkes" and units["rsud-aws"].population == 150000
    assert units["kaltim"].parent is None


def test_problems_are_all_reported():
    with pytest.raises(ValueError) as exc:
        parse([{"id": "A b", "kind": "upp"}, {"id": "x1", "kind": "unit", "parent": "nowhere"},
               {"id": "x1", "kind": "opd"}])
    text = str(exc.value)
    for part in ("invalid id", "kind must be one of", "unknown parent nowhere", "duplicate id x1"):
        assert part in text
