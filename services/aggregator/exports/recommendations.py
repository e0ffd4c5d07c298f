"""Improvement suggestions per SKM unsur, printed under each weakest unsur in the "Laporan Hasil
SKM" (BAB IV). They are starting points the unit turns into its own RTL (the RTL items it has
recorded are printed beside them), written from what the nine unsur measure (PermenPANRB 14/2017
definitions), not taken from any one unit's report. Keyed by element code (`pantau.rules.ikm`)."""

from __future__ import annotations

RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "persyaratan": (
        "Tinjau ulang persyaratan pelayanan dan hapus yang tidak diperlukan.",
        "Umumkan daftar persyaratan secara jelas di loket, laman web dan media sosial unit.",
    ),
    "prosedur": (
        "Sederhanakan alur pelayanan dan tampilkan bagan alurnya di tempat pelayanan.",
        "Sediakan petugas informasi atau layanan daring untuk memandu pengguna layanan.",
    ),
    "waktu": (
        "Tetapkan dan umumkan jangka waktu penyelesaian setiap jenis layanan.",
        "Pantau waktu tunggu harian dan tambah petugas atau loket pada jam sibuk.",
    ),
    "biaya": (
        "Umumkan biaya/tarif resmi beserta dasar hukumnya, termasuk layanan yang gratis.",
        "Sediakan pembayaran nontunai dengan bukti pembayaran resmi.",
    ),
    "produk": (
        "Pastikan produk layanan sesuai dengan yang tercantum dalam standar pelayanan.",
        "Periksa mutu produk layanan sebelum diserahkan kepada pengguna layanan.",
    ),
    "kompetensi": (
        "Selenggarakan pelatihan teknis dan pelayanan prima bagi petugas.",
        "Tempatkan petugas sesuai kompetensinya dan lakukan pembinaan berkala.",
    ),
    "perilaku": (
        "Terapkan dan awasi kode etik serta maklumat pelayanan bagi petugas.",
        "Berikan penghargaan dan teguran berdasarkan penilaian pengguna layanan.",
    ),
    "pengaduan": (
        "Umumkan kanal pengaduan (termasuk SP4N-LAPOR!) dan tetapkan petugas pengelolanya.",
        "Tindak lanjuti setiap pengaduan dalam batas waktu dan beri kabar kepada pelapor.",
    ),
    "sarana": (
        "Perbaiki dan rawat sarana ruang tunggu, toilet, parkir dan akses bagi penyandang disabilitas.",
        "Lengkapi sarana informasi dan antrean yang tertib.",
    ),
}
