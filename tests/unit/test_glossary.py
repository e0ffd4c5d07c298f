"""The glossary in docs/dashboard.md is the one generated from services/aggregator/figures.py,
and no two figures share a name."""
from __future__ import annotations

from pathlib import Path

from services.aggregator.figures import FIGURES, glossary_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def test_docs_carry_the_generated_glossary():
    text = DOC.read_text(encoding="utf-8")
    assert text.endswith(glossary_markdown()), "run: python -m services.aggregator.figures and paste it into docs/dashboard.md"


def test_every_figure_has_its_own_name_and_a_definition():
    labels = [f.label for f in FIGURES.values()]
    assert len(labels) == len(set(labels))
    assert all(len(f.definition) > 20 for f in FIGURES.values())
