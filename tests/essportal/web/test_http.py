import pytest
from django.test import RequestFactory

from essportal.web.http import client_ip


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "", "10.0.0.1"),
        (0, "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is the client's word
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry was forged
        (2, "198.51.100.66, 203.0.113.9, 192.0.2.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: fall back
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
