"""One redaction for personal id numbers, whatever field or spelling they arrive in.

A resident id number (GB 11643: six digits of region, eight of birth date, three of
sequence and a check character) must never be written in clear: not in the audit trail,
the logs, an error body, a quarantine file or an export. Everything the system writes
that may carry caller-supplied text goes through :func:`redact` (or a :class:`Redactor`
holding the hash key), which

1. finds id-number-shaped runs: 17 digits and a digit or ``X``, where any character may be
   full width (``３３０…``), percent-encoded (``%33%33%30…``, ``%EF%BC%93…``) and
   separated from the next by one space, dash, dot, underscore, slash or ``+``; a letter
   prefix does not hide one (``person:330124…``, ``ID330124…``), a longer digit run does;
2. keeps only those whose region starts with 1–8 and whose birth date is plausible
   (so order and waybill numbers survive);
3. replaces the whole run with the keyed hash uid (``person:<32 hex>``, the uid the
   person is stored under, so the trail still says who was asked about) when a key is
   known, or a mask (``3301**********1881``) otherwise.

With ``legacy=True`` (logs and the audit trail, where over-masking costs nothing) the old
15-digit numbers (six region, YYMMDD, three sequence) are masked too.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote

__all__ = [
    "RedactingFilter",
    "RedactingStore",
    "RedactingWriter",
    "Redactor",
    "contains_id",
    "install_log_redaction",
    "redact",
    "redact_value",
    "spellings",
]

_DIGIT = r"(?:[0-9\uff10-\uff19]|%3[0-9]|%EF%BC%9[0-9])"
_X = r"(?:[xX\uff38\uff58]|%58|%78|%EF%BC%B8|%EF%BD%98)"
_SEP = r"(?:[ \t\-_./+\u3000\uff0d\u00b7]|%20|%2D|%2E|%2F|%5F|%E3%80%80|%EF%BC%8D)?"
_NOT_DIGIT_BEFORE = r"(?<![0-9\uff10-\uff19])(?<!%3[0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9\uff10-\uff19])(?!%3[0-9])"
#: A ``person:`` prefix is taken with the number, so the replacement uid stands alone.
_PREFIX = r"(?:person(?::|%3A))?"
_ID18 = re.compile(
    _PREFIX
    + _NOT_DIGIT_BEFORE
    + _DIGIT
    + (_SEP + _DIGIT) * 16
    + _SEP
    + f"(?:{_DIGIT}|{_X})"
    + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_ID15 = re.compile(
    _PREFIX + _NOT_DIGIT_BEFORE + _DIGIT + (_SEP + _DIGIT) * 14 + _NOT_DIGIT_AFTER, re.IGNORECASE
)
#: A cheap pre-check: no run could match without this many digits in the text.
_DIGITS = re.compile(r"[0-9\uff10-\uff19]")
_COMPACT_DROP = re.compile(r"[^0-9X]")


def _compact(raw: str) -> str:
    """The run as plain ASCII (``330124198008051881``): decoded, folded, separators gone."""
    text = unicodedata.normalize("NFKC", unquote(raw)).upper()
    return _COMPACT_DROP.sub("", text.removeprefix("PERSON:"))


def _plausible_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31 and 1890 <= year <= 2099


def _is_id18(text: str) -> bool:
    if len(text) != 18 or not text[:17].isdigit() or text[0] not in "12345678":
        return False
    return _plausible_date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def _is_id15(text: str) -> bool:
    if len(text) != 15 or not text.isdigit() or text[0] not in "12345678":
        return False
    return _plausible_date(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]))


def _mask(text: str) -> str:
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


class Redactor:
    """Replaces id numbers in text with the keyed hash uid (with ``key``) or a mask.

    ``mask=True`` masks even with a key (error bodies shown to a person).
    """

    def __init__(self, key: str | None = None, *, mask: bool = False, legacy: bool = False) -> None:
        self.key = key
        self.mask = mask
        self.legacy = legacy

    def _replacement(self, compact: str) -> str:
        if self.key is None or self.mask:
            return _mask(compact)
        from graph.errors import InvalidInput
        from graph.identity import hash_person_id, person_uid

        try:
            return hash_person_id(compact, self.key).uid
        except InvalidInput:  # a wrong check character or unknown region: still a person's
            return person_uid(compact, self.key)

    def _sub(self, check: Callable[[str], bool]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            compact = _compact(match.group(0))
            return self._replacement(compact) if check(compact) else match.group(0)

        return replace

    def __call__(self, text: str) -> str:
        """``text`` with every id number replaced."""
        if len(_DIGITS.findall(text)) < 15 and "%3" not in text and "%ef" not in text.lower():
            return text
        out = _ID18.sub(self._sub(_is_id18), text)
        if self.legacy:
            out = _ID15.sub(self._sub(_is_id15), out)
        return out

    def value(self, value: Any) -> Any:
        """``value`` with strings redacted inside dicts, lists and tuples (keys included)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value)
        return value


def redact(text: str, key: str | None = None, *, mask: bool = False, legacy: bool = False) -> str:
    """``text`` with every resident id number replaced (see the module docstring)."""
    return Redactor(key, mask=mask, legacy=legacy)(text)


def redact_value(value: Any, key: str | None = None, *, mask: bool = False) -> Any:
    """:func:`redact` applied to every string inside ``value`` (dicts, lists, tuples)."""
    return Redactor(key, mask=mask).value(value)


def contains_id(text: str, *, legacy: bool = False) -> bool:
    """Whether ``text`` holds an id number in any spelling :func:`redact` recognises."""
    return Redactor(None, legacy=legacy)(text) != text


