#!/usr/bin/env python3
"""Convert bilingual call sites to catalog messages (pantau/messages.py).

    ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.")
 -> ProblemError(404, msg("Unit not found."))

and adds the English msgid with its Indonesian and English texts to pantau/locale/{id,en}. An
f-string becomes %-parameters named after the expression (`{p.unit_id}` -> `%(unit_id)s`, passed
as `unit_id=p.unit_id`). Calls whose texts are not literals (a variable, a call) are reported and
left as they are.

    python scripts/convert_messages.py FILE... [--call NAME:ID_ARG:EN_ARG] [--dry-run]

ID_ARG / EN_ARG: a positional index or a keyword name. Defaults: ProblemError:1:detail_en and
problem:1:detail_en. Afterwards run `ruff check --fix` (import order) and `make messages`.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

DEFAULT_CALLS = ["ProblemError:1:detail_en", "problem:1:detail_en"]


class Skip(Exception):
    pass


def _arg(call: ast.Call, where: str) -> ast.expr | None:
    if where.isdigit():
        i = int(where)
        return call.args[i] if i < len(call.args) and not isinstance(call.args[i], ast.Starred) else None
    return next((k.value for k in call.keywords if k.arg == where), None)


def _name_of(expr: ast.expr, src: str, used: dict[str, str]) -> str:
    """A parameter name for `expr`, the same for the same expression text."""
    text = ast.get_source_segment(src, expr) or ""
    for name, seen in used.items():
        if seen == text:
            return name
    if isinstance(expr, ast.Name):
        base = expr.id
    elif isinstance(expr, ast.Attribute):
        base = expr.attr
    elif isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
        key = str(expr.slice.value)
        container = expr.value.id if isinstance(expr.value, ast.Name) else (
            expr.value.attr if isinstance(expr.value, ast.Attribute) else "value")
        base = key if key.isidentifier() else f"{container}_{key}"
    else:
        base = "value"
    base = re.sub(r"\W", "_", base).strip("_").lower() or "value"
    if not base.isidentifier() or base[0].isdigit():
        base = f"value_{base}"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used[name] = text
    return name


def _template(node: ast.expr, src: str, used: dict[str, str]) -> tuple[str, bool]:
    """The %-template of a literal or f-string, and whether it has parameters."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if not isinstance(node, ast.JoinedStr):
        raise Skip(f"not a literal: {ast.get_source_segment(src, node)}")
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value).replace("%", "%%"))
            continue
        assert isinstance(part, ast.FormattedValue)
        name = _name_of(part.value, src, used)
        spec = ""
        if part.format_spec is not None:
            pieces = part.format_spec.values if isinstance(part.format_spec, ast.JoinedStr) else []
            if not all(isinstance(p, ast.Constant) for p in pieces):
                raise Skip("a computed format spec")
            spec = "".join(str(p.value) for p in pieces if isinstance(p, ast.Constant))
        conv = {-1: "s", 115: "s", 114: "r", 97: "a"}[part.conversion]
        if spec:
            if conv != "s" or not re.fullmatch(r"[-+ 0#]*\d*(\.\d+)?[dfgeEGxXo]", spec):
                raise Skip(f"format spec {spec!r}")
            out.append(f"%({name}){spec}")
        else:
            out.append(f"%({name}){conv}")
    return "".join(out), True


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _wrapped(text: str, column: int, width: int = 116) -> str:
    """`text` quoted, as implicitly joined literals on lines starting at `column` if it runs long."""
    room = max(40, width - column - 2)
    if len(_quote(text)) <= room:
        return _quote(text)
    chunks, rest = [], text
    while len(rest) > room:
        cut = rest.rfind(" ", 0, room)
        cut = room if cut <= 0 else cut + 1
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return ("\n" + " " * column).join(_quote(c) for c in chunks)


