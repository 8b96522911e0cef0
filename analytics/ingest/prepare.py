"""Create a new store while the file is validated, without creating it for a refused file.

    fresh = FreshStore.prepare(db, settings)   # None when the store exists (or cannot be prepared)
    ...validate...                             # (or: preparing = FreshStore.start(…); …; preparing.result())
    fresh.publish()   # accepted: the store appears at its path, complete with its schema
    fresh.discard()   # refused (or anything else): nothing is left behind

Creating a DuckDB file and applying every migration takes ~0.07 s. The command
line does it on a second thread while it validates the workbook (DuckDB works
without the GIL; the reader process has ended by then, so both cores are free —
doing it during the read instead would add DuckDB's ~30 MB to the moment the
reader process has its own peak). But the contract says a refused file writes
nothing — not even an empty store. So a new store is built under a hidden
temporary name next to its final path, closed (DuckDB folds its log into the
file on close), and only an accepted file puts it in place, with ``os.link``:
atomic, and it never replaces a store another process created meanwhile (that
one is then used, and ours thrown away).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from analytics.settings import Settings

log = logging.getLogger(__name__)

# Below this many rows (all sheets) validation is too quick to hide the ~0.07 s of
# preparing a store behind it; the load then creates the store the usual way. (It also
# keeps a run over many small refused files from building and dropping a store each.)
PREPARE_MIN_ROWS = 20_000


class FreshStore:
    """A migrated, closed store under a temporary name, waiting to be put at ``target``."""

    def __init__(self, temp: Path, target: Path) -> None:
        self.temp = temp
        self.target = target

    @classmethod
    def prepare(cls, db: str | os.PathLike[str] | None, settings: Settings) -> FreshStore | None:
        """Build the store ``db`` would be, if there is none yet; None otherwise.

        Only into a folder that exists already (creating folders would be a write).
        Any trouble here just means the store is created the usual way later.
        """
        from analytics import store

        target = store.resolve_db_path(db, settings)
        if os.path.lexists(target) or not target.parent.is_dir():
            return None
        temp = target.with_name(f".{target.name}.creating-{os.getpid()}")
        fresh = cls(temp, target)
        try:
            _sweep_stale(target)  # left over by killed runs (issue 14: nothing of a kill stays behind)
            fresh.discard()  # left over from a killed run of a process with the same id
            store.connect(temp, settings=settings).close()
            if os.path.lexists(f"{temp}.wal"):  # not folded into the file: cannot be moved safely
                raise RuntimeError("the new store kept a write-ahead log")
        except Exception as exc:  # an optimisation only: the load creates the store itself
            log.info("could not prepare a new store at %s: %s", temp, exc)
            fresh.discard()
            return None
        return fresh

    @classmethod
    def start(cls, db: str | os.PathLike[str] | None, settings: Settings) -> Preparing:
        """``prepare`` on a thread of its own (DuckDB works without the GIL): ``.result()`` collects it."""
        return Preparing(lambda: cls.prepare(db, settings))

    def publish(self) -> None:
        """Put the new store at its path, unless a store appeared there meanwhile; then drop ours."""
        try:
            os.link(self.temp, self.target)
        except FileExistsError:
            log.info("a store appeared at %s meanwhile; using it", self.target)
        except OSError as exc:  # e.g. a file system without hard links: the load creates it
            log.info("could not link %s to %s: %s", self.temp, self.target, exc)
        self.discard()

    def discard(self) -> None:
        for path in (self.temp, Path(f"{self.temp}.wal")):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _sweep_stale(target: Path) -> None:
    """Remove ``.<store>.creating-<pid>`` files (and their logs) of processes that are gone."""
    from analytics.ingest._spawn import pid_alive

    prefix = f".{target.name}.creating-"
    for path in target.parent.glob(f"{prefix}*"):
        pid = path.name[len(prefix):].removesuffix(".wal")
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


class Preparing:
    """A ``FreshStore.prepare`` running on its own thread."""

    def __init__(self, work: Callable[[], FreshStore | None]) -> None:
        self._result: FreshStore | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="prepare-store", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], FreshStore | None]) -> None:
        self._result = work()  # prepare never raises (trouble there just means "no fresh store")

    def result(self) -> FreshStore | None:
        self._thread.join()
        return self._result
