"""A configuration file that a running server re-reads when it changes."""

import time
from collections.abc import Callable
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


class WatchedFile:
    """Calls `parse(content)` on load and again whenever the file's size or mtime changes.

    The file is looked at no more than once per `interval` seconds, so a check
    on every request costs a clock read. A change that fails to parse keeps the
    previous content in force (and is logged): a half-edited file never locks
    everyone out.
    """

    def __init__(self, path: Path, parse: Callable[[bytes], None], *, interval: float = 1.0) -> None:
        self.path = path
        self._parse = parse
        self._interval = interval
        self._signature: tuple[int, int] | None = None
        self._checked_at = 0.0

    def _current_signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def load(self) -> None:
        """Read the file now; errors propagate (a broken file must stop the server from starting)."""
        self._signature = self._current_signature()
        self._checked_at = time.monotonic()
        self._parse(self.path.read_bytes() if self._signature is not None else b"")

    def refresh(self) -> None:
        """Re-read the file if it changed since the last look."""
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return
        self._checked_at = now
        if self._current_signature() == self._signature:
            return
        try:
            self.load()
        except Exception as error:
            log.error("auth.file_reload_failed", file=str(self.path), error=type(error).__name__)
