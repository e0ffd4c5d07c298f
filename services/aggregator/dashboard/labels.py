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

# what an empty table says (issue 14: why there is nothing, and what would fill it), by the start
# of the table's title; a table given its own `empty=` text keeps that
_NO_SKM = ("Belum ada responden SKM pada periode dan cakupan ini; nilai muncul setelah unit mengirim "
           "jawaban survei atau laporan hasil SKM-nya.")
_NO_COMPLAINT = ("Belum ada pengaduan pada periode dan cakupan ini; baris muncul begitu pengaduan masuk "
                 "lewat SP4N-LAPOR! atau langsung ke unit.")
_NO_FKP = ("Belum ada forum konsultasi publik yang tercatat pada periode ini; baris muncul setelah unit "
           "mencatat FKP beserta Berita Acaranya.")
_NO_PEKPPP = "Belum ada skor PEKPPP untuk tahun ini; skor muncul setelah evaluator mengisi formulir penilaian."
EMPTY_BY_TITLE: tuple[tuple[str, str], ...] = (
    ("Riwayat status", "Belum ada tindakan selain penerimaan pengaduan."),
    ("Unit yang memegang", "Pengaduan ini belum pernah diteruskan ke unit lain."),
    ("Pengaduan: tenggat", "Tidak ada tenggat pengaduan yang terlampaui pada periode ini."),
    ("Pengaduan", _NO_COMPLAINT), ("Tenggat", _NO_COMPLAINT), ("Kategori", _NO_COMPLAINT),
    ("Matriks kepatuhan", "Tidak ada unit pelayanan dalam cakupan ini."),
    ("Jumlah unit per kewajiban", "Tidak ada unit pelayanan dalam cakupan ini."),
    ("Unit yang memenuhi", "Tidak ada unit pelayanan dalam cakupan ini."),
    ("FKP", _NO_FKP), ("Forum", _NO_FKP),
    ("Janji perbaikan", "Belum ada janji perbaikan: janji dicatat dalam Berita Acara FKP."),
    ("Riwayat janji", "Belum ada perubahan tercatat untuk janji ini."),
    ("Janji FKP paling banyak", "Tidak ada janji FKP yang lewat target pada keadaan ini."),
    ("Janji lewat target", "Tidak ada janji FKP yang lewat target: setiap janji masih dalam target atau sudah terpenuhi."),
    ("IKM terendah", "Belum ada unit dengan sampel memadai: IKM dinilai setelah jumlah responden mencapai "
                     "sampel minimal (Krejcie dan Morgan)."),
    ("Tanpa responden SKM", "Setiap unit menerima responden SKM dalam rentang ini."),
    ("IKM", _NO_SKM), ("Sebaran unit", _NO_SKM), ("Nilai", _NO_SKM), ("Tren IKM", _NO_SKM), ("Unsur", _NO_SKM),
    ("Skor", _NO_PEKPPP),
    ("Berkas laporan", "Belum ada berkas laporan hasil SKM yang diunggah."),
    ("Laporan hasil SKM", "Belum ada laporan hasil SKM dari alat survei lain yang berlaku untuk periode ini."),
    ("Rencana tindak lanjut", "Belum ada rencana tindak lanjut (RTL). Unit menyusun RTL dari unsur terlemah "
                              "hasil SKM; baris muncul di sini begitu RTL dicatat."),
    ("Kewajiban", "Tidak ada kewajiban untuk unit ini pada tahun ini."),
)


def empty_text(table) -> str:
    """What an empty table says: its own text, else the one for its kind of table."""
    if table.empty:
        return table.empty
    for start, text in EMPTY_BY_TITLE:
        if table.title.startswith(start):
            return text
    return "Tidak ada data untuk filter ini; ubah periode atau cakupan untuk melihat datanya."
