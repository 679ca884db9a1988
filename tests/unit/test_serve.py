"""`owdata serve`'s address handling: the URL links use when `APP_BASE_URL` is unset."""

from __future__ import annotations

import socket

import pytest

from app.serve import bind, served_url


@pytest.mark.parametrize(
    ("host", "name"),
    [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "localhost"), ("localhost", "localhost")],
)
def test_the_served_url_names_the_bound_port_and_a_usable_host(host: str, name: str) -> None:
    with bind(host, 0) as sock:
        port = sock.getsockname()[1]

        assert served_url(host, sock) == f"http://{name}:{port}"


def test_an_ipv6_host_is_bracketed() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        sock = bind("::1", 0)
    except OSError as exc:
        pytest.skip(f"cannot bind ::1: {exc}")
    with sock:
        assert served_url("::1", sock) == f"http://[::1]:{sock.getsockname()[1]}"


def test_the_socket_listens_once_bound() -> None:
    with bind("127.0.0.1", 0) as sock, socket.create_connection(sock.getsockname(), timeout=5):
        pass  # accepted into the backlog: nobody has called accept() yet
