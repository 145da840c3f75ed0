"""Faults on loopback: a small HTTP proxy in front of moto's server, one per faulted region.

    with FaultProxy(support.moto_url()) as proxy:
        aws = support.make_aws({"*": support.moto_url(), "us-east-1": proxy.url})
        proxy.throttle(2)  # or refuse(), hang(), fail5xx(1), passthrough()

Modes switch at runtime and apply to the next request (also on kept-alive connections). Every
thread is a daemon, every wait is bounded, and stop() closes every socket.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

_THROTTLED = "<Code>Throttling</Code><Message>Rate exceeded</Message>"
IDLE_SECONDS = 30.0  # a kept-alive client connection with no request for this long is closed


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    action: str  # the query protocol's Action, the RPC operation, or the REST path


def _throttling(headers: dict[str, str], path: str, body: bytes) -> tuple[int, dict, bytes]:
    """An AWS throttling error in the protocol the request was sent with."""
    if "x-amz-target" in headers:
        # JSON protocol (kms; cloudwatch, which is query-compatible: its clients read the code
        # from x-amzn-query-error)
        content = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        json_type = {"Content-Type": "application/x-amz-json-1.0"}
        return 400, {**json_type, "x-amzn-query-error": "Throttling;Sender"}, content
    if path.startswith("/2013-04-01/"):  # route53: REST-XML
        xml = (
            '<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error>'
            f"<Type>Sender</Type>{_THROTTLED}</Error><RequestId>fault</RequestId></ErrorResponse>"
        )
    elif b"Version=2016-11-15" in body:  # ec2's own query dialect
        xml = f"<Response><Errors><Error>{_THROTTLED}</Error></Errors><RequestID/></Response>"
    else:
        xml = f"<ErrorResponse><Error><Type>Sender</Type>{_THROTTLED}</Error></ErrorResponse>"
    return 400, {"Content-Type": "text/xml"}, xml.encode()


class FaultProxy:
    def __init__(self, target: str, hold_seconds: float = 20.0) -> None:
        parsed = urllib.parse.urlsplit(target)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.hold_seconds = hold_seconds
        self.seen: list[Seen] = []
        self._mode, self._left = "passthrough", 0
        self._fail: tuple[str, str] = ("", "")
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._clients: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        return len(self.seen)

    # --- modes ---------------------------------------------------------------------------------
    def passthrough(self) -> None:
        self._set("passthrough")
        self._listen()

    def refuse(self) -> None:
        """Connections refused: the listening socket and every open connection are closed."""
        self._set("refuse")
        with self._lock:
            listener, self._listener = self._listener, None
            clients = list(self._clients)
        if listener is not None:
            _close(listener)  # shutdown() wakes a thread blocked in accept()
        for conn in clients:
            _close(conn)

    def hang(self) -> None:
        self._set("hang")
        self._listen()

    def throttle(self, n: int) -> None:
        self._set("throttle", n)
        self._listen()

    def fail5xx(
        self, n: int, body: str = "Service Unavailable", content_type: str = "text/plain"
    ) -> None:
        self._fail = (body, content_type)
        self._set("fail5xx", n)
        self._listen()

    def _set(self, mode: str, n: int = 0) -> None:
        with self._lock:
            self._mode, self._left = mode, n

    def _take(self) -> str:
        """The mode for one request (a counted mode falls back to passthrough once used up)."""
        with self._lock:
            if self._mode in ("throttle", "fail5xx"):
                if self._left <= 0:
                    self._mode = "passthrough"
                else:
                    self._left -= 1
            return self._mode

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._stopped.clear()
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self.refuse()
        if self._acceptor is not None:
            self._acceptor.join(timeout=1)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _listen(self) -> None:
        with self._lock:
            if self._listener is not None or self._stopped.is_set():
                return
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))  # the same port when reopened
            sock.listen(16)
            sock.settimeout(0.25)  # the accept loop re-checks whether it should stop
            self.port = sock.getsockname()[1]
            self._listener = sock
            self._acceptor = threading.Thread(target=self._accept, args=(sock,), daemon=True)
            self._acceptor.start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set() and self._listener is listener:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed: refuse() or stop()
                return
            with self._lock:
                self._clients.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    # --- one client connection -----------------------------------------------------------------
    def _serve(self, conn: socket.socket) -> None:
        upstream = http.client.HTTPConnection(*self.target, timeout=30)
        conn.settimeout(IDLE_SECONDS)
        reader = conn.makefile("rb")
        try:
            while not self._stopped.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                self.seen.append(Seen(method, path, _action(path, body)))
                mode = self._take()
                if mode == "refuse":
                    return
                if mode == "hang":
                    self._stopped.wait(self.hold_seconds)
                    return
                if mode == "throttle":
                    status, extra, content = _throttling(headers, path, body)
                elif mode == "fail5xx":
                    status, extra = 503, {"Content-Type": self._fail[1]}
                    content = self._fail[0].encode()
                else:
                    status, extra, content = _forward(upstream, method, path, headers, body)
                _respond(conn, status, extra, content)
        except (OSError, http.client.HTTPException, ValueError):
            return
        finally:
            upstream.close()
            reader.close()
            with self._lock:
                self._clients.discard(conn)
            _close(conn)


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()


def _read_request(reader: Any) -> tuple[str, str, dict[str, str], bytes] | None:
    line = reader.readline(65537)
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    for _ in range(200):
        raw = reader.readline(65537).decode("latin-1")
        if raw in ("\r\n", "\n", ""):
            break
        key, _, value = raw.partition(":")
        headers[key.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0") or 0))
    return method, path, headers, body


def _action(path: str, body: bytes) -> str:
    form = urllib.parse.parse_qs(body.decode("latin-1")) if b"Action=" in body else {}
    if "Action" in form:
        return form["Action"][0]
    if "/operation/" in path:  # rpc-v2-cbor
        return path.rsplit("/", 1)[-1]
    return path.split("?", 1)[0]


def _forward(
    upstream: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes
) -> tuple[int, dict, bytes]:
    for attempt in (1, 2):  # a kept-alive upstream connection moto closed: once more, fresh
        try:
            upstream.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for key, value in headers.items():
                if key != "expect":  # the body is read already: no 100-continue upstream
                    upstream.putheader(key, value)
            upstream.endheaders(body or None)
            response = upstream.getresponse()
            content = response.read()
            break
        except (http.client.HTTPException, OSError):
            upstream.close()
            if attempt == 2:
                raise
    skip = {"content-length", "transfer-encoding", "connection", "date", "server", "expect"}
    return (
        response.status,
        {k: v for k, v in response.getheaders() if k.lower() not in skip},
        content,
    )


def _respond(conn: socket.socket, status: int, headers: dict, content: bytes) -> None:
    reason = http.client.responses.get(status, "")
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(content)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + content)
