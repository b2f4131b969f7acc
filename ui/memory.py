"""The memory budget at work: one process-wide ledger of working memory, and the session caches.

The numbers and their arithmetic are in :mod:`filters.limits`. Two mechanisms, both here:

* **Caches** are ``st.cache_data(scope="session", max_size=…)`` (Streamlit 1.67 bounds a cache by
  its pickled bytes, per session, and drops a session's entries when the session goes);
  :func:`session_cache` makes them with a share of :data:`~filters.limits.SESSION_CACHE_BYTES`.
  All entries of all sessions together are bounded by ``server.maxCacheDataSize`` in
  ``.streamlit/config.toml`` (= :data:`~filters.limits.PROCESS_CACHE_BYTES`). Nothing large goes
  into them: full-resolution results are computed when needed and dropped after use.
* **Memory goes back when people leave**: Streamlit keeps a disconnected session for
  ``server.disconnectedSessionTTL`` (120 s) in a TTL cache that it only reaps when another
  session is stored, so without new visitors the sessions of people who left, with their
  images, would stay; and glibc keeps memory that many threads freed in its per-thread arenas.
  :func:`give_back_freed_memory` reaps the expired sessions and returns freed memory
  (``malloc_trim``) every :data:`TRIM_EVERY_S` seconds.
* **Working memory** of a heavy request (a full-resolution convolution, decoding an upload) is
  reserved in :data:`LEDGER` first. Streamlit has nothing for this (its caches bound what is
  *kept*, not what a script run allocates while it works), so it is a small byte semaphore: a
  request over :data:`~filters.limits.REQUEST_WORK_BYTES` is not run at full resolution at all,
  and one that finds no room within :data:`~filters.limits.WORK_WAIT_S` (other sessions are
  computing) gives way; the page then works on the screen-sized copy and says why.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, Literal, TypeVar

import streamlit as st

from filters import limits
from filters.limits import PROCESS_WORK_BYTES, SESSION_CACHE_BYTES, WORK_WAIT_S

__all__ = [
    "CACHE_SHARES",
    "LEDGER",
    "TRIM_EVERY_S",
    "Verdict",
    "WorkLedger",
    "fits_one_request",
    "give_back_freed_memory",
    "reap_expired_sessions",
    "session_cache",
    "working_memory",
]

F = TypeVar("F", bound=Callable[..., Any])

#: What :func:`working_memory` says: the work may run, it is too large for one request, or the
#: server stayed busy for :data:`~filters.limits.WORK_WAIT_S`.
Verdict = Literal["ok", "too_large", "busy"]


class WorkLedger:
    """Bytes of working memory reserved by the requests running now, with a capacity.

    Example:
        >>> ledger = WorkLedger(100)
        >>> with ledger.reserve(60, timeout=0) as first, ledger.reserve(60, timeout=0) as second:
        ...     first, second, ledger.in_use
        (True, False, 60)
        >>> ledger.in_use
        0
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = int(capacity)
        self._in_use = 0
        self._changed = threading.Condition()

    @property
    def in_use(self) -> int:
        """Bytes reserved right now."""
        return self._in_use

    @contextlib.contextmanager
    def reserve(self, nbytes: int, timeout: float) -> Iterator[bool]:
        """Reserve ``nbytes`` for the ``with`` block, waiting up to ``timeout`` seconds for room.

        Yields True when reserved (released at the end of the block), False when there was no
        room in time (or ``nbytes`` exceeds the capacity): the caller must not do the work.
        """
        nbytes = max(0, int(nbytes))
        granted = False
        if nbytes <= self.capacity:
            deadline = time.monotonic() + max(0.0, timeout)
            with self._changed:
                while self._in_use + nbytes > self.capacity:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._changed.wait(left)
                else:
                    self._in_use += nbytes
                    granted = True
        try:
            yield granted
        finally:
            if granted:
                with self._changed:
                    self._in_use -= nbytes
                    self._changed.notify_all()


