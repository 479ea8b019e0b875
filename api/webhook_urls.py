"""Which URLs a webhook may point at: public http(s) hosts, no credentials.

A webhook makes the server send requests where a client says, so a URL must not reach into
the regulator's own network (loopback, private, link-local, shared, multicast, reserved,
unspecified addresses) whatever its spelling: ``localhost.``, ``127.1``, ``2130706433``,
``0x7f000001``, ``0177.0.0.1``, ``[::1]``, ``[::ffff:127.0.0.1]``, full-width letters. Those
spellings are read here as the resolver would read them, not only as the URL parser
normalised them. Credentials in the URL (``user:pass@``) are refused: they would be
stored and shown back. Errors never repeat the URL (it may carry a secret).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from urllib.parse import urlsplit

from graph.errors import InvalidInput

__all__ = ["check_webhook_url", "is_public_address"]

#: Names that resolve to this machine on common systems, beyond ``*.localhost``.
_LOCAL_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localdomain"}
)
#: A host made only of the characters the C resolver reads as an IPv4 number in any base.
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(reason, field="url")


def _address(host: str) -> IpAddress | None:
    """The address a literal host names (IPv4 in any base or short form, IPv6), else None."""
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(text) and any(c.isdigit() for c in text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def is_public_address(address: IpAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        for inner in (address.ipv4_mapped, address.sixtofour):
            if inner is not None:
                return is_public_address(inner)
        if address.teredo is not None:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
    )


def check_webhook_url(url: str, *, allow_private: bool, resolve: bool) -> None:
    """Refuse a webhook URL that carries credentials or names a non-public host.

    Without ``resolve`` only literal addresses and local names are judged (registration does
    no DNS lookups); with it the name is resolved and every address must be public.

    Raises
    ------
    InvalidInput
        On the field ``url``, with a reason that does not repeat the URL.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError as exc:
        raise _refuse("not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise _refuse("a webhook URL is http or https")
    if has_credentials or "@" in parts.netloc:
        raise _refuse("a webhook URL may not carry credentials (user:password@)")
    if not host:
        raise _refuse("a webhook URL needs a host")
    if allow_private:
        return
    name = unicodedata.normalize("NFKC", host).lower().rstrip(".")
    if not name or name in _LOCAL_NAMES or name.endswith(".localhost"):
        raise _refuse("the webhook host is this machine, not a public address")
    address = _address(name)
    if address is not None:
        if not is_public_address(address):
            raise _refuse("the webhook host is not a public address")
        return
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise _refuse("the webhook host does not resolve") from exc
    for info in infos:
        found = _address(str(info[4][0]))
        if found is None or not is_public_address(found):
            raise _refuse("the webhook host resolves to a non-public address")
