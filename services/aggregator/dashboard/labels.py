"""Labels (Bahasa Indonesia) and colours the dashboard pages share."""

from __future__ import annotations

PALETTE = ["#1f5f8b", "#e07b39", "#3a8d5c", "#b8433a", "#7a5aa6", "#8c6d31", "#3c9bb0", "#c45a9b", "#6b7b8c"]
MUTU_COLORS = {
    "A": "#2e7d32",
    "B": "#1f5f8b",
    "C": "#e0a030",
    "D": "#b8433a",
    "sampel_kurang": "#9e9e9e",
    "tanpa_data": "#d0d0d0",
}
MUTU_LABELS = {
    "A": "A (Sangat Baik)",
    "B": "B (Baik)",
    "C": "C (Kurang Baik)",
    "D": "D (Tidak Baik)",
    "sampel_kurang": "Sampel kurang",
    "tanpa_data": "Tanpa data",
}
STATE_COLORS = {"met": "#2e7d32", "not_met": "#b8433a", "no_data": "#bdbdbd"}
PROMISE_LABELS = {
    "planned": "Direncanakan",
    "in_progress": "Berjalan",
    "fulfilled": "Terpenuhi",
    "disputed": "Disanggah",
    "dropped": "Dibatalkan",
}
STATUS_LABELS = {
    "RECEIVED": "Diterima (belum diverifikasi)",
    "PENDING_INFO": "Tertunda (menunggu pelapor)",
    "DISPOSED": "Terdisposisi",
    "IN_PROGRESS": "Sedang diproses",
    "ANSWERED": "Dijawab",
    "REOPENED": "Dibuka kembali",
    "CLOSED_RESOLVED": "Selesai",
    "ARCHIVED": "Diarsipkan",
    "FORWARDED_OUT": "Diteruskan ke instansi lain",
}
FUNNEL = ("RECEIVED", "DISPOSED", "IN_PROGRESS", "ANSWERED", "CLOSED_RESOLVED")
KIND_LABELS = {
    "verification": "Verifikasi (3 hari kerja)",
    "first_follow_up": "Tindak lanjut pertama (5 hari kerja)",
    "resolution": "Penyelesaian (60 hari)",
}
ACTION_LABELS = {
    "receive": "Diterima", "verify": "Diverifikasi dan didisposisikan", "pend": "Ditunda (menunggu pelapor)",
    "complete_info": "Pelapor melengkapi informasi", "archive": "Diarsipkan", "forward": "Diteruskan",
    "forward_out": "Diteruskan ke instansi lain", "follow_up": "Tindak lanjut", "resolve": "Dijawab (selesai)",
    "rate": "Dinilai pelapor", "reopen": "Dibuka kembali", "accept": "Diterima pelapor",
    "auto_close": "Ditutup otomatis (batas tanggapan lewat)", "auto_archive": "Diarsipkan otomatis",
}
HOP_LABELS = {"filed": "Diajukan ke", "disposed": "Didisposisikan ke", "forwarded": "Diteruskan ke",
              "forwarded_out": "Diteruskan keluar"}
OUTCOME_LABELS = {"met": "Terpenuhi", "breached": "Terlampaui", "open": "Berjalan", "cancelled": "Dibatalkan",
                  "used": "Dipakai pelapor", "expired": "Habis"}
TIER_LABELS = {
    "instansi": "Admin instansi (provinsi)",
    "opd": "Perangkat daerah",
    "upp": "Unit pelayanan",
    "kabkota": "Kabupaten/kota",
    "unit": "Unit lain",
}
ELEMENT_NAMES = {
    "pengguna_layanan": "Pengguna layanan",
    "akademisi": "Ahli/praktisi/akademisi",
    "instansi_terkait": "Instansi terkait",
    "organisasi_masyarakat": "Organisasi masyarakat sipil",
    "media": "Media massa",
}
RTL_LABELS = {"planned": "Direncanakan", "in_progress": "Berjalan", "done": "Selesai", "cancelled": "Dibatalkan"}
UNAVAILABLE = "Data belum tersedia."
TOPIC_LABELS = {"standar_pelayanan": "Standar pelayanan", "tindak_lanjut_skm": "Tindak lanjut SKM",
                "maklumat_pelayanan": "Maklumat pelayanan", "lainnya": "Lainnya"}
STAGE_LABELS = {"planned": "Direncanakan", "held": "Terlaksana", "closed": "Selesai"}

# where a unit's SKM result for a period comes from (rules.skm_result)
SOURCE_LABELS = {"responses": "Kuesioner Pantau", "summary": "Laporan unit"}
