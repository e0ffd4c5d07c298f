"""The glossary of figures: every figure the dashboard, the exports and the PDF reports show has
one id, one name (label) and one definition here. Pages build their tiles from these entries
(`dashboard.model.figure_tile`), so the same words always mean the same figure; figures that
differ (e.g. "sedang lewat tenggat" and "tenggat terlampaui") have different names. The glossary
of docs/dashboard.md is generated from this module (`python -m services.aggregator.figures`).
"""
from __future__ import annotations

from dataclasses import dataclass

from pantau.rules.ikm import mutu_ranges
from pantau.rules.pekppp_instrument import BANDS


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    definition: str
    instrument: str  # SKM, FKP, Pengaduan, PEKPPP


_F = Figure
FIGURES: dict[str, Figure] = {f.id: f for f in (
    # ---- SKM ----
    _F("skm.units", "Unit pelayanan", "Unit penyelenggara pelayanan publik (UPP) terdaftar dalam cakupan halaman.", "SKM"),
    _F("skm.units_with_skm", "Unit dengan SKM",
       "Unit yang memiliki sedikitnya satu responden SKM pada periode ini.", "SKM"),
    _F("skm.units_adequate", "Unit dengan sampel memadai",
       "Unit yang jumlah respondennya mencapai sampel minimal Krejcie–Morgan untuk populasi penggunanya.", "SKM"),
    _F("skm.respondents", "Responden SKM",
       "Kuesioner SKM yang tercatat (tidak termasuk yang dibatalkan) pada periode ini.", "SKM"),
    _F("skm.ikm_official", "IKM (metode resmi)",
       "Indeks Kepuasan Masyarakat gabungan menurut metode kompilasi yang ditetapkan Biro Organisasi; "
       "hanya unit dengan sampel memadai yang dihitung.", "SKM"),
    _F("skm.ikm_mean_of_units", "IKM rata-rata unit",
       "Rata-rata sederhana IKM unit-unit dengan sampel memadai; setiap unit berbobot sama.", "SKM"),
    _F("skm.ikm_pooled", "IKM gabungan responden",
       "IKM dari seluruh jawaban responden unit-unit dengan sampel memadai; unit dengan lebih banyak "
       "responden berbobot lebih besar.", "SKM"),
    _F("skm.ikm_unit", "IKM unit",
       "Indeks Kepuasan Masyarakat unit (25–100) menurut PermenPANRB 14/2017: rata-rata nilai sembilan unsur "
       "dikali 25; mutu A–D menurut tabel nilai interval.", "SKM"),
    _F("skm.sample_required", "Sampel minimal",
       "Jumlah responden minimal menurut tabel Krejcie–Morgan untuk jumlah pengguna layanan (N) periode ini; "
       "tidak pernah melebihi N.", "SKM"),
    _F("skm.ci95", "Selang kepercayaan 95%",
       "Rentang tempat IKM sebenarnya berada dengan keyakinan 95%, dari sebaran jawaban responden.", "SKM"),
    _F("skm.source", "Sumber hasil SKM",
       "Dari mana IKM periode ini dihitung: kuesioner yang tercatat di Pantau bila unit memilikinya; bila "
       "tidak, Laporan Hasil SKM yang dikirim unit, dihitung ulang dari NRR atau jumlah jawaban per unsurnya. "
       "IKM gabungan OPD dan provinsi menghitung unit itu dengan jumlah responden laporannya.", "SKM"),
    _F("skm.rtl_done", "RTL selesai", "Butir rencana tindak lanjut (RTL) SKM yang selesai, dari yang direncanakan.",
       "SKM"),
    _F("skm.summaries", "Laporan hasil SKM unit",
       "Laporan Hasil SKM yang dikirim unit yang menyurvei dengan alat lain (NRR atau jumlah jawaban per unsur, "
       "IKM dan mutu yang dihitung unit); yang terbaru per unit dan periode yang berlaku.", "SKM"),
    _F("skm.summaries_flagged", "Laporan perlu diperiksa",
       "Laporan hasil SKM yang berlaku yang aritmetikanya tidak sesuai: IKM berbeda lebih dari 0,01 dari hitung "
       "ulang NRR (mis. konversi × 20, bobot 0,111, NRR dibulatkan), mutu tidak sesuai IKM, sampel kurang dari "
       "Krejcie–Morgan, atau jumlah jawaban per unsur tidak sama dengan responden.", "SKM"),
    _F("skm.summaries_superseded", "Laporan digantikan",
       "Laporan hasil SKM yang digantikan laporan lebih baru untuk unit dan periode yang sama; tetap tercatat "
       "sebagai riwayat.", "SKM"),
    _F("skm.summaries_without_report", "Laporan tanpa berkas",
       "Laporan hasil SKM yang berlaku yang berkas laporannya (PDF) belum diunggah unit; angkanya tetap diperiksa, "
       "tetapi belum dapat dicocokkan dengan dokumen laporannya.", "SKM"),
    _F("skm.publication_media", "Media publikasi", "Jumlah media tempat hasil SKM diumumkan.", "SKM"),
    # ---- FKP ----
    _F("fkp.forums_held", "FKP terlaksana", "Forum Konsultasi Publik yang sudah diselenggarakan pada tahun ini.", "FKP"),
    _F("fkp.elements", "Unsur masyarakat",
       "Jumlah unsur masyarakat (dari lima) yang hadir dalam FKP unit tahun ini.", "FKP"),
    _F("fkp.promises_total", "Janji perbaikan", "Janji perbaikan yang dicatat dalam Berita Acara FKP tahun ini.", "FKP"),
    _F("fkp.promises_fulfilled", "Janji terpenuhi",
       "Janji perbaikan yang dilaporkan terpenuhi dengan bukti (dan tidak disanggah peserta).", "FKP"),
    _F("fkp.promises_open", "Janji terbuka",
       "Janji perbaikan yang belum selesai: direncanakan, sedang dikerjakan atau disanggah.", "FKP"),
    _F("fkp.promises_overdue", "Janji lewat target",
       "Janji terbuka yang tanggal targetnya sudah lewat pada tanggal keadaan data.", "FKP"),
    _F("fkp.promises_disputed", "Janji disanggah",
       "Janji yang dilaporkan terpenuhi tetapi disanggah peserta FKP; menunggu tinjauan Biro Organisasi.", "FKP"),
    # ---- complaints ----
    _F("complaints.total", "Pengaduan", "Pengaduan yang diterima pada periode ini (dipegang unit dalam cakupan).",
       "Pengaduan"),
    _F("complaints.resolved_pct", "Diselesaikan",
       "Persentase pengaduan yang selesai ditindaklanjuti, dari pengaduan yang menjadi kewenangan unit "
       "(tidak termasuk yang diarsipkan atau diteruskan ke luar).", "Pengaduan"),
    _F("complaints.backlog", "Tunggakan", "Pengaduan yang sedang menunggu tindakan pemerintah.", "Pengaduan"),
    _F("complaints.overdue_now", "Sedang lewat tenggat",
       "Tenggat pemerintah (verifikasi, disposisi, tindak lanjut, penyelesaian) yang sedang berjalan dan sudah "
       "lewat pada tanggal keadaan data: masih bisa dikejar.", "Pengaduan"),
    _F("complaints.breaches", "Tenggat terlampaui",
       "Tenggat pemerintah yang terlampaui, baik sudah ditangani terlambat maupun masih lewat, pada pengaduan "
       "dalam cakupan (tingkat mana pun yang memakai waktunya).", "Pengaduan"),
    _F("complaints.breaches_charged", "Tenggat terlampaui oleh unit",
       "Tenggat pemerintah yang terlampaui saat waktunya dipakai unit ini (atau unit-unit dalam cakupan), di mana "
       "pun pengaduannya sekarang.", "Pengaduan"),
    # ---- PEKPPP indicators computed from Pantau's data ----
    _F("pekppp.ind2", "Skor PEKPPP ind. 2",
       "Indikator 2 PEKPPP (0–5): pelibatan unsur masyarakat dalam FKP.", "PEKPPP"),
    _F("pekppp.ind2_mean", "Rata-rata skor PEKPPP ind. 2", "Rata-rata skor indikator 2 atas unit dalam cakupan.",
       "PEKPPP"),
    _F("pekppp.ind28", "Skor PEKPPP ind. 28",
       "Indikator 28 PEKPPP (0–5): tindak lanjut pengaduan, dari persentase diselesaikan dan saluran SP4N-LAPOR!.",
       "PEKPPP"),
    # ---- the PEKPPP evaluation (services/aggregator/pekppp_reports.py) ----
    _F("pekppp.ipp", "Indeks Pelayanan Publik (IPP)",
       "Nilai evaluasi PEKPPP unit (0–5): jumlah bobot aspek × bobot indikator × skor dari 30 indikator F-02. "
       "Sementara bila ada indikator yang belum dinilai: dihitung dari indikator yang sudah dinilai (tidak "
       "pernah menganggapnya 0), dengan rentang IPP akhir yang masih mungkin.", "PEKPPP"),
    _F("pekppp.predikat", "Predikat", "Kategori IPP (dibulatkan dua desimal): " + "; ".join(
        f"{grade} {label} ≥ {str(floor).replace('.', ',')}" for floor, grade, label in BANDS) + ".", "PEKPPP"),
    _F("pekppp.completeness", "Indikator dinilai",
       "Indikator F-02 yang sudah punya skor (diukur Pantau atau diisi evaluator), dari 30.", "PEKPPP"),
    _F("pekppp.self_ipp", "IPP penilaian mandiri unit",
       "IPP dari penilaian mandiri unit (F-01); ditampilkan sebagai pembanding, tidak dihitung dalam IPP.", "PEKPPP"),
    _F("pekppp.mean_ipp", "IPP rata-rata", "Rata-rata IPP unit-unit yang evaluasinya lengkap (30 indikator).", "PEKPPP"),
    _F("pekppp.units_complete", "Evaluasi lengkap", "Unit yang ke-30 indikatornya sudah dinilai.", "PEKPPP"),
    _F("pekppp.units_provisional", "Evaluasi sementara",
       "Unit yang sebagian indikatornya sudah dinilai; IPP-nya sementara.", "PEKPPP"),
    _F("pekppp.units_unscored", "Belum dinilai", "Unit yang belum punya satu pun skor indikator.", "PEKPPP"),
    _F("pekppp.weakest_aspect", "Aspek terlemah",
       "Aspek PEKPPP dengan rata-rata skor terendah atas unit yang punya skor untuk aspek itu.", "PEKPPP"),
)}



