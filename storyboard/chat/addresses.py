"""Where a webhook may post: public addresses only, unless CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES.

A webhook address is typed by an admin, and Storyboard posts to it from inside the network:
without this check it could reach loopback, internal services or a cloud's metadata service
(169.254.169.254). The name is resolved, every address it gives is checked, and the post
connects to the checked address (delivery.py pins it), so a name that resolves anew between
the check and the connection (DNS rebinding) cannot swap in an internal one.
"""
from __future__ import annotations

import ipaddress
import socket

from flask import current_app

NOT_PUBLIC = ("{host} is a private or internal address ({address}); Storyboard only posts to addresses "
              "on the internet. (An operator can allow a receiver on your own network: "
              "CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES.)")


class Refused(Exception):
    """The destination is not one Storyboard may post to; the message says why."""


def allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified
                                 or ip.is_multicast or ip.is_reserved)


def private_allowed() -> bool:
    return bool(current_app.config.get("CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"))


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to; raises socket.gaierror when it resolves to none."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked(host: str, port: int) -> str:
    """The address to connect to: `host` resolved, every address checked. Raises Refused, or
    socket.gaierror when the name does not resolve."""
    addresses = resolve(host, port)
    if not private_allowed():
        for address in addresses:
            if not allowed(address):
                raise Refused(NOT_PUBLIC.format(host=host, address=address))
    return addresses[0]


def form_problem(host: str, port: int) -> str | None:
    """For the admin's form: why this host is refused, or None. A name that does not resolve
    now is accepted (it may later); it is checked again before every post."""
    try:
        checked(host, port)
    except Refused as refused:
        return str(refused)
    except (OSError, UnicodeError):
        return None
    return None