def spellings(id_number: str) -> list[str]:
    """Ways the same id number may be written (for tests that grep what was written)."""
    plain = id_number.upper()
    full = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in plain)
    groups = f"{plain[:6]} {plain[6:14]} {plain[14:]}"
    return list(
        dict.fromkeys(
            [
                plain,
                plain.lower(),
                full,
                groups,
                f"{plain[:6]}-{plain[6:14]}-{plain[14:]}",
                "".join(f"%{ord(c):02X}" for c in plain),
                "".join(f"%{ord(c):02x}" for c in plain),
                quote(full),
                quote(groups),
                groups.replace(" ", "+"),
            ]
        )
    )


# -- files ---------------------------------------------------------------------------------
class RedactingWriter:
    """A text stream wrapper whose every write is redacted (exports, reports)."""

    def __init__(self, out: Any, key: str | None) -> None:
        self._out = out
        self._redact = Redactor(key)

    def write(self, text: str) -> int:
        """Write ``text`` with id numbers replaced."""
        return int(self._out.write(self._redact(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


# -- graph writes --------------------------------------------------------------------------
#: Properties that are keys or hashes: never rewritten.
_KEY_PROPS = frozenset({"uid", "rid", "src", "dst"})


_HASHED = re.compile(r"person:[0-9a-f]{32}")


def _key_holds_id(value: str) -> bool:
    """Whether a key holds an id number (a key cannot be rewritten, so it is refused)."""
    return contains_id(_HASHED.sub("", value))


def _is_key_prop(name: str) -> bool:
    return name in _KEY_PROPS or name.endswith(("_uid", "_hash", "_fp", "_key"))


class RedactingStore:
    """A store proxy whose writes carry no id number in any text property.

    The API wraps its store in one: free text a caller sends (an authority, a legal
    basis, a ring's review reason, report evidence) is written with id numbers replaced by
    the person's uid. Key properties (``uid``, ``rid``, ``src``, ``dst``, ``*_uid``,
    ``*_hash``) cannot be rewritten without breaking lookups: one holding an id number
    (a listing id made of one, say) is refused with :class:`~graph.errors.InvalidInput`.
    """

    def __init__(self, store: Any, key: str | None) -> None:
        self._store = store
        self._redact = Redactor(key)
        self.dialect = store.dialect

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _rows(self, rows: Any) -> Any:
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            return rows
        clean = self._redact
        for row in rows:
            for k, v in row.items():
                if _is_key_prop(k) and isinstance(v, str) and _key_holds_id(v):
                    from graph.errors import InvalidInput

                    raise InvalidInput(
                        "an identifier must not contain a personal id number", field=k
                    )
        return [
            {k: v if _is_key_prop(k) or not isinstance(v, str) else clean(v) for k, v in r.items()}
            for r in rows
        ]

    def upsert_nodes(self, label: str, rows: Any, *args: Any, **kwargs: Any) -> Any:
        """Upsert with text properties redacted."""
        return self._store.upsert_nodes(label, self._rows(rows), *args, **kwargs)

    def upsert_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Upsert with text properties redacted."""
        return self._store.upsert_relationships(
            rel_type, src_label, dst_label, self._rows(rows), *args, **kwargs
        )

    def set_node_properties(self, label: str, rows: Any, *args: Any, **kwargs: Any) -> Any:
        """Set properties with text redacted."""
        return self._store.set_node_properties(label, self._rows(rows), *args, **kwargs)


# -- logs ----------------------------------------------------------------------------------
_log_state: dict[str, Any] = {}


def _redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Rewrite a record in place: message, arguments, exception and stack text."""
    if isinstance(record.msg, str):
        record.msg = redactor(record.msg)
    args = record.args
    try:
        if isinstance(args, tuple):
            record.args = tuple(_redact_arg(a, redactor) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _redact_arg(v, redactor) for k, v in args.items()}
    except _NumberHeldAnId:
        # A number is the id itself: format the message now and keep only its redaction.
        record.msg, record.args = redactor(record.getMessage()), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redactor(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor(record.stack_info)


class _NumberHeldAnId(Exception):
    """A log argument formatted with ``%d`` is an id number."""


def _redact_arg(arg: Any, redactor: Redactor) -> Any:
    if isinstance(arg, str):
        return redactor(arg)
    if isinstance(arg, (bool, float)) or arg is None:
        return arg
    text = str(arg)
    cleaned = redactor(text)
    if cleaned == text:
        return arg
    if isinstance(arg, int):
        raise _NumberHeldAnId
    return cleaned


class RedactingFilter(logging.Filter):
    """A logging filter (for handlers, e.g. uvicorn's access log) that redacts id numbers."""

    def __init__(self, key: str | None = None) -> None:
        super().__init__()
        self.redactor = Redactor(key or _log_state.get("key"), legacy=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record; never drops it."""
        _redact_record(record, self.redactor)
        return True


def install_log_redaction(key: str | None = None, loggers: Iterable[str] = ()) -> None:
    """Redact id numbers in every log record this process makes, from now on.

    Installs a log-record factory (so every logger and handler sees redacted records,
    including third-party ones) and a :class:`RedactingFilter` on the named loggers'
    handlers (uvicorn's access log formats its arguments itself). Idempotent; a later call
    with a key upgrades masks to hash uids.
    """
    if key is not None:
        _log_state["key"] = key
    redactor = Redactor(_log_state.get("key"), legacy=True)
    _log_state["redactor"] = redactor
    if "previous" not in _log_state:
        previous = logging.getLogRecordFactory()
        _log_state["previous"] = previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record: logging.LogRecord = _log_state["previous"](*args, **kwargs)
            _redact_record(record, _log_state["redactor"])
            return record

        logging.setLogRecordFactory(factory)
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
