"""The page of one complaint (`/dasbor/pengaduan/kasus/<tracking id>`), where a work-list row
leads: where it is and since when, its status history, the units it passed through, and every
deadline with who used the clock and what is charged to whom. From the aggregator's projection
only, which holds no reporter identity and no content (that stays in the complaints service)."""

from __future__ import annotations

from datetime import datetime

from pantau.rules import lapor
from pantau.units import Registry

from ..exports import fmt
from ..exports.tables import Table
from .labels import ACTION_LABELS, HOP_LABELS, KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS, TIER_LABELS
from .model import Page, Section, Tile, cols, table_section


def case_state(doc: dict, as_of: datetime, cal, province_id: str) -> tuple[lapor.ComplaintState, list[dict]] | None:
    """The complaint and its judged deadlines at `as_of` (None if not received by then)."""
    from pantau.units import tier_of
    st = lapor.state_at(doc["log"], as_of, cal)
    if st is None:
        return None
    return st, lapor.deadlines(st, as_of, cal, tier_of, province_id)


def _name(unit_id: str | None) -> str:
    u = Registry.instance().get(unit_id) if unit_id else None
    return u.name if u else (unit_id or fmt.NONE)


def case_page(st: lapor.ComplaintState, deadlines: list[dict], as_of: datetime) -> Page:
    overdue = [d for d in deadlines if d["overdue"] and d["kind"] in lapor.GOVERNMENT_KINDS]
    tiles = [
        Tile("Status", STATUS_LABELS.get(st.status, st.status), "status",
             note=lapor.LAPOR_LABELS.get(st.status, "")),
        Tile("Dipegang oleh", _name(st.holder_unit_id), "holder"),
        Tile("Diterima", fmt.tanggal(st.received_at), "received_at", note=f"saluran {st.channel}"),
        Tile("Sedang lewat tenggat", fmt.bulat(len(overdue)), "overdue", tone="warn" if overdue else None,
             note=(f"paling lama {fmt.bulat(max(d['working_days_late'] for d in overdue))} hari kerja"
                   if overdue else "tidak ada")),
    ]
    history = [{"n": i + 1, "at": t["at"], "action": ACTION_LABELS.get(t["action"], t["action"]),
                "status": STATUS_LABELS.get(t["status"], t["status"]), "holder": _name(t.get("holder"))}
               for i, t in enumerate(st.transitions)]
    hops = [{"n": i + 1, "at": h["at"], "via": HOP_LABELS.get(h["via"], h["via"]), "from": _name(h["from"]),
             "to": _name(h["to"]) if h["to"] else (st.to_instansi or "instansi lain")}
            for i, h in enumerate(st.hops)]
    clocks = [{"key": f"{d['kind']}:{d['round']}",
               "kind": KIND_LABELS.get(d["kind"], d["kind"]) + (f" (ke-{d['round']})" if d["round"] > 1 else ""),
               "start": d["start"], "due": d["due_date"], "stopped": d["stopped_at"],
               "stopped_by": ACTION_LABELS.get(d["stopped_by"] or "", d["stopped_by"] or ""),
               "outcome": OUTCOME_LABELS.get(d["outcome"], d["outcome"]), "late": d["working_days_late"],
               "tier": TIER_LABELS.get(d["tier"], d["tier"]), "charged": _name(d["charged_to"]) if d["charged_to"] else ""}
              for d in deadlines]
    secs = [
        Section("Ringkasan", tiles=tiles, id="ringkasan"),
        table_section("Tenggat", Table("tenggat", "Tenggat dan siapa memakai waktunya", cols(
            ("kind", "Tenggat"), ("start", "Mulai", "datetime"), ("due", "Jatuh tempo", "date"),
            ("stopped", "Berhenti", "datetime"), ("stopped_by", "Dihentikan oleh"), ("outcome", "Hasil"),
            ("late", "Lewat (hari kerja)", "int"), ("tier", "Tingkat"), ("charged", "Dibebankan kepada")),
            clocks, row_key="key", empty="Belum ada tenggat yang berjalan.", cards=True)),
        table_section("Riwayat status", Table("riwayat", "Riwayat status", cols(
            ("n", "No.", "int"), ("at", "Waktu", "datetime"), ("action", "Tindakan"), ("status", "Status sesudahnya"),
            ("holder", "Pemegang")), history, row_key="n")),
        table_section("Perpindahan", Table("perpindahan", "Unit yang memegang pengaduan ini", cols(
            ("n", "No.", "int"), ("at", "Waktu", "datetime"), ("via", "Cara"), ("from", "Dari"), ("to", "Kepada")),
            hops, row_key="n")),
    ]
    category = (st.category or "tanpa kategori").replace("_", " ")
    subtitle = f"{st.classification.capitalize()} · kategori {category}"
    holder = st.holder_unit_id
    links = [("Pengaduan unit pemegang", f"/dasbor/unit/{holder}/pengaduan")] if holder else []
    return Page(f"Pengaduan {st.complaint_id}", subtitle, secs, as_of.isoformat(), links=links)
