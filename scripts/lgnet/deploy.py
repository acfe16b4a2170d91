"""The site's output folder: one build at a time, built aside, swapped in whole, deployable.

A build never writes into the folder people are browsing. It renders into a sibling folder
(`.site.nuovo-<pid>`), runs the leak audit there, and only then exchanges it with the old
folder in one `renameat2(RENAME_EXCHANGE)` call (two renames where the kernel lacks it). A
build that fails, or is killed, leaves the previous site byte-identical; its leftovers are
removed by the next build.

The folder carries a marker file, so a build only ever replaces a folder that a build made:
`--output ~/Documenti` cannot wipe a person's files. Everything published is made
world-readable (files 0644, folders 0755) whatever the umask, because the web server that
serves a copy of the site usually runs as another user.

`build_lock` makes a second build of the same project wait for the first: the generated pages
under docs/ and the caches under .build/ are shared by the audiences.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from lgnet.errors import BuildError
from lgnet.fsutil import atomic_write_text

MARKER = ".lgnet-sito.json"
FILE_MODE = 0o644
DIR_MODE = 0o755
_NEW = ".nuovo-"
_OLD = ".vecchio-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _is_our_site(folder: Path) -> bool:
    """A folder a build made: it has our marker (or is a site from before markers existed)."""
    if (folder / MARKER).is_file():
        return True
    return (folder / "index.html").is_file() and (folder / "assets" / "lgnet").is_dir()


def check_replaceable(folder: Path, protected: list[Path]) -> None:
    """Refuse an output folder that is not a site this tool built (or inside the sources)."""
    resolved = folder.resolve()
    for root in protected:
        root = root.resolve()
        if resolved == root or root in resolved.parents or resolved in root.parents:
            raise BuildError(
                f"{folder}: cartella di uscita non ammessa (contiene o è dentro {root.name}/, "
                "che sono i sorgenti): scegliere una cartella a parte, per esempio site/"
            )
    if folder.is_symlink():
        raise BuildError(f"{folder}: è un collegamento simbolico; indicare una cartella vera")
    if folder.exists() and not folder.is_dir():
        raise BuildError(f"{folder}: esiste già ed è un file; scegliere un'altra cartella")
    if folder.is_dir() and any(folder.iterdir()) and not _is_our_site(folder):
        raise BuildError(
            f"{folder}: la cartella contiene già altri file e non è un sito costruito da lgnet; "
            "sceglierne una vuota o nuova (nulla è stato cancellato)"
        )


def _remove_leftovers(folder: Path) -> None:
    """Folders left beside `folder` by a build that was killed."""
    parent = folder.parent
    if not parent.is_dir():
        return
    for prefix in (f".{folder.name}{_NEW}", f".{folder.name}{_OLD}"):
        for stale in parent.glob(prefix + "*"):
            pid = stale.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                continue  # another process's build in progress (a different project lock)
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the call is not available."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, target: Path) -> None:
    """Put the folder `new` at `target`; the old content is deleted after the swap."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # `new` now holds the previous site
        return
    old = target.with_name(f".{target.name}{_OLD}{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def make_world_readable(folder: Path) -> None:
    """Files 0644 and folders 0755 below `folder`, whatever the umask was when written.

    Media are hard-linked from the build cache; changing the mode of a link changes the
    cached file too, which is harmless. A link to a file this user cannot chmod is replaced
    by a copy.
    """
    os.chmod(folder, DIR_MODE)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), DIR_MODE)
        for name in files:
            path = os.path.join(root, name)
            if stat.S_IMODE(os.lstat(path).st_mode) == FILE_MODE:
                continue
            try:
                os.chmod(path, FILE_MODE)
            except PermissionError:
                copy = path + ".copia"
                shutil.copyfile(path, copy)
                os.chmod(copy, FILE_MODE)
                os.replace(copy, path)


@contextlib.contextmanager
def staged_site(target: Path, *, audience: str, protected: list[Path]) -> Iterator[Path]:
    """A fresh folder beside `target` to build into; swapped in only if the block succeeds."""
    check_replaceable(target, protected)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = target.with_name(f".{target.name}{_NEW}{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        atomic_write_text(
            staging / MARKER,
            json.dumps({"generatore": "lgnet", "pubblico": audience}, ensure_ascii=False) + "\n",
        )
        make_world_readable(staging)
        swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def build_lock(
    lock_file: Path,
    *,
    wait: float = 3600.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the project's build lock; wait up to `wait` seconds for a build in progress.

    `flock` is released by the kernel when the holder exits, even on `kill -9`: a lock can
    never be left behind by a crashed build.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a+") as handle:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                if time.monotonic() >= deadline:
                    raise BuildError(
                        f"un'altra costruzione del sito è in corso (processo {holder}); "
                        "attendere che finisca e rilanciare"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(
                        f"un'altra costruzione del sito è in corso (processo {holder}): "
                        "attendo che finisca…"
                    )
                    told = True
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
