"""Identifiers: validation and the uid each kind of entity is stored under.

USCCs and resident id numbers are checked with ``python-stdnum``; id numbers are kept only
as a keyed hash (HMAC-SHA256) and a masked display form; addresses, phones and e-mails
are normalised so that one thing written two ways is one node.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent, ValidationError

from graph.errors import InvalidInput
from graph.normalise import clean_identifier, compact_identifier, store_key
from graph.schema import label_of_uid

__all__ = [
    "PersonId",
    "address_uid",
    "business_uid",
    "email_uid",
    "hash_person_id",
    "normalise_address",
    "normalise_phone",
    "normalise_uid",
    "person_uid",
    "phone_uid",
    "prefixed",
    "store_uid",
    "subject_uid",
    "validate_ric",
]

_FOREIGN_ID = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?:[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")


def business_uid(business_id: str) -> str:
    """The uid of a business named by USCC, or by ``JURISDICTION:REGISTRY_NO`` abroad
    (read through :mod:`graph.normalise`: width, zero-width characters, dashes, case)."""
    text = clean_identifier(business_id)
    if ":" in text:
        if not _FOREIGN_ID.match(text):
            raise InvalidInput(
                f"{text!r} is neither a USCC nor JURISDICTION:REGISTRY_NO", field="business_id"
            )
        return f"biz:{text}"
    try:
        return f"biz:{uscc.validate(compact_identifier(text))}"
    except ValidationError as exc:
        raise InvalidInput(f"{text!r} is not a valid USCC: {exc}", field="business_id") from exc


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
    text = ric.compact(number)
    if len(text) != 18 or not text[:-1].isdigit() or not text[:-1].isascii():
        return ric.validate(text)  # raises the precise error
    if text[-1] != ric.calc_check_digit(text):
        return ric.validate(text)
    born = ric.get_birth_date(text)
    if not _birth_place_known(text[:6], born.year):
        raise InvalidComponent()
    return text


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
    cleaned; a USCC after ``biz:`` (18 characters once compacted) compacted, a store's
    platform lower-cased.

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
