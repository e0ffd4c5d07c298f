"""Mapping of a form-service export (Google Forms, Microsoft Forms, KoboToolbox, ...) to SKM fields.

Pure (no Flask, no store). A form service exports one column per question, headed by the question
text, with the answer labels of PermenPANRB 14/2017 ("Sangat sesuai", "Gratis", ...) as values.
`load_mapping` builds a `FormMapping` from the built-in `form_mapping_default.yaml` and, when the
upload carries one, a mapping file of the same shape laid over it (its entries win; a `units:`
section adds entries for the unit the request names). `resolve` matches a header row against it:
every column is used (an unsur, a profile field, the timestamp, a respondent id), ignored for a
stated reason, or reported as unmatched by name; a missing unsur or timestamp and two columns for
one unsur are errors. `score` and `profile_value` read one answer cell.

Matching is exact after normalisation (`norm`): Unicode NFKC, case-folded, every run of characters
other than letters and digits read as one space; the forms of address Bapak/Ibu/Saudara/i/Anda as
"saudara". Answer and profile columns also match after a numbering prefix is taken away
("1.", "U1 -", "Unsur 1", "Q1)"), and a Google Forms grid column "Title [Row]" by its row label.

Mapping file (YAML, at most `MAX_MAPPING_BYTES`; anchors and aliases are refused)::

    version: 1
    unit_id: samsat-bontang          # optional: the file is only for this unit
    columns:                         # header or question text → target
      "Apakah persyaratan layanan mudah dipenuhi?": persyaratan
      "Alamat": ignore
    recognise:                       # or target → headers (the default file's shape)
      waktu: ["Seberapa cepat layanan kami?"]
    labels:                          # answer label → score 1-4 per unsur ("*": every unsur),
      "*": {"Sangat setuju": 4, "Setuju": 3, "Kurang setuju": 2, "Tidak setuju": 1}
      occupation: {"Honorer": LAINNYA}   # or → a value of the profile vocabulary
    date_order: dmy                  # dmy (default) or mdy, for timestamps like 04/08/2025
    timezone: Asia/Makassar          # of timestamps without offset (default: the province zone)
    timestamps_utc: ["_submission_time"]
    channel: web                     # the responses' channel (default web)
    units:
      samsat-samarinda: {columns: {...}, labels: {...}}

Targets: the unsur keys of `pantau.rules.ikm.ELEMENTS` or their domain codes (`U1_PERSYARATAN`,
`u8_sarpras`, ...; bare `U1`..`U9` are refused: the two orders of unsur 8 and 9 differ), the
profile fields (sex, age, education, occupation, service_type, suggestion, or their Indonesian
column names), `submitted_at` (also `timestamp`), `response_id` and `ignore`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pantau.rules.ikm import ELEMENT_LABELS, ELEMENTS

from .paper_cells import _to_int, _to_text
from .paper_layout import _HEADER_MAP
from .paper_xlsx import column_letters
from .schemas import CHANNELS, EDUCATION, OCCUPATION

DEFAULT_FILE = "form_mapping_default.yaml"
MAX_MAPPING_BYTES = 64 * 1024
MAX_SHOWN = 80  # characters of a cell quoted in a message
MAX_HEADER_SHOWN = 300  # characters of a header (a question text) shown

PROFILE = ("sex", "age", "education", "occupation", "service_type", "suggestion")
META = ("submitted_at", "response_id", "ignore")
TARGETS = (*ELEMENTS, *PROFILE, *META)
VOCABULARY: dict[str, tuple[str, ...]] = {"sex": ("L", "P"), "education": EDUCATION, "occupation": OCCUPATION}
DATE_ORDERS = ("dmy", "mdy")
_TOP_KEYS = {"version", "unit_id", "columns", "recognise", "labels", "date_order", "timezone", "timestamps_utc",
             "channel", "units"}
_UNIT_KEYS = _TOP_KEYS - {"version", "unit_id", "units"}


class MappingError(Exception):
    """The mapping file cannot be used; `errors` are problem+json entries (pointer /mapping/...)."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} kesalahan pada berkas pemetaan")
        self.errors = errors


# --------------------------------------------------------------------------- normalisation

_ADDRESS = {"bapak", "bpk", "ibu", "saudara", "saudari", "sdr", "sdri", "anda"}
_NUMBER_WORDS = {"no", "nomor", "pertanyaan", "soal", "unsur", "item", "butir", "q", "p", "u"}
_NUMBER = re.compile(r"(?:q|p|u)?\d{1,2}[a-z]?")
_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")
_OPTION = re.compile(r"^\s*(?:\(\s*[a-d1-4]\s*\)|[a-d1-4]\s*[.):]|[1-4]\s*[-\u2013\u2014=]|[a-d]\s*[-\u2013\u2014])\s*",
                     re.IGNORECASE)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())


