"""The line every dashboard page shows about how current its figures are (the pipeline's health,
services/aggregator/pipeline.py), in plain Indonesian."""
from __future__ import annotations

from datetime import datetime

from ..exports import fmt
from ..pipeline import health


def line() -> dict:
    """{"ok": bool, "text": str} for the page footer; never raises (a page must still render)."""
    try:
        h = health()
    except Exception:  # noqa: BLE001 - the store is down: the page itself will say so
        return {"ok": False, "text": "Status pemrosesan data tidak dapat dibaca saat ini."}
    last = max((datetime.fromisoformat(t) for t in h["last_record_at"].values()), default=None)
    seen = f"kiriman terakhir diproses {fmt.waktu(last)}" if last else "belum ada kiriman yang diproses"
    if h["ok"]:  # nothing new since the consumer started is "all processed", not "nothing yet"
        return {"ok": True, "text": f"Data mutakhir: {seen}." if last else
                "Data mutakhir: semua kiriman yang masuk sudah diproses."}
    behind = f" ({fmt.bulat(h['lag'])} kiriman menunggu)" if h.get("lag") else ""
    return {"ok": False, "text": f"Perhatian: pemrosesan data tertunda{behind}; angka di halaman ini mungkin "
                                 f"belum memuat kiriman terbaru ({seen})."}
