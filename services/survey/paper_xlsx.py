"""Streaming reader of an XLSX upload: the rows of its first data sheet as cell values.

Every part (relationships, workbook, styles, shared strings, the sheet) is read in chunks by
defusedxml's SAX parser with DTDs, entities and external references forbidden (XXE, billion
laughs), so no XML part is ever held as a tree and every loop is ours: each element counts
against `MAX_XML_ELEMENTS`, each chunk checks the deadline, a cell beyond `MAX_WIDTH` or a row
beyond `MAX_SHEET_ROWS` stops the read at once. Rows are yielded as written (no padding to the
sheet's declared `<dimension>`, no rows made up for gaps), unlike openpyxl's read-only mode,
whose padding made a 1.6 KB file cost hours. Values are what openpyxl gives with
`data_only=True`: numbers, text, booleans, and datetimes for cells with a date format.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from datetime import datetime
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from .paper_budget import MAX_CELL_CHARS, MAX_SHEET_ROWS, MAX_WIDTH, MAX_XML_ELEMENTS, Deadline
from .paper_cells import _Cell
from .paper_layout import COLUMNS, NOTES_SHEET
from .schemas import MAX_BATCH

CHUNK = 64 * 1024
_TYPE_DOC = "/officeDocument"
_TYPE_SHEET = "/worksheet"
_TYPE_STYLES = "/styles"
_TYPE_STRINGS = "/sharedStrings"


class NotWorkbook(Exception):
    """The archive is not a readable workbook; the argument is a short Indonesian reason (or "")."""


class FileRefused(Exception):
    """The workbook is readable but refused (too wide, too many rows, no data sheet…)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _column_of(ref: str) -> int:
    """1-based column of a cell reference ("AB12" → 28); 0 when it has no letters."""
    n = 0
    for ch in ref:
        o = ord(ch) & ~32  # upper case
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        else:
            break
    return n


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _format_has_time(fmt: str) -> bool:
    """Does a number format show a time of day (hours or seconds outside quotes and brackets)?"""
    bare = _QUOTED.sub("", fmt).lower()
    return "h" in bare or "s" in bare


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _too_wide(row: int | None, column: int) -> FileRefused:
    where = f"Baris {row}: ada sel" if row else "Ada sel"
    return FileRefused(f"{where} di kolom {column_letters(column)} (kolom ke-{column}); templat memakai "
                       f"{len(COLUMNS)} kolom, paling banyak {MAX_WIDTH} termasuk kolom kosong. Hapus kolom "
                       f"di sebelah kanan data lalu simpan ulang.", row)


def _too_many_rows(row: int) -> FileRefused:
    return FileRefused(f"Lembar berisi baris sampai nomor {row}; paling banyak {MAX_SHEET_ROWS} baris (judul, "
                       f"{MAX_BATCH} baris data dan baris kosong). Hapus baris kosong di bawah data atau bagi "
                       f"menjadi beberapa berkas.", row)


class _Reader(ContentHandler):
    """Base of the part handlers: counts elements against the workbook's budget."""

    def __init__(self, budget: _Budget):
        super().__init__()
        self.budget = budget

    def startElement(self, name, attrs):  # noqa: N802 - SAX API
        b = self.budget
        b.elements += 1
        if b.elements > MAX_XML_ELEMENTS:
            raise FileRefused(f"Workbook terlalu rumit untuk dibaca (lebih dari {MAX_XML_ELEMENTS} elemen XML). "
                              f"Salin data ke templat kuesioner lalu unggah ulang.")
        self.start(_local(name) if ":" in name else name, attrs)

    def endElement(self, name):  # noqa: N802 - SAX API
        self.end(_local(name) if ":" in name else name)

    def start(self, name: str, attrs) -> None:
        pass

    def end(self, name: str) -> None:
        pass


class _Budget:
    def __init__(self, deadline: Deadline):
        self.deadline = deadline
        self.elements = 0


class _Parser(DefusedExpatParser):
    """defusedxml's SAX parser (DTDs, entities and external references refused) with the
    content handler bound straight to expat: no SAX attribute object per element."""

    def reset(self):
        super().reset()
        h = self._cont_handler
        expat = self._parser
        expat.StartElementHandler, expat.EndElementHandler = h.startElement, h.endElement
        expat.CharacterDataHandler, expat.buffer_text = h.characters, True


def _chunks(zf: zipfile.ZipFile, name: str, handler: _Reader) -> Iterator[None]:
    """Feed part `name` to `handler` chunk by chunk, yielding after each chunk."""
    parser = _Parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    deadline = handler.budget.deadline
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            deadline.check()
            parser.feed(chunk)
            yield
        parser.close()


def _read_part(zf: zipfile.ZipFile, name: str, handler: _Reader) -> None:
    for _ in _chunks(zf, name, handler):
        pass


# --------------------------------------------------------------------------- small parts

