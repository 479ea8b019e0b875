"""Identifier normalisation: the one reading of an identifier that ingest and the API share.

An identifier arrives typed by people and copied between systems: full-width letters and
digits (``ＴＡＯＢＡＯ：９０２８５７８６６``), a zero-width space pasted after it, upper-case
platform names, a USCC or id number broken up with dashes or spaces. Each is the same
identifier, so every function that turns an identifier into a uid reads it through these:

1. :func:`clean_identifier`: NFKC (full width → ASCII, ``：`` → ``:``), every format or
   control character removed (zero-width space, joiner, BOM, soft hyphen, …), surrounding
   white space stripped. Applied to every identifier.
2. :func:`compact_identifier`: also drops spaces and dashes of any kind and upper-cases:
   for USCCs and id numbers, where neither is ever significant.
3. :func:`store_key`: ``platform:shop_id`` with the platform lower-cased (platform names are
   case-free; shop ids are kept as written, after cleaning).
"""

from __future__ import annotations

import re
import unicodedata

from graph.errors import InvalidInput

__all__ = ["clean_identifier", "compact_identifier", "store_key"]

#: Unicode categories dropped from identifiers: format (Cf, e.g. U+200B) and control (Cc).
_DROPPED_CATEGORIES = frozenset({"Cf", "Cc"})
#: White space and dash punctuation (after NFKC): never significant in a USCC or id number.
_SPACES_AND_DASHES = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]+")


def clean_identifier(text: str) -> str:
    """``text`` in NFKC without format or control characters, stripped."""
    folded = unicodedata.normalize("NFKC", text)
    if not folded.isascii():
        folded = "".join(c for c in folded if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    else:
        folded = "".join(c for c in folded if c.isprintable() or c == " ")
    return folded.strip()


def compact_identifier(text: str) -> str:
    """:func:`clean_identifier`, then without spaces or dashes, upper-cased."""
    return _SPACES_AND_DASHES.sub("", clean_identifier(text)).upper()


def store_key(text: str, field: str = "store_id") -> str:
    """A store's ``platform:shop_id`` as stored: cleaned, platform lower-cased.

    Raises
    ------
    InvalidInput
        On ``field`` when the text is not ``platform:shop_id``.
    """
    platform, colon, shop = clean_identifier(text).partition(":")
    platform, shop = platform.strip().lower(), shop.strip()
    if not colon or not platform or not shop:
        raise InvalidInput("a store is named platform:shop_id", field=field)
    return f"{platform}:{shop}"
