"""scripts/convert_messages.py: bilingual ProblemError call sites become one catalog message."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("convert_messages", ROOT / "scripts" / "convert_messages.py")
assert spec and spec.loader
convert_messages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert_messages)

SOURCE = '''from pantau.problems import ProblemError


def f(p, name, exc):
    if p:
        raise ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.")
    if name:
        raise ProblemError(403, f"Kunci ini hanya berlaku untuk unit {p.unit_id}.",
                           detail_en=f"This key is scoped to unit {p.unit_id}.", errors=[])
    raise ProblemError(503, f"Gagal dalam {exc.seconds:g} detik ({name!r}).",
                       detail_en=f"Failed within {exc.seconds:g} s ({name!r}).")


def g(detail, detail_en):
    raise ProblemError(422, detail, detail_en=detail_en)
'''


def test_call_sites_become_one_message_with_parameters(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(SOURCE)
    entries: dict[str, str] = {}
    report: list[str] = []
    out = convert_messages.convert(path, {"ProblemError": ("1", "detail_en")}, entries, report)
    assert 'raise ProblemError(404, msg("Unit not found."))' in out
    assert 'msg("This key is scoped to unit %(unit_id)s.", unit_id=p.unit_id), errors=[])' in out
    assert 'msg("Failed within %(seconds)g s (%(name)r).", seconds=exc.seconds, name=name))' in out
    assert "from pantau.messages import msg\n" in out
    assert "detail_en=f" not in out and "detail_en=\"" not in out
    assert entries == {"Unit not found.": "Unit tidak ditemukan.",
                       "This key is scoped to unit %(unit_id)s.": "Kunci ini hanya berlaku untuk unit %(unit_id)s.",
                       "Failed within %(seconds)g s (%(name)r).": "Gagal dalam %(seconds)g detik (%(name)r)."}
    assert report == [f"{path}:15: not a literal: detail_en, left as it is"]
    compile(out, str(path), "exec")