def norm(text: str) -> str:
    """Case, space and punctuation blind form of a header or label; forms of address as 'saudara'."""
    out: list[str] = []
    for t in _tokens(text):
        if t in _ADDRESS:
            t = "saudara"
        elif t == "i" and out and out[-1] == "saudara":
            continue  # "Saudara/i"
        if t == "saudara" and out and out[-1] == "saudara":
            continue  # "Bapak/Ibu"
        out.append(t)
    return " ".join(out)


def strip_number(normalised: str) -> str:
    """`normalised` without a numbering prefix ("1 persyaratan", "u1 persyaratan", "unsur 1 …")."""
    t = normalised.split(" ")
    if len(t) > 2 and t[0] in _NUMBER_WORDS and _NUMBER.fullmatch(t[1]):
        return " ".join(t[2:])
    if len(t) > 1 and _NUMBER.fullmatch(t[0]):
        return " ".join(t[1:])
    return normalised


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """A cell or header as quoted in a message: control characters replaced, at most `limit` characters."""
    s = "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in _to_text(value)[:limit + 1])
    return s if len(s) <= limit else s[:limit] + "…"


# --------------------------------------------------------------------------- the mapping

@dataclass
class FormMapping:
    """`recognise`: normalised header → candidate targets in order (the uploaded file's first);
    `priority`: normalised header → rank among the candidates of submitted_at/response_id (lower wins);
    `labels`, `file_labels`: target → normalised label → (score 1-4 | vocabulary value, label as written),
    the built-in ones and the uploaded file's (looked up first)."""
    recognise: dict[str, tuple[str, ...]] = field(default_factory=dict)
    from_file: set[str] = field(default_factory=set)
    priority: dict[str, int] = field(default_factory=dict)
    labels: dict[str, dict[str, tuple[Any, str]]] = field(default_factory=dict)
    file_labels: dict[str, dict[str, tuple[Any, str]]] = field(default_factory=dict)
    timestamps_utc: set[str] = field(default_factory=set)
    date_order: str = "dmy"
    timezone: str | None = None
    channel: str = "web"
    source: str = "default"


