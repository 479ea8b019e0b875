"""Identifiers: validation and the uid each kind of entity is stored under.

USCCs and resident id numbers are checked with ``python-stdnum``; id numbers are kept only
as a keyed hash (HMAC-SHA256) and a masked display form; addresses, phones and e-mails
are normalised so that one thing written two ways is one node.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent, ValidationError
from stdnum.iso7064 import mod_11_10

from graph.errors import InvalidInput
from graph.normalise import clean_identifier, compact_identifier, store_key
from graph.schema import label_of_uid

__all__ = [
    "PersonId",
    "address_uid",
    "business_uid",
    "country_alpha2",
    "email_uid",
    "fold_id",
    "hash_person_id",
    "normalise_address",
    "normalise_phone",
    "normalise_uid",
    "person_uid",
    "phone_uid",
    "prefixed",
    "store_uid",
    "subject_uid",
    "valid_cn_registration_no",
    "validate_ric",
]

_FOREIGN_ID = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?:[A-Z0-9][A-Z0-9./-]{0,39}$")
_FORMS = (
    "a USCC (18 characters), or JURISDICTION:REGISTRY_NO with an ISO 3166 alpha-2 or alpha-3 "
    "country code (HK:1234567, CHE:10000001, US-DE:7654321)"
)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 and alpha-3 codes, each to its alpha-2 code (ICU's table)."""
    import icu  # type: ignore[import-not-found, unused-ignore]  # PyICU, via followthemoney

    out: dict[str, str] = {}
    for alpha2 in icu.Locale.getISOCountries():
        out[str(alpha2)] = str(alpha2)
        alpha3 = str(icu.Locale("", alpha2).getISO3Country())
        if len(alpha3) == 3:
            out[alpha3] = str(alpha2)
    return out


def country_alpha2(code: str) -> str | None:
    """The ISO 3166 alpha-2 code of an alpha-2 or alpha-3 code (any case), None if unknown."""
    return _countries().get(code.upper())


def fold_id(text: str) -> str:
    """A registry key as stored: cleaned (:func:`graph.normalise.clean_identifier`: full
    width, format characters), no white space, upper case."""
    return re.sub(r"\s+", "", clean_identifier(text)).upper()


def valid_cn_registration_no(number: str) -> bool:
    """A pre-2015 15-digit registration number (注册号): ISO 7064 MOD 11,10 check digit."""
    return (
        len(number) == 15 and number.isdigit() and number.isascii() and mod_11_10.is_valid(number)
    )


@lru_cache(maxsize=1 << 17)
def business_uid(business_id: str) -> str:
    """The uid of a business named by USCC, or by ``JURISDICTION:REGISTRY_NO`` abroad
    (remembered for the last 131,072 texts: every file of an ingest names businesses, and
    the check is a third of the time ``businesses.csv`` takes).

    Identifiers are folded (full width, case, spaces); the jurisdiction may be an ISO 3166
    alpha-2 or alpha-3 code and is stored as alpha-2 (``CHE:10000001`` is
    ``biz:CH:10000001``). ``CN:`` keys only a mainland business without a USCC: a
    pre-2015 15-digit registration number with a valid check digit.
    """
    text = fold_id(business_id)
    if ":" in text:
        if not _FOREIGN_ID.match(text):
            raise InvalidInput(f"{business_id.strip()!r} is not {_FORMS}", field="business_id")
        jurisdiction, number = text.split(":", 1)
        country, _, subdivision = jurisdiction.partition("-")
        alpha2 = country_alpha2(country)
        if alpha2 is None:
            raise InvalidInput(
                f"{country!r} is not an ISO 3166 country code; expected {_FORMS}",
                field="business_id",
            )
        if alpha2 == "CN" and not subdivision and not valid_cn_registration_no(number):
            raise InvalidInput(
                f"{business_id.strip()!r}: a mainland business is keyed by its USCC; CN: is "
                "only for a pre-2015 15-digit registration number (注册号) with a valid check "
                "digit",
                field="business_id",
            )
        return f"biz:{alpha2}{'-' + subdivision if subdivision else ''}:{number}"
    try:
        return f"biz:{uscc.validate(compact_identifier(business_id))}"
    except ValidationError as exc:
        raise InvalidInput(
            f"{business_id.strip()!r} is not a valid USCC ({exc}); accepted: {_FORMS}",
            field="business_id",
        ) from exc


@dataclass(frozen=True)
class PersonId:
    """A person's stored identity: uid, keyed hash, masked display and id type."""

    uid: str
    id_hash: str
    id_masked: str
    id_type: str


@lru_cache(maxsize=1 << 16)
def _birth_place_known(region: str, year: int) -> bool:
    """Whether ``region`` (six digits) was a county code in ``year`` (stdnum's table)."""
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except ValidationError:
        return False
    return True


def validate_ric(number: str) -> str:
    """``stdnum.cn.ric.validate`` with the birth-place lookup cached per county and year
    (the lookup is most of its cost, and ingest checks every person)."""
    text = number if _COMPACT_RIC.fullmatch(number) else ric.compact(number)
    if not _COMPACT_RIC.fullmatch(text) or text[-1] != ric.calc_check_digit(text):
        return ric.validate(text)  # raises the precise error
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))  # ric.get_birth_date
    except ValueError:
        raise InvalidComponent() from None
    if not _birth_place_known(text[:6], born.year):
        raise InvalidComponent()
    return text


