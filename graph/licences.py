"""Administrative licences (行政许可) a business needs to sell certain goods online.

Task 八 of the source policy asks platforms to verify sellers and sellers to display "the
business licence and the administrative licences related to their business" (营业执照 and
与其经营业务有关的行政许可). The business licence is the registry record itself (the
``Business`` node); the permits below are ``Licence`` nodes, one vocabulary shared by
ingest (``licence_type`` column) and the identity check (``licence_types`` asked for).

A licence is *in force* on a date when its recorded status is ``valid``, it was issued on
or before that date and it has not expired by then; :func:`standing` says which of those
fails.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from graph.errors import InvalidInput

__all__ = [
    "LICENCE_STATUSES",
    "LICENCE_TYPES",
    "LicenceType",
    "Standing",
    "licence_type",
    "licence_uid",
    "normalise_licence_no",
    "standing",
]


@dataclass(frozen=True)
class LicenceType:
    """One kind of licence: stable code, its Chinese and English names, usual term."""

    code: str
    name_zh: str
    name_en: str
    term_years: int


#: The documented vocabulary (docs/formats.md); the code is what is stored.
_TYPES: tuple[LicenceType, ...] = (
    LicenceType("food_operation", "食品经营许可证", "food operation licence", 5),
    LicenceType("food_production", "食品生产许可证", "food production licence", 5),
    LicenceType("drug_operation", "药品经营许可证", "drug operation licence", 5),
    LicenceType(
        "medical_device_operation", "医疗器械经营许可证", "medical device operation licence", 5
    ),
    LicenceType("publication_operation", "出版物经营许可证", "publication operation licence", 6),
    LicenceType("icp", "ICP经营许可证", "ICP commercial licence", 5),
)

LICENCE_TYPES: MappingProxyType[str, LicenceType] = MappingProxyType({t.code: t for t in _TYPES})

#: Chinese names (and the ICP licence's formal name) accepted in place of the code.
_ALIASES: dict[str, str] = {
    **{unicodedata.normalize("NFKC", t.name_zh): t.code for t in _TYPES},
    "增值电信业务经营许可证": "icp",
}

#: Recorded statuses: as the issuing authority last recorded them.
LICENCE_STATUSES: tuple[str, ...] = ("valid", "suspended", "revoked", "expired")


class Standing(StrEnum):
    """A licence's standing on a given date."""

    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


def licence_type(value: str, field: str = "licence_type") -> LicenceType:
    """The licence type named by its code or Chinese name; InvalidInput naming ``field``."""
    text = "".join(unicodedata.normalize("NFKC", value).split())
    code = text if text in LICENCE_TYPES else _ALIASES.get(text)
    if code is None:
        raise InvalidInput(
            f"{value!r} is not a licence type; one of {', '.join(LICENCE_TYPES)}", field=field
        )
    return LICENCE_TYPES[code]


def normalise_licence_no(value: str) -> str:
    """Half-width, upper case, without white space (licence numbers mix 浙, letters, digits)."""
    return "".join(unicodedata.normalize("NFKC", value).upper().split())


def licence_uid(code: str, number: str) -> str:
    """The uid of a licence: ``licence:<type code>:<normalised number>``."""
    text = normalise_licence_no(number)
    if not text:
        raise InvalidInput("empty licence number", field="licence_no")
    return f"licence:{code}:{text}"


def standing(status: str | None, issued: date | None, expires: date | None, on: date) -> Standing:
    """The licence's standing on ``on``: revocation and suspension first, then the dates."""
    if status == "revoked":
        return Standing.REVOKED
    if status == "suspended":
        return Standing.SUSPENDED
    if status == "expired" or (expires is not None and expires < on):
        return Standing.EXPIRED
    if issued is not None and issued > on:
        return Standing.NOT_YET_VALID
    return Standing.VALID
