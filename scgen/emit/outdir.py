"""Build folders that scgen owns: the check before a build and the safe replacement after it.

A board build writes into a hidden staging folder next to the output folder and, once every step
has passed, puts it in the output folder's place. An scgen build folder is marked by its
``manifest.json``, whose ``"files"`` entry lists every file the build wrote; only such a folder
(or a new or empty one) is ever replaced, so a build deletes nothing that scgen did not write.
A failed or interrupted build (Ctrl-C included) removes its staging folder and leaves the last
good build as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["UnsafeOutput", "check_output_dir", "listed_files", "replace_dir", "staging_dir"]

MANIFEST = "manifest.json"


class UnsafeOutput(ValueError):
    """An output folder that a build must not write into (its contents are not scgen's)."""


def listed_files(folder: Path) -> list[str]:
    """Every file under ``folder``, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def _manifest_files(folder: Path) -> list[str] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if "scgen" not in data or not isinstance(files, list):
        return None
    return files


def check_output_dir(out, *, protect: Iterable = ()) -> Path:
    """Return ``out`` resolved, or raise :class:`UnsafeOutput` if a build must not replace it.

    Refused: the current directory, the home folder, the filesystem root or any folder holding
    one of them or one of ``protect`` (e.g. the graph file), an existing file, and an existing
    folder that is neither empty nor an scgen build folder whose files are all in its manifest.
    """
    given = str(out)
    out = Path(out).expanduser().resolve()
    home = Path.home().resolve()
    for what, path in [("the current directory", Path.cwd()), ("the home folder", home)] + [
        (f"{Path(p)}", Path(p)) for p in protect
    ]:
        path = path.resolve()
        if out == path or out in path.parents:
            rule = "is" if out == path else "holds"
            raise UnsafeOutput(
                f"Build folder {given!r} {rule} {what}; a build replaces its folder, so give "
                f"-o a new folder of its own"
            )
    if out.parent == out:
        raise UnsafeOutput(f"Build folder {given!r} is the filesystem root; give -o a new folder")
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(
            f"Build folder {given!r} is a file, not a folder; give -o a new folder or an earlier "
            f"scgen build folder"
        )
    if out.is_dir():
        try:
            present = listed_files(out)
        except OSError as exc:
            raise UnsafeOutput(f"Build folder {given!r} cannot be read: {exc.strerror}") from None
        if not present and not any(out.iterdir()):
            return out
        files = _manifest_files(out)
        if files is None:
            raise UnsafeOutput(
                f"Build folder {given!r} exists and is not an scgen build folder (no "
                f"{MANIFEST} listing its files); give -o a new folder or an earlier build's"
            )
        extra = sorted(set(present) - set(files))
        if extra:
            shown = ", ".join(extra[:3]) + (", ..." if len(extra) > 3 else "")
            raise UnsafeOutput(
                f"Build folder {given!r} holds files the build did not write ({shown}); move "
                f"them away or give -o a new folder"
            )
    return out


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold SIGINT back for the few system calls that swap two folders."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def staging_dir(out: Path) -> Iterator[Path]:
    """Create a hidden, uniquely named staging folder beside ``out``; remove it on any exit."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.scgen-staging-", dir=out.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def replace_dir(staging: Path, out: Path) -> None:
    """Put the finished ``staging`` folder in the place of ``out`` (checked, or absent)."""
    with _sigint_deferred():
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.scgen-old-", dir=out.parent))
            os.rename(out, old / "build")
            try:
                os.rename(staging, out)
            except BaseException:
                os.rename(old / "build", out)
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, out)