def mutu_ranges_text() -> str:
    """"A 88,31–100,00 (Sangat Baik) · B …", from the interval table of rules.ikm."""
    return " · ".join(f"{m} {str(lo).replace('.', ',')}–{str(hi).replace('.', ',')} ({k})"
                      for m, k, lo, hi in mutu_ranges())

PAGES: tuple[tuple[str, str, str], ...] = (
    ("/dasbor", "Ikhtisar provinsi",
     "Angka utama SKM, FKP dan pengaduan seluruh provinsi (atau satu perangkat daerah), sebaran mutu, IKM per "
     "perangkat daerah dan unit, dan unit yang perlu perhatian."),
    ("/dasbor/opd/<opd>", "Perangkat daerah", "Ikhtisar yang sama untuk unit-unit satu perangkat daerah, dengan "
     "kepatuhan tiap unit."),
    ("/dasbor/kepatuhan", "Kepatuhan", "Matriks kewajiban tiap unit (SKM, publikasi, RTL, FKP, janji, pengaduan): "
     "terpenuhi, belum, atau tanpa data, dengan buktinya."),
    ("/dasbor/fkp", "Janji FKP", "Janji perbaikan dari Berita Acara FKP: terbuka, lewat target, disanggah; "
     "daftar janji yang lewat target atau disanggah, tiap baris menuju halaman janjinya."),
    ("/dasbor/fkp/janji/<unit>/<forum>/<janji>", "Janji", "Satu janji: target, kemajuan, bukti, tanggapan peserta "
     "dan keputusan Biro Organisasi."),
    ("/dasbor/pengaduan", "Pengaduan", "Tindak lanjut pengaduan SP4N-LAPOR!: daftar pengaduan yang sedang lewat "
     "tenggat (paling lama dulu, tiap baris menuju kasusnya), status, tenggat menurut jenis dan tingkat, kategori, "
     "per perangkat daerah dan unit; filter perangkat daerah berlaku untuk semua angka."),
    ("/dasbor/pengaduan/kasus/<nomor>", "Kasus pengaduan", "Satu pengaduan: riwayat status, unit yang memegangnya, "
     "setiap tenggat dengan siapa yang memakai waktunya dan kepada siapa pelanggaran dibebankan; tanpa data "
     "pribadi."),
    ("/dasbor/unit/<unit>", "Kartu unit", "Satu unit: SKM, RTL, laporan hasil SKM yang dikirim unit (dengan "
     "temuan pemeriksaannya), FKP, pengaduan dan indikator PEKPPP dengan buktinya."),
    ("/dasbor/unit/<unit>/skm", "Detail SKM", "IKM unit per periode: sembilan unsur, mutu, sampel, profil responden, "
     "tren; laporan PDF."),
    ("/dasbor/skm/laporan-diperiksa", "Laporan SKM diperiksa", "Laporan hasil SKM unit yang menyurvei dengan alat "
     "lain dan yang aritmetikanya tidak sesuai: IKM dan mutu hitung ulang, selisih, kemungkinan penyebabnya, dan berkas "
     "laporannya (PDF, dapat diunduh) atau \"berkas laporan belum diunggah\"."),
    ("/dasbor/pekppp", "Evaluasi PEKPPP", "IPP dan predikat setiap unit, unit × aspek (peta warna skor 0–5), "
     "sebaran predikat, aspek terlemah, dan indikator yang belum dinilai."),
    ("/dasbor/unit/<unit>/pekppp", "Evaluasi PEKPPP unit", "30 indikator F-02 per aspek: skor yang berlaku dan "
     "sumbernya (diukur Pantau, evaluator, atau penggantian), rubrik, bukti dengan tautan ke halaman asalnya, "
     "penilaian mandiri unit; formulir skor untuk evaluator."),
    ("/publik/skm", "Hasil SKM publik", "Hasil SKM untuk masyarakat dalam bahasa sehari-hari: satu angka IKM per "
     "unit dengan mutu dan artinya, \"tentang angka ini\", tanpa login dan tanpa data pribadi."),
    ("/publik/pengaduan", "Lacak pengaduan", "Status, riwayat dan tenggat satu pengaduan menurut nomor pelacakannya, "
     "tanpa identitas pelapor (perihalnya pun tidak bila pengaduan rahasia)."),
)


def figure(fig_id: str) -> Figure:
    return FIGURES[fig_id]


def glossary_markdown() -> str:
    """The glossary section of docs/dashboard.md."""
    out = ["<!-- generated by `python -m services.aggregator.figures`: edit services/aggregator/figures.py -->", "",
           "## Pages", "", "| Page | Name | What it is for |", "|---|---|---|"]
    out += [f"| `{path}` | {name} | {what} |" for path, name, what in PAGES]
    out += ["", "## Figures", "", f"Mutu pelayanan (PermenPANRB 14/2017): {mutu_ranges_text()}.", "",
            "| Id | Name | Definition |", "|---|---|---|"]
    for instrument in ("SKM", "FKP", "Pengaduan", "PEKPPP"):
        out += [f"| `{f.id}` | {f.label} | {f.definition} |" for f in FIGURES.values() if f.instrument == instrument]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(glossary_markdown(), end="")
