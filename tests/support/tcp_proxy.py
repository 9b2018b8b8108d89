"""A loopback TCP proxy that tests use to freeze, thaw or reset live connections.

One background thread forwards every connection; it only ever connects to the
target given (a server on loopback) and stops, closing every socket, on close().
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType

BUFFER_LIMIT = 1 << 20  # per direction; reading pauses above it
CHUNK = 1 << 16
CALL_TIMEOUT = 5.0


class _Pipe:
    """One proxied connection: the accepted client socket and its upstream socket."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.ends = (client, upstream)
        # pending[i]: bytes read from ends[i], waiting to be written to the other end.
        self.pending = (bytearray(), bytearray())
        self.eof = [False, False]
        self.shut = [False, False]

    def wanted_events(self, index: int, *, frozen: bool) -> int:
        if frozen:
            return 0
        events = 0
        if not self.eof[index] and len(self.pending[index]) < BUFFER_LIMIT:
            events |= selectors.EVENT_READ
        if self.pending[1 - index]:
            events |= selectors.EVENT_WRITE
        return events

    def finished(self) -> bool:
        return all(self.eof) and not any(self.pending)


class TcpProxy:
    """Forwards 127.0.0.1:port to target_host:target_port until closed.

    freeze() stops all forwarding and accepting while keeping every socket open,
    as a silent network partition does; thaw() resumes; reset_all() aborts every
    connection with a TCP RST. Use as a context manager, or call start() and close().
    """

    def __init__(self, target_host: str, target_port: int, *, max_connections: int = 32) -> None:
        self.target = (target_host, target_port)
        self.max_connections = max_connections
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._calls: queue.SimpleQueue[tuple[Callable[[], None], threading.Event]] = (
            queue.SimpleQueue()
        )
        self._pipes: list[_Pipe] = []
        self._frozen = False
        self._stopping = False
        self._waker: tuple[socket.socket, socket.socket] | None = None

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the proxy is not started")
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def connection_count(self) -> int:
        """Connections currently open through the proxy."""
        counted: list[int] = []
        self._call(lambda: counted.append(len(self._pipes)))
        return counted[0]

    def start(self) -> TcpProxy:
        if self._thread is not None:
            raise RuntimeError("the proxy is already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(self.max_connections)
            listener.setblocking(False)
            self._waker = socket.socketpair()
            self._waker[0].setblocking(False)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)
        self._thread.start()
        return self

    def freeze(self) -> None:
        self._call(lambda: setattr(self, "_frozen", True))

    def thaw(self) -> None:
        self._call(lambda: setattr(self, "_frozen", False))

    def reset_all(self) -> None:
        """Abort every open connection, both sides, with a RST instead of a FIN."""
        self._call(self._reset_pipes)

    def close(self) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._release()
            return
        self._call(lambda: setattr(self, "_stopping", True))
        thread.join(CALL_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError("the proxy thread did not stop")
        self._release()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the forwarding thread -------------------------------------------------

    def _call(self, action: Callable[[], None]) -> None:
        """Run action on the forwarding thread and wait for it, so effects are in place."""
        if self._thread is None or not self._thread.is_alive() or self._waker is None:
            raise RuntimeError("the proxy is not running")
        done = threading.Event()
        self._calls.put((action, done))
        self._waker[1].send(b"\0")
        if not done.wait(CALL_TIMEOUT):
            raise RuntimeError("the proxy thread did not answer")

    def _serve(self) -> None:
        assert self._listener is not None and self._waker is not None
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._waker[0], selectors.EVENT_READ)
            while not self._stopping:
                self._register(selector)
                for key, events in selector.select():
                    if key.fileobj is self._waker[0]:
                        self._run_calls()
                    elif key.fileobj is self._listener:
                        self._accept()
                    else:
                        pipe, index = key.data
                        self._transfer(pipe, index, events)
                self._pipes = [pipe for pipe in self._pipes if not self._close_if_done(pipe)]
        finally:
            for pipe in self._pipes:
                self._close_pipe(pipe, abort=True)
            self._pipes = []
            selector.close()
            self._run_calls()

    def _register(self, selector: selectors.BaseSelector) -> None:
        wanted: dict[socket.socket, tuple[int, object]] = {}
        if not self._frozen and self._listener is not None:
            wanted[self._listener] = (selectors.EVENT_READ, None)
        for pipe in self._pipes:
            for index, end in enumerate(pipe.ends):
                events = pipe.wanted_events(index, frozen=self._frozen)
                if events:
                    wanted[end] = (events, (pipe, index))
        waker = self._waker[0] if self._waker is not None else None
        for key in list(selector.get_map().values()):
            if key.fileobj is waker:
                continue
            if key.fileobj not in wanted:
                selector.unregister(key.fileobj)
        for end, (events, data) in wanted.items():
            try:
                key = selector.get_key(end)
            except KeyError:
                selector.register(end, events, data)
            else:
                if key.events != events or key.data is not data:
                    selector.modify(end, events, data)

    def _run_calls(self) -> None:
        assert self._waker is not None
        with contextlib.suppress(OSError):  # BlockingIOError once the wake bytes are read
            while self._waker[0].recv(CHUNK):
                pass
        while True:
            try:
                action, done = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                action()
            finally:
                done.set()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        if len(self._pipes) >= self.max_connections:
            _abort(client)
            return
        try:
            upstream = socket.create_connection(self.target, timeout=CALL_TIMEOUT)
        except OSError:
            _abort(client)
            return
        client.setblocking(False)
        upstream.setblocking(False)
        self._pipes.append(_Pipe(client, upstream))

    def _transfer(self, pipe: _Pipe, index: int, events: int) -> None:
        end, other = pipe.ends[index], pipe.ends[1 - index]
        try:
            if events & selectors.EVENT_READ and not pipe.eof[index]:
                data = end.recv(CHUNK)
                if data:
                    pipe.pending[index].extend(data)
                else:
                    pipe.eof[index] = True
            if events & selectors.EVENT_WRITE and pipe.pending[1 - index]:
                sent = end.send(pipe.pending[1 - index])
                del pipe.pending[1 - index][:sent]
            # Pass a half-close on once everything read before it has been written.
            if pipe.eof[index] and not pipe.pending[index] and not pipe.shut[1 - index]:
                other.shutdown(socket.SHUT_WR)
                pipe.shut[1 - index] = True
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            # One side failed (reset, broken pipe): fail the other side the same way.
            pipe.eof = [True, True]
            pipe.pending[0].clear()
            pipe.pending[1].clear()
            self._close_pipe(pipe, abort=True)

    def _close_if_done(self, pipe: _Pipe) -> bool:
        if pipe.ends[0].fileno() == -1:
            return True
        if pipe.finished():
            self._close_pipe(pipe, abort=False)
            return True
        return False

    def _reset_pipes(self) -> None:
        for pipe in self._pipes:
            self._close_pipe(pipe, abort=True)
        self._pipes = []

    def _close_pipe(self, pipe: _Pipe, *, abort: bool) -> None:
        for end in pipe.ends:
            if abort:
                _abort(end)
            else:
                end.close()

    def _release(self) -> None:
        if self._listener is not None:
            self._listener.close()
        if self._waker is not None:
            for end in self._waker:
                end.close()


def _abort(sock: socket.socket) -> None:
    """Close with SO_LINGER 0, so the peer gets a RST rather than an orderly FIN."""
    if sock.fileno() != -1:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