def _offsets(src: str) -> list[int]:
    starts, pos = [0], 0
    for line in src.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def convert(path: Path, calls: dict[str, tuple[str, str]], entries: dict[str, str], report: list[str]) -> str:
    src = path.read_text()
    tree = ast.parse(src)
    starts = _offsets(src)

    def off(line: int, col: int) -> int:  # ast columns are UTF-8 byte offsets
        return starts[line - 1] + len(src[starts[line - 1]:starts[line]].encode()[:col].decode())

    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fname = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        if fname not in calls:
            continue
        id_at, en_at = calls[fname]
        id_node, en_node = _arg(node, id_at), _arg(node, en_at)
        where = f"{path}:{node.lineno}"
        if id_node is None or en_node is None:
            if id_node is not None and not (isinstance(id_node, ast.Call) and getattr(id_node.func, "id", "") == "msg"):
                report.append(f"{where}: no English text, left as it is")
            continue
        used: dict[str, str] = {}
        try:
            en, en_params = _template(en_node, src, used)
            id_, id_params = _template(id_node, src, used)
        except Skip as exc:
            report.append(f"{where}: {exc}, left as it is")
            continue
        if used and not (en_params and id_params) or set(re.findall(r"%\((\w+)\)", en)) != set(
                re.findall(r"%\((\w+)\)", id_)):
            report.append(f"{where}: the two texts have different parameters, left as it is")
            continue
        if not used:  # no parameters: no %-formatting, so a literal % stays single
            en, id_ = en.replace("%%", "%"), id_.replace("%%", "%")
        if entries.get(en, id_) != id_:
            report.append(f"{where}: {en!r} already translated as {entries[en]!r}, not {id_!r}")
        entries.setdefault(en, id_)
        params = "".join(f", {name}={text}" for name, text in used.items())
        line_start = starts[id_node.lineno - 1]
        column = off(id_node.lineno, id_node.col_offset) - line_start + len("msg(")
        new = f"msg({_wrapped(en, column)}{params})"
        edits.append((off(id_node.lineno, id_node.col_offset),
                      off(id_node.end_lineno or id_node.lineno, id_node.end_col_offset or 0), new))
        # drop the English argument with the separator before it
        en_start = off(en_node.lineno, en_node.col_offset)
        if not en_at.isdigit():
            kw = next(k for k in node.keywords if k.arg == en_at)
            en_start = off(kw.lineno, kw.col_offset)
        en_end = off(en_node.end_lineno or en_node.lineno, en_node.end_col_offset or 0)
        comma = src.rindex(",", 0, en_start)
        edits.append((comma, en_end, ""))
    out = src
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    if edits and not re.search(r"^from (pantau|\.+)(\.messages)? import .*\bmsg\b", out, re.M):
        module = "pantau.messages" if not str(path.resolve()).startswith(str(ROOT / "pantau")) else ".messages"
        first = re.search(r"^(from \S+ import .*|import .*)$", out, re.M)
        lines = out.splitlines(keepends=True)
        # after the last top-level import of the module's import block
        last = max(i for i, line in enumerate(lines[:200]) if re.match(r"(from \S+ import|import )", line))
        while lines[last].rstrip().endswith(("(", ",")) or (lines[last].count("(") > lines[last].count(")")):
            last += 1
        lines.insert(last + 1, f"from {module} import msg\n")
        out = "".join(lines) if first else out
    return out


def update_catalogs(entries: dict[str, str]) -> None:
    for lang in ("id", "en"):
        path = ROOT / "pantau" / "locale" / lang / "LC_MESSAGES" / "pantau.po"
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang, domain="pantau")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain="pantau", project="pantau")
        for en, id_ in entries.items():
            text = id_ if lang == "id" else en
            existing = catalog.get(en)
            if existing is None:
                catalog.add(en, text, flags=("python-format",) if "%(" in en else ())
            elif not existing.string:
                existing.string = text
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--call", action="append", default=[], help="NAME:ID_ARG:EN_ARG")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    calls = {}
    for spec in DEFAULT_CALLS + args.call:
        name, id_at, en_at = spec.split(":")
        calls[name] = (id_at, en_at)
    entries: dict[str, str] = {}
    report: list[str] = []
    for path in args.files:
        out = convert(path, calls, entries, report)
        if not args.dry_run and out != path.read_text():
            path.write_text(out)
    if not args.dry_run:
        update_catalogs(entries)
    print(f"{len(entries)} messages", file=sys.stderr)
    for line in report:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
