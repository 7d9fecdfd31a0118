"""A TCP proxy for fault injection between the app and Neo4j (Bolt passes through as bytes).

It forwards connections to an upstream port and can, on demand:

* ``cut_all()`` — close every open connection at once;
* ``mode = "refuse"`` — accept new connections and close them at once (a server that is
  down); ``"blackhole"`` — accept them and never answer (a network that drops packets);
* ``arm(after=..., at=..., deliver=...)`` — on the next connection whose client sends the
  bytes ``after`` (e.g. a statement's text), cut it when the client then sends ``at`` (e.g.
  Bolt's COMMIT message; None: at once): before passing it on (``deliver=False``: the server
  never sees it) or after the server answered it (``deliver=True``: a COMMIT committed, but
  the answer is lost).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

#: Bolt's COMMIT message as a chunk: size 2, struct marker B0 (no fields), tag 12, end 00 00.
BOLT_COMMIT = b"\x00\x02\xb0\x12\x00\x00"


@dataclass
class Trigger:
    after: bytes
    at: bytes | None
    deliver: bool
    fired: threading.Event = field(default_factory=threading.Event)


class _Link:
    """One proxied connection: client <-> upstream, pumped by two threads."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.tail = b""  # the last bytes the client sent, for matches across reads
        self.primed = False
        self.drop_answer = False
        self.closed = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._client_to_server, daemon=True).start()
        threading.Thread(target=self._server_to_client, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.proxy.forget(self)

    def _client_to_server(self) -> None:
        try:
            while not self.closed.is_set():
                data = self.client.recv(65536)
                if not data:
                    break
                if self._fires(data):
                    trigger = self.proxy.trigger
                    assert trigger is not None
                    if not trigger.deliver:
                        trigger.fired.set()
                        self.proxy.cuts += 1
                        break  # the server never sees it
                    self.drop_answer = True
                self.upstream.sendall(data)
        except OSError:
            pass
        self.close()

    def _fires(self, data: bytes) -> bool:
        """Whether ``data`` is the moment the armed trigger names, on this connection."""
        trigger = self.proxy.trigger
        if trigger is None or trigger.fired.is_set():
            return False
        window = self.tail + data
        if not self.primed:
            self.primed = trigger.after in window
            self.tail = b"" if self.primed else window[-len(trigger.after) :]
            return self.primed and trigger.at is None
        if trigger.at is None:
            return False
        self.tail = window[-len(trigger.at) :]
        return trigger.at in window

    def _server_to_client(self) -> None:
        try:
            while not self.closed.is_set():
                data = self.upstream.recv(65536)
                if not data:
                    break
                if self.drop_answer:
                    trigger = self.proxy.trigger
                    if trigger is not None:
                        trigger.fired.set()
                    self.proxy.cuts += 1
                    break
                self.client.sendall(data)
        except OSError:
            pass
        self.close()


class FaultProxy:
    """Listens on 127.0.0.1 (``port``) and forwards to 127.0.0.1:``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.trigger: Trigger | None = None
        self.cuts = 0
        self._links: set[_Link] = set()
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            if self.mode == "blackhole":
                with self._lock:
                    self._held.append(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()  # upstream down: the client sees the connection drop
                continue
            link = _Link(self, client, upstream)
            with self._lock:
                self._links.add(link)
            link.start()

    def forget(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)

    def arm(
        self, *, after: bytes, at: bytes | None = BOLT_COMMIT, deliver: bool = False
    ) -> Trigger:
        self.trigger = Trigger(after, at, deliver)
        return self.trigger

    def cut_all(self) -> int:
        with self._lock:
            links, held = list(self._links), list(self._held)
            self._held.clear()
        for link in links:
            link.close()
        for sock in held:
            sock.close()
        self.cuts += len(links)
        return len(links)

    def close(self) -> None:
        self._stopped.set()
        self._server.close()
        self.cut_all()
