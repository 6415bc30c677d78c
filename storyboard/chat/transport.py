"""One POST to a webhook: to the address that was checked, within a wall-clock deadline.

requests resolves the name itself when it connects, so a check made before could be answered
differently then (DNS rebinding). The adapter here connects to the address addresses.checked
returned instead, while the Host header, TLS SNI and the certificate check keep the name.

requests' read timeout is per read: a receiver that drips its answer a byte at a time could keep
a post going past the delivery's lease (and another sender would post it again). A timer shuts
the socket when the deadline passes, whatever phase the exchange is in. The body is never read:
only the status code counts. Name resolution happens before the timer starts; a resolver that
hangs is bounded by the system's resolver timeouts, well under the lease's 30 s of margin.
"""
from __future__ import annotations

import contextlib
import socket
import threading

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from storyboard.chat.addresses import checked


class DeadlinePassed(Exception):
    """The receiver did not finish answering within the deadline."""


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        self.connections: list[HTTPConnection] = []
        self.cut_off = False
        super().__init__(max_retries=0)  # calls init_poolmanager: the attributes above first

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": self._pool(HTTPConnectionPool, HTTPConnection),
                                                   "https": self._pool(HTTPSConnectionPool, HTTPSConnection)}

    def _pool(self, pool_base: type, connection_base: type) -> type:
        adapter = self

        class Connection(connection_base):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                adapter.connections.append(self)

            def _new_conn(self):
                # urllib3 opens the socket to _dns_host (also what `host` reads): the checked
                # address for that moment only, the name again for Host, SNI and the certificate.
                name, self._dns_host = self._dns_host, adapter.address
                try:
                    return super()._new_conn()
                finally:
                    self._dns_host = name

        return type(f"Pinned{pool_base.__name__}", (pool_base,), {"ConnectionCls": Connection})

    def cut(self) -> None:
        self.cut_off = True
        for connection in self.connections:
            if connection.sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    connection.sock.shutdown(socket.SHUT_RDWR)


def post(url: str, host: str, port: int, body: bytes, headers: dict[str, str], timeout: float,
         deadline: float) -> int:
    """The receiver's status code. Raises addresses.Refused, OSError (the name does not resolve),
    DeadlinePassed, or requests' exceptions."""
    adapter = _PinnedAdapter(checked(host, port))
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the connection goes to the checked address
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    timer = threading.Timer(deadline, adapter.cut)
    timer.daemon = True
    timer.start()
    try:
        response = session.post(url, data=body, headers=headers, timeout=(timeout, timeout),
                                allow_redirects=False, stream=True)
        response.close()
    except requests.RequestException:
        if adapter.cut_off:
            raise DeadlinePassed from None
        raise
    finally:
        timer.cancel()
        session.close()
    if adapter.cut_off:  # a shut socket can also read as the end of the headers: not an answer
        raise DeadlinePassed
    return response.status_code
