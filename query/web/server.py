"""Starting the reading room: check the index, choose the token, bind the socket (so the URL said
is the one that answers, and a port in use is a clear error), then run uvicorn on it."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from indexer.backend import open_documents
from indexer.errors import BadArgumentError

from ..aliases import load_aliases
from .app import create_app

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServeError(BadArgumentError):
    """The server cannot start (the port is taken, the host is not an address of this machine)."""


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Server:
    """A reading room ready to run: its app, its bound socket, and the URL to open (with the
    token when one is needed)."""

    app: FastAPI
    socket: socket.socket
    url: str
    token: str | None
    loopback: bool

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        import uvicorn

        config = uvicorn.Config(self.app, log_level="warning", access_log=False, limit_concurrency=256)
        try:
            uvicorn.Server(config).run(sockets=[self.socket])
        finally:
            self.socket.close()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServeError(f"cannot serve on host {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        hint = "; choose another with --port" if exc.errno in (98, 48) else ""
        raise ServeError(f"cannot serve on {host} port {port}: {exc.strerror}{hint}") from None
    sock.set_inheritable(True)
    return sock


def _url_host(host: str, loopback: bool) -> str:
    if not loopback and host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"[{host}]" if ":" in host else host


def start(
    index_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str | None = None,
    aliases: Path | None = None,
) -> Server:
    """A reading room over `index_dir` bound to `host`:`port` (0: a free port). Beyond loopback a
    token is always required: `token`, or a new random one."""
    open_documents(index_dir).close()  # no index, an incompatible, damaged or unreachable one: said now
    if aliases is not None:
        load_aliases(aliases)  # a missing or malformed alias file too
    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(18)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    url = f"http://{_url_host(host, loopback)}:{bound}/" + (f"?token={token}" if token else "")
    return Server(create_app(index_dir, token=token or None, loopback=loopback, aliases=aliases), sock, url,
                  token or None, loopback)  # fmt: skip