#: A resident id number as ``ric.compact`` leaves it: 17 digits and a check character.
_COMPACT_RIC = re.compile(r"[0-9]{17}[0-9X]")


def hash_person_id(id_number: str, key: str, id_type: str = "ric") -> PersonId:
    """Hash an id number with the configured key; a resident id card is checked first.
    The number is read through :func:`graph.normalise.compact_identifier`."""
    text = compact_identifier(id_number)
    if id_type == "ric":
        try:
            text = validate_ric(text)
        except ValidationError as exc:
            raise InvalidInput(f"not a valid resident id number: {exc}", field="person_id") from exc
    elif not text:
        raise InvalidInput("empty id number", field="person_id")
    digest = _digest(text, key)
    keep = 4 if len(text) > 8 else 1
    masked = text[:keep] + "*" * max(len(text) - 2 * keep, 1) + text[-keep:]
    return PersonId(f"person:{digest[:32]}", digest, masked, id_type)


def _digest(normalised_id: str, key: str) -> str:
    return hmac.new(key.encode(), normalised_id.encode(), hashlib.sha256).hexdigest()


def person_uid(id_number: str, key: str) -> str:
    """The uid a person is stored under, from an id number as other files cite it (read
    through :func:`graph.normalise.compact_identifier`, as :func:`hash_person_id` does)."""
    text = compact_identifier(id_number)
    if not text:
        raise InvalidInput("empty person id", field="person_id")
    return f"person:{_digest(text, key)[:32]}"


def normalise_address(text: str) -> str:
    """Fold full-width forms, brackets and white space so one address is one string."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", folded)


def address_uid(text: str) -> str:
    """The uid of the Address node an address text belongs to."""
    digest = hashlib.sha1(normalise_address(text).encode()).hexdigest()  # noqa: S324 - a key, not a secret
    return f"addr:{digest[:20]}"


def normalise_phone(text: str) -> str:
    """Digits only, without a leading +86 / 86 country code on mobile numbers."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) < 5:
        raise InvalidInput(f"{text!r} is not a phone number", field="phone")
    return digits


def phone_uid(text: str) -> str:
    """The uid of the Phone node for a number."""
    return f"phone:{normalise_phone(text)}"


def email_uid(text: str) -> str:
    """The uid of the Email node for an address."""
    value = text.strip().lower()
    if "@" not in value:
        raise InvalidInput(f"{text!r} is not an e-mail address", field="email")
    return f"email:{value}"


def prefixed(prefix: str, key: str, field: str) -> str:
    """A uid ``prefix:key`` for keys of the form ``namespace:id`` (key cleaned by
    :func:`graph.normalise.clean_identifier`)."""
    text = clean_identifier(key)
    if ":" not in text or text.startswith(":") or text.endswith(":"):
        raise InvalidInput(f"{key!r} must look like namespace:id", field=field)
    return f"{prefix}:{text}"


def store_uid(store_id: str, field: str = "store_id") -> str:
    """The uid of a store named ``platform:shop_id`` (platform case-free; see
    :func:`graph.normalise.store_key`)."""
    return f"store:{store_key(store_id, field)}"


def normalise_uid(text: str) -> str:
    """A uid as stored, read the way ingest reads identifiers (:mod:`graph.normalise`):
    cleaned; a USCC after ``biz:`` (18 characters once compacted) compacted, a foreign
    business's jurisdiction read as :func:`business_uid` reads it (alpha-3 → alpha-2, case
    folded: ``biz:che:10000001`` is ``biz:CH:10000001``), a store's platform lower-cased.

    Raises
    ------
    InvalidInput
        On the field ``uid`` when the text has no known label prefix (an id number or a
        USCC given bare is not a uid); the text is not repeated (it may be an id number).
    """
    value = clean_identifier(text)
    label = label_of_uid(value)
    if label is None:
        raise InvalidInput("not a uid: a label prefix and a key, e.g. biz:…", field="uid")
    prefix, _, rest = value.partition(":")
    if label == "Business" and ":" not in rest and len(compact_identifier(rest)) == 18:
        rest = compact_identifier(rest)  # a USCC, however it was written
    elif label == "Business" and ":" in rest:
        # a key ingest would not write is looked up as given (and not found)
        with contextlib.suppress(InvalidInput):
            rest = business_uid(rest).removeprefix("biz:")
    elif label == "Store":
        rest = store_key(rest, "uid")
    if not rest:
        raise InvalidInput("not a uid: the key after the prefix is empty", field="uid")
    return f"{prefix}:{rest}"


def subject_uid(subject_type: str, subject_id: str, key: str) -> str:
    """The uid of a listing's or violation's subject (business, person or store)."""
    if subject_type == "business":
        return business_uid(subject_id)
    if subject_type == "person":
        return person_uid(subject_id, key)
    if subject_type == "store":
        return store_uid(subject_id, "subject_id")
    raise InvalidInput(f"unknown subject_type {subject_type!r}", field="subject_type")
