"""Exports of what the dashboard shows: CSV and XLSX of every table, PDF reports.

`fmt` formats numbers, percentages, dates and periods the Indonesian way (Babel, id_ID,
Asia/Makassar); `tables` is the table model the pages render and the exports write, so an
export holds exactly the rows and columns of the table on the page; `sheets` writes CSV and
XLSX; `pdf` renders the "Laporan Hasil SKM" of a unit and the province recapitulation.
"""
