"""The column layout of digitised paper SKM questionnaires (CSV/XLSX), shared by the parser
(`paper`) and the fill-in templates (`paper_templates`).

Column layout (row 1 = header, one respondent per following row; column order is free)
----------------------------------------------------------------------------------------

======================  =====  ==========================================================
column                  req.   content
======================  =====  ==========================================================
response_id             yes    the questionnaire number, unique per unit: letters, digits,
                               ``. _ : -`` (max. 100)
submitted_at            yes    survey date ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a paper form has
                               no time: stored as 12:00 local time of the province zone), or a
                               date-time ``YYYY-MM-DDTHH:MM[:SS]+08:00`` (RFC 3339); a
                               date-time without offset (``2026-03-10 09:30``,
                               ``10/03/2026 09:30``) is local time of the province zone.
                               XLSX date/date-time cells are accepted as such.
persyaratan … sarana    yes    the nine unsur (pantau.rules.ikm.ELEMENTS): an integer 1-4
                               (``3``, ``"3"``, ``3.0`` from a spreadsheet; not ``2.5``/``tiga``)
service_type            no     jenis layanan (text, max. 200)
sex                     no     ``L`` / ``P`` (also Laki-laki/Pria, Perempuan/Wanita)
age                     no     integer 10-120
education               no     SD, SMP, SMA, D1-D3, D4-S1, S2, S3 (also S1/D4, D1/D2/D3,
                               SLTA/SMK/MA, SLTP/MTS)
occupation              no     PNS, TNI, POLRI, SWASTA, WIRAUSAHA, LAINNYA (also Wiraswasta)
suggestion              no     saran/masukan (text, max. 2000; kept in the survey service)
======================  =====  ==========================================================

The unit is not a column: it comes from the upload's ``unit_id`` form field; the channel is
always ``paper``. Empty optional cells are left out of the response.

Header names are matched case-insensitively after trimming, with runs of spaces/hyphens read
as ``_`` (``Jenis Kelamin`` = ``jenis_kelamin``). Indonesian aliases (see `ALIASES`):
``id_responden``/``no_responden``/``nomor_responden`` → response_id;
``waktu_pengisian``/``tanggal_survei``/``tanggal_pengisian``/``waktu_survei`` → submitted_at;
``jenis_layanan`` → service_type; ``jenis_kelamin`` → sex; ``usia``/``umur`` → age;
``pendidikan``/``pendidikan_terakhir`` → education; ``pekerjaan`` → occupation;
``saran``/``saran_masukan`` → suggestion; the domain codes ``u1_persyaratan`` …
``u7_perilaku``, ``u8_sarpras`` (= sarana) and ``u9_pengaduan`` (= pengaduan) plus
``waktu_penyelesaian``, ``biaya_tarif``, ``penanganan_pengaduan``, ``sarpras``,
``sarana_prasarana``. Bare numbers (``u1``…``u9``) are not accepted: the regulation's two
orders of unsur 8 and 9 differ (domain.md §1.2).

Files: CSV must be UTF-8 (a BOM is fine), delimiter ``,`` or ``;`` (Indonesian Excel) or tab,
detected from the header line. XLSX: the first worksheet not named "Petunjuk". Completely
empty rows are skipped (their numbers are not reused, so errors point at the row the operator
sees). At most `MAX_BATCH` data rows.

Errors: ``{"row", "column", "pointer": "/rows/<row>/<column>", "field", "message"}`` with the
1-based spreadsheet row (header = 1, first data row = 2) and the canonical column name; cell
errors also carry ``header`` (the header text as written in the file). Errors about the file
as a whole have ``row``/``column`` None and pointer ``/file``.
"""
from __future__ import annotations

from pantau.rules.ikm import ELEMENTS

CHANNEL = "paper"
REQUIRED: tuple[str, ...] = ("response_id", "submitted_at", *ELEMENTS)
OPTIONAL: tuple[str, ...] = ("service_type", "sex", "age", "education", "occupation", "suggestion")
COLUMNS: tuple[str, ...] = REQUIRED + OPTIONAL

ALIASES: dict[str, tuple[str, ...]] = {
    "response_id": ("id_responden", "no_responden", "nomor_responden"),
    "submitted_at": ("waktu_pengisian", "tanggal_survei", "tanggal_pengisian", "waktu_survei"),
    "persyaratan": ("u1_persyaratan",),
    "prosedur": ("u2_prosedur",),
    "waktu": ("u3_waktu", "waktu_penyelesaian"),
    "biaya": ("u4_biaya", "biaya_tarif"),
    "produk": ("u5_produk",),
    "kompetensi": ("u6_kompetensi",),
    "perilaku": ("u7_perilaku",),
    "pengaduan": ("u9_pengaduan", "penanganan_pengaduan"),
    "sarana": ("u8_sarpras", "sarpras", "sarana_prasarana"),
    "service_type": ("jenis_layanan",),
    "sex": ("jenis_kelamin",),
    "age": ("usia", "umur"),
    "education": ("pendidikan", "pendidikan_terakhir"),
    "occupation": ("pekerjaan",),
    "suggestion": ("saran", "saran_masukan"),
}
_HEADER_MAP: dict[str, str] = {c: c for c in COLUMNS}
_HEADER_MAP.update({a: c for c, names in ALIASES.items() for a in names})

# domain.md §1.2: standard question and the 1-4 answer labels per unsur (keyed by element)
QUESTIONS: dict[str, str] = {
    "persyaratan": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "prosedur": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "biaya": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
              "dalam standar pelayanan dengan hasil yang diberikan?",
    "kompetensi": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "perilaku": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
                "dan keramahan?",
    "pengaduan": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
    "sarana": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
}
ANSWER_LABELS: dict[str, tuple[str, str, str, str]] = {
    "persyaratan": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "prosedur": ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    "waktu": ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    "biaya": ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    "produk": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "kompetensi": ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    "perilaku": ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
    "pengaduan": ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
    "sarana": ("Buruk", "Cukup", "Baik", "Sangat Baik"),
}

NOTES_SHEET = "Petunjuk"
DATA_SHEET = "Kuesioner"