#: The process's ledger: every session's heavy work reserves its bytes here.
LEDGER = WorkLedger(PROCESS_WORK_BYTES)


def fits_one_request(nbytes: int) -> bool:
    """True when ``nbytes`` of working memory is within what one request may use
    (:data:`~filters.limits.REQUEST_WORK_BYTES`, read when asked).

    Example:
        >>> fits_one_request(2**20), fits_one_request(2**40)
        (True, False)
    """
    return nbytes <= limits.REQUEST_WORK_BYTES


@contextlib.contextmanager
def working_memory(nbytes: int, *, timeout: float | None = None) -> Iterator[Verdict]:
    """Reserve working memory for one request in :data:`LEDGER`, and say whether to go ahead.

    Yields ``"ok"`` (reserved until the block ends), ``"too_large"`` (``nbytes`` is over
    :data:`~filters.limits.REQUEST_WORK_BYTES`: never at full resolution) or ``"busy"`` (no
    room within ``timeout`` seconds, :data:`~filters.limits.WORK_WAIT_S` unless given).

    Example:
        >>> with working_memory(2**40) as verdict:
        ...     verdict
        'too_large'
    """
    if not fits_one_request(nbytes):
        yield "too_large"
        return
    with LEDGER.reserve(nbytes, WORK_WAIT_S if timeout is None else timeout) as granted:
        yield "ok" if granted else "busy"


#: Each session cache's share of :data:`~filters.limits.SESSION_CACHE_BYTES` (they add up to 1):
#: the Filter page's views (a colour 1200×900 float32 screen copy is 13 MB: two of them), the
#: shown images' screen pixels, the Padding page's four modes (uint8, ~3 MB each) and the
#: Pooling page's output shapes.
CACHE_SHARES: dict[str, float] = {"filter": 0.45, "display": 0.2, "padding": 0.25,
                                  "pooling": 0.1}


def session_cache(name: str) -> Callable[[F], F]:
    """``st.cache_data`` for one session, bounded to the share :data:`CACHE_SHARES` gives
    ``name`` of :data:`~filters.limits.SESSION_CACHE_BYTES` (pickled bytes), dropped with the
    session.

    Example:
        >>> @session_cache("display")
        ... def screen_pixels(token: str, _image): ...
    """
    limit = int(SESSION_CACHE_BYTES * CACHE_SHARES[name])
    decorator: Callable[[F], F] = st.cache_data(scope="session", max_size=limit,
                                                show_spinner=False)
    return decorator


#: How often :func:`give_back_freed_memory`'s thread returns freed memory to the system.
TRIM_EVERY_S = 30.0


def reap_expired_sessions() -> int:
    """Let Streamlit drop the disconnected sessions whose TTL has passed; how many it held.

    Streamlit 1.67 reaps them only when it stores another one; this asks its session storage
    to reap now. It reads Streamlit's internals (the session manager's storage and lock), so it
    is guarded: where they are not as in 1.67, nothing happens.
    """
    try:
        from streamlit import runtime

        if not runtime.exists():
            return 0
        manager = runtime.get_instance()._session_mgr
        cache = manager._session_storage._cache
        with manager._storage_lock:
            before = len(cache._data)
            cache.expire()
            return int(before - len(cache._data))
    except Exception:  # another Streamlit version: its own reaping stands
        return 0


@cache
def give_back_freed_memory() -> threading.Thread:
    """Start (once per process) a thread that, every :data:`TRIM_EVERY_S` seconds, reaps the
    sessions that left (:func:`reap_expired_sessions`) and calls glibc's ``malloc_trim(0)``, so
    their memory is returned to the system instead of staying in the process (where the C
    library has no ``malloc_trim`` — macOS, Windows, musl — only the reaping is done).
    """
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None

    def loop() -> None:
        while True:
            time.sleep(TRIM_EVERY_S)
            if reap_expired_sessions():
                gc.collect()
            if trim is not None:
                trim(0)

    thread = threading.Thread(target=loop, name="convlab-memory", daemon=True)
    thread.start()
    return thread
