"""Empty states say why there is nothing and what would fill it (issue 14)."""
from services.aggregator.dashboard.labels import EMPTY_BY_TITLE, empty_text
from services.aggregator.dashboard.model import Chart, bar
from services.aggregator.exports.tables import Column, Table


def test_a_chart_of_nothing_but_none_or_zero_has_no_data():
    assert not bar("c", "Tren", ["2025", "2026"], [None, None], "IKM").has_data()
    assert not bar("c", "Status", ["a", "b"], [0, 0], "Pengaduan").has_data()
    assert bar("c", "Tren", ["2025", "2026"], [None, 71.5], "IKM").has_data()
    assert not Chart("c", "Kosong", "line", [], []).has_data()


def test_an_empty_table_explains_itself_by_its_kind():
    cols = [Column("name", "Unit")]
    assert "RTL" in empty_text(Table("rtl", "Rencana tindak lanjut (RTL)", cols))
    assert "SP4N-LAPOR!" in empty_text(Table("per-opd", "Pengaduan per perangkat daerah", cols))
    assert "terlampaui" in empty_text(Table("x", "Pengaduan: tenggat paling banyak terlampaui", cols))
    assert "FKP" in empty_text(Table("per-opd", "FKP per perangkat daerah", cols))
    assert empty_text(Table("t", "Apa saja", cols, empty="Teks sendiri.")) == "Teks sendiri."
    # nothing falls back to the old "Tidak ada baris."
    assert "Tidak ada baris" not in empty_text(Table("t", "Judul lain", cols))
    assert all(text.endswith(".") and len(text) > 20 for _, text in EMPTY_BY_TITLE)