class _Rels(_Reader):
    def __init__(self, budget: _Budget, base: str):
        super().__init__(budget)
        self.base = base
        self.by_id: dict[str, tuple[str, str]] = {}  # id → (type, part name)

    def start(self, name, attrs):
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(self.base, target)
            self.by_id[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    def first(self, kind: str) -> str | None:
        return next((p for t, p in self.by_id.values() if t.endswith(kind)), None)


def _rels(zf: zipfile.ZipFile, budget: _Budget, part: str) -> _Rels:
    folder, leaf = posixpath.split(part)
    handler = _Rels(budget, folder)
    rels = posixpath.join(folder, "_rels", leaf + ".rels")
    if rels in zf.NameToInfo:
        _read_part(zf, rels, handler)
    return handler


class _Workbook(_Reader):
    def __init__(self, budget: _Budget):
        super().__init__(budget)
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)
        self.date1904 = False

    def start(self, name, attrs):
        if name == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and ":" in k), "")
            self.sheets.append((attrs.get("name", ""), rid))
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _Styles(_Reader):
    """Which cell styles (index into cellXfs) show a date, and whether they show a time."""

    def __init__(self, budget: _Budget):
        super().__init__(budget)
        self.custom: dict[int, str] = {}
        self.xf_formats: list[int] = []
        self._in_xfs = False

    def start(self, name, attrs):
        if name == "numFmt":
            try:
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif name == "cellXfs":
            self._in_xfs = True
        elif name == "xf" and self._in_xfs:
            try:
                self.xf_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.xf_formats.append(0)

    def end(self, name):
        if name == "cellXfs":
            self._in_xfs = False

    def date_styles(self) -> dict[int, tuple[bool, bool]]:
        """style index → (is a duration, has a time of day); each format is looked at once."""
        kinds: dict[int, tuple[bool, bool] | None] = {}
        out = {}
        for i, fid in enumerate(self.xf_formats):
            if fid not in kinds:
                code = self.custom.get(fid) or BUILTIN_FORMATS.get(fid)
                # Excel's number formats have at most 255 characters; a longer one is no date of ours
                date = bool(code) and len(code) <= 255 and is_date_format(code)
                kinds[fid] = (is_timedelta_format(code), _format_has_time(code)) if date else None
            if (kind := kinds[fid]) is not None:
                out[i] = kind
        return out


class _Strings(_Reader):
    """The shared strings: each `<si>` is the text of its `<t>` runs (phonetic runs left out)."""

    def __init__(self, budget: _Budget):
        super().__init__(budget)
        self.values: list[str] = []
        self._buf: list[str] = []
        self._size = 0
        self._capture = False
        self._phonetic = 0

    def start(self, name, attrs):
        if name == "t":
            self._capture = not self._phonetic
        elif name == "si":
            self._buf, self._size = [], 0
        elif name == "rPh":
            self._phonetic += 1

    def characters(self, content):
        if self._capture:
            self._size += len(content)
            if self._size > MAX_CELL_CHARS:
                raise FileRefused(f"Ada teks lebih dari {MAX_CELL_CHARS} karakter dalam satu sel.")
            self._buf.append(content)

    def end(self, name):
        if name == "t":
            self._capture = False
        elif name == "si":
            self.values.append("".join(self._buf))
            self._buf = []
        elif name == "rPh":
            self._phonetic -= 1


# --------------------------------------------------------------------------- the sheet

