"""User-facing messages through gettext catalogs read with Babel (docs/decisions/0008-messages.md).

A message is written once, in English, where it is raised: `msg("Unit not found.")` or with
%-parameters `msg("The parameter %(name)s is empty.", name=name)`. Its text is chosen when it is
rendered, from the catalog of the request's language (`pantau/locale/<lang>/LC_MESSAGES/pantau.po`,
Indonesian by default, English with `Accept-Language: en`). The `.po` files are read as they are
(no compiled `.mo` to forget on a fresh clone); `make messages` extracts the ids from the code and
updates both catalogs, and tests/unit/test_messages.py fails on a missing or stale entry.
"""
from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "pantau"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LOCALE_DIR = Path(__file__).with_name("locale")


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalog(lang: str) -> Catalog:
    """The catalog of `lang`, read from its `.po` once per process."""
    with catalog_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@functools.cache
def translations(lang: str) -> Translations:
    """The catalog of `lang` as gettext translations."""
    buf = io.BytesIO()
    write_mo(buf, catalog(lang), use_fuzzy=False)  # in memory: gettext reads the compiled form only
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def request_language() -> str:
    """The language the current request asks for (`Accept-Language`), Indonesian outside a request."""
    try:
        from flask import request
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    except RuntimeError:  # no request context
        return DEFAULT_LANGUAGE


def gettext(text: str, lang: str | None = None) -> str:
    """`text` (an English msgid) in `lang` (the request's by default); itself if not in the catalog."""
    return translations(lang or request_language()).gettext(text)


class Message:
    """A message id and its parameters, rendered in a language only when it is shown."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict[str, Any]):
        self.msgid, self.params = msgid, params

    def render(self, lang: str | None = None) -> str:
        text = gettext(self.msgid, lang)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"msg({self.msgid!r}{''.join(f', {k}={v!r}' for k, v in self.params.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)


def msg(msgid: str, **params: Any) -> Message:
    """A lazy message: `msgid` is the English text, with `%(name)s` for each of `params`."""
    return Message(msgid, params)


_ = msg


def N_(msgid: str) -> str:
    """Marks a text for the catalogs without translating it (a message another library words)."""
    return msgid


# marshmallow's own messages (and pantau.inputs' field messages), translated by `translate`
FIELD_MESSAGES = [
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Not a valid integer."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Invalid input type."),
    N_("Field may not be null."),
    N_("Not a valid aware datetime."),
    N_("Not a valid URL."),
    N_("Not a valid email address."),
    N_("Control characters (line breaks, tabs, NUL, ...) are not allowed."),
    N_("Control characters other than line breaks and tabs (e.g. NUL) are not allowed."),
]

# parametrized messages as marshmallow's validators word them (and pantau.inputs): translated by
# their template. Every catalog id with `{name}` parts is such a template (a schema's own
# `error=N_("... {min} and {max}.")` too): the catalog translates it, and the parts are filled in
# again from the message.
FIELD_TEMPLATES = [
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),  # validate.Range
    N_("Must be one of: {choices}."),  # validate.OneOf
    N_("Longer than maximum length {max}."),  # validate.Length
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Must lie between {lo} and {hi}."),  # pantau.inputs: date windows
]


def _pattern(template: str) -> re.Pattern[str]:
    parts, seen, regex = re.split(r"\{(\w+)\}", template), set(), []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part))
        else:  # a part named twice is the same text twice
            regex.append(f"(?P={part})" if part in seen else f"(?P<{part}>.+?)")
            seen.add(part)
    return re.compile(f"^{''.join(regex)}$", re.DOTALL)


@functools.cache
def templates() -> list[tuple[str, re.Pattern[str]]]:
    """Every template of the catalogs (an id with `{name}` parts) and the pattern of its messages."""
    ids = [m.id for m in catalog(DEFAULT_LANGUAGE) if isinstance(m.id, str) and re.search(r"\{\w+\}", m.id)]
    return [(t, _pattern(t)) for t in sorted(ids, key=len, reverse=True)]  # the most specific first


def translate(message: str, lang: str | None = None) -> str:
    """A field message (marshmallow's English, or a text of our own) in `lang` (the request's by
    default): through the catalog, a parametrized one by its template; unknown text unchanged."""
    lang = lang or request_language()
    text = gettext(message, lang)
    if text != message:
        return text
    for template, pattern in templates():
        m = pattern.match(message)
        if m:
            return gettext(template, lang).format(**m.groupdict())
    return message
