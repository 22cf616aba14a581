"""Safe results folders: checked before solving, locked while written, swapped into place whole.

A run writes into a hidden staging folder beside `--out` (``.NAME.tmp-XXXX``) and, when every
file is there, swaps it into place: a killed run leaves either the previous complete folder or
the new complete one, and files from an earlier run never mix with the new ones. A lock file
beside the folder (``.NAME.lock``, held with ``flock`` for the whole run and removed after)
makes a second run into the same folder fail at once with a clear message.

>>> with OutputFolder("results") as stage:        # doctest: +SKIP
...     (stage / "summary.json").write_text("{}")
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from dcplan.errors import OutputError

RESULTS_MARKERS = ("summary.json", "run.json")
"""A folder holding one of these was written by dcplan and may be replaced by a new run."""


def check_out_dir(out: str | Path) -> Path:
    """Check that `out` can become a results folder, writing nothing; return it resolved.

    Raises OutputError when `out` is an existing file, a non-empty folder that dcplan did not
    write (replacing it would delete someone's files), or under a parent that is missing and
    cannot be created or is not writable.
    """
    p = Path(out).expanduser().absolute()
    if p.exists() and not p.is_dir():
        raise OutputError(f"--out {out}: is an existing file, not a folder; give a folder path (it is created if missing)")
    if p.is_dir():
        entries = [e.name for e in p.iterdir()]
        if entries and not any(m in entries for m in RESULTS_MARKERS):
            raise OutputError(
                f"--out {out}: the folder exists and is not a dcplan results folder (no summary.json); a run "
                "replaces its results folder whole, so give a new or empty folder"
            )
    parent = p.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"--out {out}: {parent} is a file, so the folder cannot be created")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out}: cannot write in {parent} (permission denied)")
    return p


class OutputFolder:
    """Context manager: check and lock `out`, yield a staging folder, swap it into place on success.

    On an exception the staging folder is removed and `out` is left as it was.
    """

    def __init__(self, out: str | Path):
        self.out = check_out_dir(out)
        self.stage: Path | None = None
        self._lock_fd: int | None = None

    @property
    def lock_path(self) -> Path:
        return self.out.parent / f".{self.out.name}.lock"

    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._clean_stale()
            self.stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        except BaseException:
            self._unlock()
            raise
        return self.stage

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and self.stage is not None:
                _swap_into_place(self.stage, self.out)
            elif self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
        finally:
            self._unlock()

    # ------------------------------------------------------------------------------------------
    def _lock(self) -> None:
        path = self.lock_path
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputError(
                    f"--out {self.out}: another dcplan run is writing this folder (lock {path} is held); "
                    "wait for it or choose another --out"
                ) from None
            # the holder before us may have removed the file after we opened it: lock the live file
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lock_path)
        os.close(self._lock_fd)
        self._lock_fd = None

    def _clean_stale(self) -> None:
        """Remove staging folders of killed runs; restore `out` if a run died mid-swap."""
        parent, name = self.out.parent, self.out.name
        olds = sorted(parent.glob(f".{name}.old-*"))
        if not self.out.exists() and olds:
            olds[-1].rename(self.out)
            olds = olds[:-1]
        for d in [*parent.glob(f".{name}.tmp-*"), *olds]:
            shutil.rmtree(d, ignore_errors=True)


def _swap_into_place(stage: Path, out: Path) -> None:
    """Put `stage` at `out`: atomically exchanged with an existing folder where the OS allows."""
    if not out.exists():
        os.rename(stage, out)
        return
    if _rename_exchange(stage, out):
        shutil.rmtree(stage, ignore_errors=True)  # `stage` now holds the previous results
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)  # a kill here leaves the old folder at .NAME.old-*, restored by the next run
    os.rename(stage, out)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0