class _Sheet(_Reader):
    """Rows of one worksheet as (row number, [_Cell]); bounded in width and row count."""

    def __init__(self, budget: _Budget, strings: list[str], dates: dict[int, tuple[bool, bool]], epoch):
        super().__init__(budget)
        self.strings, self.dates, self.epoch = strings, dates, epoch
        self.ready: list[tuple[int, list[_Cell]]] = []
        self.row_no = 0
        self.rows_seen = 0
        self.cells: list[_Cell | None] = []
        self.col = 0
        self.cells_in_row = 0
        self.ctype = "n"
        self.style = 0
        self.text: list[str] | None = None  # the text of <v> or of the inline <t> runs
        self.capture = False
        self.size = 0
        self.in_row = False
        self.in_cell = False
        self.inline = 0  # inside <is>
        self.phonetic = 0

    def start(self, name, attrs):
        if name == "c":
            if not self.in_row:
                raise NotWorkbook("")
            self.cells_in_row += 1
            ref = attrs.get("r")
            col = _column_of(ref) if ref else 0
            self.col = col if col else self.col + 1
            if self.col > MAX_WIDTH or self.cells_in_row > MAX_WIDTH:
                raise _too_wide(self.row_no, self.col)
            self.ctype = attrs.get("t", "n")
            s = attrs.get("s")
            self.style = int(s) if s and s.isdigit() else 0
            self.text, self.size, self.in_cell = None, 0, True
        elif name == "v" and self.in_cell and not self.inline:
            self.text, self.capture = [], True
        elif name == "t" and self.inline and not self.phonetic:
            if self.text is None:
                self.text = []
            self.capture = True
        elif name == "is" and self.in_cell:
            self.inline += 1
        elif name == "rPh":
            self.phonetic += 1
        elif name == "row":
            self.rows_seen += 1
            r = attrs.get("r")
            self.row_no = int(r) if r and r.isdigit() else self.row_no + 1
            if self.row_no > MAX_SHEET_ROWS or self.rows_seen > MAX_SHEET_ROWS:
                raise _too_many_rows(max(self.row_no, self.rows_seen))
            self.cells, self.col, self.cells_in_row, self.in_row = [], 0, 0, True
        elif name == "dimension":
            last = (attrs.get("ref") or "").rpartition(":")[2]
            width = _column_of(last)
            if width > MAX_WIDTH:
                raise FileRefused(f"Lembar data dinyatakan selebar {width} kolom (sampai kolom "
                                  f"{column_letters(width)}); templat memakai {len(COLUMNS)} kolom, paling banyak "
                                  f"{MAX_WIDTH} termasuk kolom kosong. Hapus kolom di sebelah kanan data lalu "
                                  f"simpan ulang.")

    def characters(self, content):
        if self.capture:
            self.size += len(content)
            if self.size > MAX_CELL_CHARS:
                raise FileRefused(f"Sel {column_letters(self.col)}{self.row_no} berisi lebih dari {MAX_CELL_CHARS} "
                                  f"karakter.", self.row_no)
            self.text.append(content)

    def end(self, name):
        if name in ("v", "t"):
            self.capture = False
        elif name == "c":
            self._cell_done()
        elif name == "row":
            self.ready.append((self.row_no, self.cells))
            self.in_row = False
        elif name == "is":
            self.inline -= 1
        elif name == "rPh":
            self.phonetic -= 1

    def _cell_done(self) -> None:
        self.in_cell = self.capture = False
        text = None if self.text is None else "".join(self.text)
        self.text = None
        t = self.ctype
        value: object = text
        has_time = None
        if text is None:
            value = None
        elif t == "s":
            try:
                value = self.strings[int(text)]
            except (ValueError, IndexError):
                raise NotWorkbook(" (teks bersama rusak)") from None
        elif t == "b":
            value = text.strip() in ("1", "true")
        elif t == "d":
            try:
                value = datetime.fromisoformat(text.strip())
            except ValueError:
                value = text
        elif t == "n":
            value = _number(text)
            date_style = self.dates.get(self.style)
            if date_style is not None and isinstance(value, (int, float)):
                try:
                    value = from_excel(value, self.epoch, timedelta=date_style[0])
                except (ValueError, OverflowError):
                    pass  # an impossible serial stays a number; the column's check reports it
                has_time = date_style[1]
        cells = self.cells
        while len(cells) < self.col - 1:
            cells.append(_Cell(None))
        if len(cells) >= self.col:  # a repeated column reference: the later cell wins
            cells[self.col - 1] = _Cell(value, has_time)
        else:
            cells.append(_Cell(value, has_time))


def _number(text: str) -> object:
    s = text.strip()
    try:
        return float(s) if ("." in s or "e" in s or "E" in s) else int(s)
    except ValueError:
        return text


# --------------------------------------------------------------------------- entry point

def read_sheet(zf: zipfile.ZipFile, deadline: Deadline) -> Generator[tuple[int, list[_Cell]], None, None]:
    """Rows of the first worksheet not named like the notes sheet, as they are read.

    Raises NotWorkbook for a damaged archive or XML (DTDs and entities included), FileRefused
    for a workbook beyond the limits, DeadlineExceeded when the deadline passes."""
    budget = _Budget(deadline)
    try:
        root = _rels(zf, budget, "")
        book = root.first(_TYPE_DOC) or "xl/workbook.xml"
        if book not in zf.NameToInfo:
            raise NotWorkbook(" (arsip ZIP ini bukan workbook Excel)")
        wb = _Workbook(budget)
        _read_part(zf, book, wb)
        rels = _rels(zf, budget, book)
        sheet = next((rels.by_id[rid][1] for name, rid in wb.sheets
                      if rid in rels.by_id and rels.by_id[rid][0].endswith(_TYPE_SHEET)
                      and name.strip().lower() != NOTES_SHEET.lower()), None)
        if sheet is None or sheet not in zf.NameToInfo:
            raise FileRefused("Workbook tidak berisi lembar data.")
        styles = _Styles(budget)
        if (part := rels.first(_TYPE_STYLES)) and part in zf.NameToInfo:
            _read_part(zf, part, styles)
        strings = _Strings(budget)
        if (part := rels.first(_TYPE_STRINGS)) and part in zf.NameToInfo:
            _read_part(zf, part, strings)
        handler = _Sheet(budget, strings.values, styles.date_styles(),
                         CALENDAR_MAC_1904 if wb.date1904 else CALENDAR_WINDOWS_1900)
        for _ in _chunks(zf, sheet, handler):
            if handler.ready:
                ready, handler.ready = handler.ready, []
                yield from ready
        yield from handler.ready
    except (SAXException, DefusedXmlException, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:  # damaged, encrypted or oddly compressed archives
        raise NotWorkbook(f" ({type(exc).__name__})") from None
