"""Webhook URLs: public http(s) hosts only, in every spelling of a local address, and
never with credentials; the reason never repeats the URL."""

from __future__ import annotations

import pytest

from api.webhook_urls import check_webhook_url
from graph.errors import InvalidInput

REFUSED = [
    "http://localhost/",
    "http://localhost./",
    "http://LOCALHOST:8080/x",
    "http://ｌｏｃａｌｈｏｓｔ/",  # full-width letters
    "http://a.b.localhost/",
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",  # decimal
    "http://0x7f000001/",  # hex
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",  # octal
    "http://017700000001/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1./",
    "http://100.64.0.1/",  # shared address space
    "http://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
    "http://224.0.0.1/",  # multicast
    "http://239.255.255.250/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",  # reserved
    "http://[::1]/",
    "http://[::]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_local_private_or_multicast_host_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_webhook_url(url, allow_private=False, resolve=False)
    assert caught.value.field == "url"
    assert url not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2@hooks.example.com/x",
        "https://user@hooks.example.com/x",
        "https://:hunter2@hooks.example.com/x",
    ],
)
def test_credentials_are_refused_and_never_echoed(url: str) -> None:
    # even where private hosts are allowed: a secret would be stored and shown back
    for allow_private in (False, True):
        with pytest.raises(InvalidInput) as caught:
            check_webhook_url(url, allow_private=allow_private, resolve=False)
        assert "hunter2" not in str(caught.value)
        assert "user" not in caught.value.reason.replace("user:password", "")
        assert "credentials" in caught.value.reason


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/", "file:///etc/passwd", "http:///x"])
def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_webhook_url(url, allow_private=False, resolve=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/credgraph",
        "http://93.184.215.14:8443/x",
        "https://[2606:4700::1]/",
    ],
)
def test_public_hosts_pass(url: str) -> None:
    check_webhook_url(url, allow_private=False, resolve=False)


def test_private_hosts_pass_where_the_server_allows_them() -> None:
    check_webhook_url("http://127.0.0.1:9000/x", allow_private=True, resolve=False)