def _err(pointer: str, message: str) -> dict:
    return {"row": None, "column": None, "pointer": "/mapping" + pointer, "field": "mapping", "message": message}


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _target(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    if key in ("timestamp", "waktu_isi", "cap_waktu"):
        return "submitted_at"
    if key in ("ignore", "abaikan"):
        return "ignore"
    return _HEADER_MAP.get(key)


def _target_error(pointer: str, raw: Any) -> dict:
    if isinstance(raw, str) and re.fullmatch(r"[uU][1-9]", raw.strip()):
        return _err(pointer, f"Target '{raw.strip()}' tidak dipakai: urutan unsur 8 dan 9 berbeda antara daftar "
                             f"definisi dan contoh kuesioner. Tulis nama unsur, mis. persyaratan atau U1_PERSYARATAN.")
    return _err(pointer, f"Target '{shown(raw)}' tidak dikenal; gunakan salah satu dari: {', '.join(TARGETS)}.")


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (no 'billion laughs' through shared nodes)."""

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML API
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", event.start_mark)
        node = super().compose_node(parent, index)
        if node is not None and getattr(node, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "anchors are not allowed", node.start_mark)
        return node


def _parse_yaml(data: bytes) -> dict:
    if len(data) > MAX_MAPPING_BYTES:
        raise MappingError([_err("", f"Berkas pemetaan lebih dari {MAX_MAPPING_BYTES // 1024} KB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError([_err("", "Berkas pemetaan harus teks YAML berenkode UTF-8.")]) from None
    if "\x00" in text:
        raise MappingError([_err("", "Berkas pemetaan memuat karakter NUL.")])
    try:
        doc = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (baris {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "format tidak valid"
        raise MappingError([_err("", f"Berkas pemetaan bukan YAML yang valid{where}: {shown(problem)}.")]) from None
    except RecursionError:  # PyYAML composes recursively: "[[[[..." nested thousands deep
        raise MappingError([_err("", "Berkas pemetaan bersarang terlalu dalam.")]) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise MappingError([_err("", "Berkas pemetaan harus berisi objek YAML (kunci: columns, labels, ...).")])
    return doc


def _add_header(m: FormMapping, header: Any, target: str, *, user: bool, rank: int) -> None:
    key = norm(_to_text(header))
    if not key:
        return
    if user:
        if key not in m.from_file:  # the file's entry replaces the defaults for this header
            m.recognise[key] = ()
            m.from_file.add(key)
    if target not in m.recognise.get(key, ()):
        m.recognise[key] = (*m.recognise.get(key, ()), target)
    if target in ("submitted_at", "response_id") and (user or key not in m.priority):
        m.priority[key] = rank


def _apply(m: FormMapping, doc: dict, pointer: str, *, user: bool, errors: list[dict], keys: set[str]) -> None:
    for k in doc:
        if k not in keys:
            errors.append(_err(f"{pointer}/{_esc(str(k))}", f"Kunci '{shown(k)}' tidak dikenal; kunci yang boleh: "
                                                             f"{', '.join(sorted(keys))}."))
    rank = -1_000_000 + len(m.priority) if user else len(m.priority)
    columns = doc.get("columns")
    if columns is not None:
        if not isinstance(columns, dict):
            errors.append(_err(f"{pointer}/columns", "columns harus berupa pasangan judul kolom: target."))
        else:
            for header, raw in columns.items():
                p = f"{pointer}/columns/{_esc(str(header))}"
                target = _target(raw)
                if target is None:
                    errors.append(_target_error(p, raw))
                elif not norm(_to_text(header)):
                    errors.append(_err(p, "Judul kolom kosong atau hanya tanda baca."))
                else:
                    _add_header(m, header, target, user=user, rank=rank)
                    rank += 1
    recognise = doc.get("recognise")
    if recognise is not None:
        if not isinstance(recognise, dict):
            errors.append(_err(f"{pointer}/recognise", "recognise harus berupa pasangan target: daftar judul kolom."))
        else:
            for raw, headers in recognise.items():
                p = f"{pointer}/recognise/{_esc(str(raw))}"
                target = _target(raw)
                if target is None:
                    errors.append(_target_error(p, raw))
                    continue
                if isinstance(headers, (str, int, float)):
                    headers = [headers]
                if not isinstance(headers, list) or not all(isinstance(h, (str, int, float)) for h in headers):
                    errors.append(_err(p, "Isi dengan daftar judul kolom."))
                    continue
                for h in headers:
                    _add_header(m, h, target, user=user, rank=rank)
                    rank += 1
    _apply_labels(m, doc.get("labels"), pointer, errors, user)
    if "date_order" in doc:
        if doc["date_order"] not in DATE_ORDERS:
            errors.append(_err(f"{pointer}/date_order", "date_order harus dmy (hari/bulan/tahun) atau mdy."))
        else:
            m.date_order = doc["date_order"]
    if "timezone" in doc:
        tz = doc["timezone"]
        try:
            if not isinstance(tz, str) or not re.fullmatch(r"[A-Za-z0-9_+\-/]{1,64}", tz):
                raise ZoneInfoNotFoundError(tz)
            ZoneInfo(tz)
            m.timezone = tz
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(_err(f"{pointer}/timezone", f"Zona waktu '{shown(tz)}' tidak dikenal (mis. Asia/Makassar)."))
    if "timestamps_utc" in doc:
        v = doc["timestamps_utc"]
        if not isinstance(v, list) or not all(isinstance(h, str) for h in v):
            errors.append(_err(f"{pointer}/timestamps_utc", "Isi dengan daftar judul kolom."))
        else:
            m.timestamps_utc.update(norm(h) for h in v)
    if "channel" in doc:
        if doc["channel"] not in CHANNELS:
            errors.append(_err(f"{pointer}/channel", f"channel harus salah satu dari: {', '.join(CHANNELS)}."))
        else:
            m.channel = doc["channel"]


def _apply_labels(m: FormMapping, labels: Any, pointer: str, errors: list[dict], user: bool) -> None:
    if labels is None:
        return
    if not isinstance(labels, dict):
        errors.append(_err(f"{pointer}/labels", "labels harus berupa pasangan unsur: {label: skor}."))
        return
    for raw, table in labels.items():
        p = f"{pointer}/labels/{_esc(str(raw))}"
        target = "*" if raw == "*" else _target(raw)
        if target not in (*ELEMENTS, "*", *VOCABULARY):
            errors.append(_err(p, f"Label hanya untuk unsur ({', '.join(ELEMENTS)}), '*' (semua unsur) atau "
                                  f"{', '.join(VOCABULARY)}; bukan '{shown(raw)}'."))
            continue
        if not isinstance(table, dict):
            errors.append(_err(p, "Isi dengan pasangan label: nilai."))
            continue
        into = (m.file_labels if user else m.labels).setdefault(target, {})
        for label, value in table.items():
            lp = f"{p}/{_esc(str(label))}"
            key = norm(_to_text(label))
            if not key:
                errors.append(_err(lp, "Label kosong atau hanya tanda baca."))
            elif target in VOCABULARY:
                if value not in VOCABULARY[target]:
                    errors.append(_err(lp, f"Nilai harus salah satu dari: {', '.join(VOCABULARY[target])}."))
                else:
                    into[key] = (value, _to_text(label))
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
                errors.append(_err(lp, "Skor label harus bilangan bulat 1-4."))
            else:
                into[key] = (value, _to_text(label))


_DEFAULT: dict | None = None


def default_document() -> dict:
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        _DEFAULT = yaml.safe_load(text)
    return _DEFAULT


def load_mapping(data: bytes | None, unit_id: str) -> FormMapping:
    """The default mapping, with the uploaded mapping file (if any) laid over it for `unit_id`.
    Raises MappingError listing every problem of the file."""
    m = FormMapping()
    errors: list[dict] = []
    _apply(m, default_document(), "", user=False, errors=errors, keys=_TOP_KEYS)
    assert not errors, errors  # the shipped file is checked by the unit tests
    if data is None:
        return m
    doc = _parse_yaml(data)
    m.source = "default+file"
    if "version" in doc and doc["version"] != 1:
        errors.append(_err("/version", "Versi berkas pemetaan yang dikenal hanya 1."))
    if "unit_id" in doc and doc["unit_id"] != unit_id:
        errors.append(_err("/unit_id", f"Berkas pemetaan ini untuk unit '{shown(doc['unit_id'])}', bukan "
                                       f"'{unit_id}'."))
    _apply(m, doc, "", user=True, errors=errors, keys=_TOP_KEYS)
    units = doc.get("units")
    if units is not None:
        if not isinstance(units, dict):
            errors.append(_err("/units", "units harus berupa pasangan unit_id: pemetaan."))
        elif isinstance(units.get(unit_id), dict):
            _apply(m, units[unit_id], f"/units/{_esc(unit_id)}", user=True, errors=errors, keys=_UNIT_KEYS)
        elif unit_id in units:
            errors.append(_err(f"/units/{_esc(unit_id)}", "Pemetaan unit harus berupa objek."))
    if errors:
        raise MappingError(errors)
    return m


# --------------------------------------------------------------------------- the header row

@dataclass
class Column:
    index: int
    letter: str
    header: str  # as written (control characters replaced, shortened)
    target: str
    matched_by: str  # "file" | "default"
    key: str = ""  # the normalised header (or grid row / unnumbered form) it matched by


@dataclass
class Resolution:
    columns: dict[str, Column] = field(default_factory=dict)  # target → the column used
    ignored: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    utc: bool = False  # the timestamp column holds UTC times when they have no offset


def _header_error(letter: str | None, target: str, message: str, header: str | None = None) -> dict:
    err = {"row": 1, "column": target, "pointer": f"/rows/1/{_esc(target)}", "field": target, "message": message}
    if letter is not None:
        err["cell"] = f"{letter}1"
    if header is not None:
        err["header"] = header
    return err


def resolve(header: list[Any], m: FormMapping, column_has_data: Callable[[int], bool]) -> Resolution:
    """Match every column of `header` (a list of cell values, padded to the sheet's width)."""
    res = Resolution()
    found: dict[str, list[tuple[int, Column]]] = {}  # target → [(rank, column)]
    duals: list[tuple[Column, str]] = []  # a header that is an unsur's and the timestamp's (ms forms)
    for i, raw in enumerate(header):
        letter = column_letters(i + 1)
        written = "" if raw is None else _to_text(raw).lstrip("\ufeff").strip()
        if not written:
            if column_has_data(i):
                res.unmatched.append({"column": letter, "header": "", "reason": "no_header"})
            continue
        full = norm(written)
        candidates = m.recognise.get(full, ())
        key = full
        if not any(t not in META for t in candidates):  # answer/profile columns: numbering, grid row
            for alt in (strip_number(full), _grid_row(written)):
                if alt and alt != full and any(t not in META for t in m.recognise.get(alt, ())):
                    fields = tuple(t for t in m.recognise[alt] if t not in META)
                    candidates, key = (*fields, *(t for t in candidates if t not in fields)), alt
                    break
        col_header = shown(written, MAX_HEADER_SHOWN)
        if not candidates:
            res.unmatched.append({"column": letter, "header": col_header})
            continue
        by = "file" if key in m.from_file else "default"
        col = Column(i, letter, col_header, candidates[0], by, key)
        elements = [t for t in candidates if t in ELEMENTS]
        if by == "default" and "submitted_at" in candidates and elements:
            duals.append((col, elements[0]))
            continue
        if col.target == "ignore":
            res.ignored.append({"column": letter, "header": col_header, "reason": "mapping"})
            continue
        found.setdefault(col.target, []).append((_rank(m, key, col), col))
    for col, element in duals:
        # e.g. "Waktu penyelesaian": the unsur waktu, or Microsoft Forms' (Indonesian) completion time.
        # It is the timestamp when another column is the unsur or when no other column is a timestamp.
        col.target = "submitted_at" if element in found or "submitted_at" not in found else element
        found.setdefault(col.target, []).append((_rank(m, col.key, col), col))
    for target, cols in found.items():
        cols.sort(key=lambda rc: (rc[0], rc[1].index))
        if target in ("submitted_at", "response_id") and not (len(cols) > 1 and cols[1][1].matched_by == "file"):
            res.columns[target] = cols[0][1]
            for _, other in cols[1:]:
                res.ignored.append({"column": other.letter, "header": other.header,
                                    "reason": "another_timestamp" if target == "submitted_at" else "another_id"})
            continue
        res.columns[target] = cols[0][1]
        if len(cols) > 1:
            names = ", ".join(f"'{c.header}' (kolom {c.letter})" for _, c in cols)
            what = f"unsur {target}" if target in ELEMENTS else target
            for _, c in cols[1:]:
                res.errors.append(_header_error(c.letter, target, f"Kolom {names} sama-sama cocok dengan {what}; "
                                                f"tandai yang tidak dipakai sebagai 'ignore' di berkas pemetaan.",
                                                c.header))
    ts = res.columns.get("submitted_at")
    res.utc = bool(ts is not None and ts.key in m.timestamps_utc)
    for el in ELEMENTS:
        if el not in res.columns:
            res.errors.append(_header_error(None, el, f"Tidak ada kolom untuk unsur {el} ({ELEMENT_LABELS[el]}). "
                                            f"Petakan judul pertanyaannya ke '{el}' di berkas pemetaan (columns)."))
    if ts is None:
        res.errors.append(_header_error(None, "submitted_at", "Tidak ada kolom waktu pengisian (mis. 'Timestamp', "
                                        "'Stempel waktu', 'Completion time'). Petakan kolomnya ke 'submitted_at' di "
                                        "berkas pemetaan."))
    return res


def _rank(m: FormMapping, key: str, col: Column) -> int:
    return m.priority.get(key, 0) if col.target in ("submitted_at", "response_id") else 0


def _grid_row(written: str) -> str | None:
    match = _BRACKET.search(written)
    return strip_number(norm(match.group(1))) if match else None


# --------------------------------------------------------------------------- cells

def score(m: FormMapping, element: str, value: Any) -> tuple[int, str] | None:
    """(score 1-4, how: "label" | "number") of an answer cell, or None for an unknown answer."""
    try:
        n = _to_int(value)
    except ValueError:
        n = None
    if n is not None:
        return (n, "number") if 1 <= n <= 4 else None
    text = _to_text(value)
    tables = [layer.get(k, {}) for layer in (m.file_labels, m.labels) for k in (element, "*")]
    for candidate in (text, _OPTION.sub("", text, count=1)):
        key = norm(candidate)
        for table in tables:
            if key in table:
                return table[key][0], "label"
    return None


def choices(m: FormMapping, element: str) -> list[str]:
    """The labels an unsur column takes, best last ("Tidak sesuai, …, Sangat sesuai")."""
    seen: dict[int, str] = {}
    for layer in (m.file_labels, m.labels):
        for value, label in layer.get(element, {}).values():
            seen.setdefault(value, label)
    return [seen[k] for k in sorted(seen)]


_AGE = re.compile(r"^\s*(\d{1,3})(?:[.,]0+)?\s*(?:tahun|thn|th)?\.?\s*$", re.IGNORECASE)


def profile_value(m: FormMapping, target: str, value: Any) -> Any:
    """The profile value of a cell, or None when it is not recognised (the caller reports it)."""
    if target == "age":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                n = _to_int(value)
            except ValueError:
                return None
        else:
            match = _AGE.match(_to_text(value))
            if not match:
                return None
            n = int(match.group(1))
        return n if 10 <= n <= 120 else None
    key = norm(_to_text(value))
    for layer in (m.file_labels, m.labels):
        hit = layer.get(target, {}).get(key)
        if hit is not None:
            return hit[0]
    upper = _to_text(value).upper().strip()
    return upper if upper in VOCABULARY[target] else None
