"""One Redis (RESP2) command on its own Unix-socket connection, its reply read row by row under a
deadline and a byte budget.

FalkorDB answers ``GRAPH.RO_QUERY`` with ``[header, rows, statistics]``, all at once when the
query has finished; redis-py would parse the whole reply into Python objects (20 million rows:
6 GB in the client). :class:`ReplyReader` instead reads the reply's first two elements with a
small parser of its own, then hands the rows to ``hiredis`` one at a time, so that the caller can
stop at its row cap, and it stops reading (:class:`TooBig`) as soon as more than ``max_bytes``
have arrived, or (:class:`Deadline`) when the deadline passes. Closing the connection leaves the
rest of the reply to the server, which drops it.
"""

from __future__ import annotations

import socket
import time
from typing import Any, Iterator

import hiredis
from redis.exceptions import ResponseError

CHUNK = 1 << 16


class Deadline(Exception):
    """No (complete) reply before the deadline."""


class TooBig(Exception):
    """The reply is larger than the byte budget."""


class Dropped(Exception):
    """The server closed the connection before the reply was complete (it died)."""


def encode(*args: Any) -> bytes:
    """A RESP2 command: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode("utf-8")
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(parts)


def connect(path: str, timeout_s: float = 5.0) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout_s)
    try:
        s.connect(path)
    except BaseException:
        s.close()
        raise
    return s


class ReplyReader:
    """Read one reply from ``sock``: at most ``max_bytes`` bytes, until ``deadline`` (a
    ``time.monotonic()`` value). Bulk strings are decoded as UTF-8 (invalid bytes replaced)."""

    def __init__(self, sock: socket.socket, deadline: float, max_bytes: int | None):
        self.sock = sock
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.nread = 0
        self.buf = bytearray()
        self.pos = 0
        self._hiredis: hiredis.Reader | None = None

    # -- raw input ---------------------------------------------------------------------------
    def _fill(self) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Deadline()
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(CHUNK)
        except socket.timeout:
            raise Deadline() from None
        except OSError as e:
            raise Dropped(str(e)) from e
        if not chunk:
            raise Dropped("connection closed by the server")
        self.nread += len(chunk)
        if self.max_bytes is not None and self.nread > self.max_bytes:
            raise TooBig()
        return chunk

    def _line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._compact()
            self.buf += self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self.buf) - self.pos < n + 2:
            self._compact()
            self.buf += self._fill()
        out = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n + 2
        return out

    def _compact(self) -> None:
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0

    # -- a small RESP2 parser (header, statistics, small replies) -------------------------------
    def value(self) -> Any:
        """The next complete value (errors are returned as ``ResponseError`` instances)."""
        if self._hiredis is not None:
            return self._next_hiredis()
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "replace")
        if kind == b"-":
            return ResponseError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.value() for _ in range(n)]
        raise Dropped(f"unexpected reply from the server: {line[:80]!r}")

    def array_length(self) -> int | ResponseError:
        """Read an array header (``*n``); an error reply is returned instead."""
        line = self._line()
        if line[:1] == b"-":
            return ResponseError(line[1:].decode("utf-8", "replace"))
        if line[:1] != b"*":
            raise Dropped(f"unexpected reply from the server: {line[:80]!r}")
        return int(line[1:])

    # -- rows through hiredis ---------------------------------------------------------------------
    def _next_hiredis(self) -> Any:
        r = self._hiredis
        while True:
            v = r.gets()
            if v is not False:
                return v
            r.feed(self._fill())

    def stream(self, n: int) -> Iterator[Any]:
        """The next ``n`` values, one at a time (parsed by hiredis, fed as bytes arrive)."""
        if self._hiredis is None:
            self._hiredis = hiredis.Reader(encoding="utf-8", errors="replace", replyError=ResponseError)
            rest = bytes(self.buf[self.pos:])
            self.buf, self.pos = bytearray(), 0
            if rest:
                self._hiredis.feed(rest)
        for _ in range(n):
            yield self._next_hiredis()
