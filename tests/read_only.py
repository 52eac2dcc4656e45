"""Make a file or folder really read-only, even for root, for tests of what happens then.

Mode bits do not stop root (the tests may run as root), so as root the file is made immutable
(`chattr +i`), which the kernel refuses to write for everyone. Where that is impossible the test
is skipped with the reason, rather than passing without having tested anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _chattr(flag: str, path: Path) -> bool:
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, flag, str(path)], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Within the block, nobody (root included) can write `path`."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if not _chattr("+i", path):
        pytest.skip("running as root without `chattr +i` here: root can write any file, so nothing is read-only")
    try:
        if os.access(path, os.W_OK):
            pytest.skip("`chattr +i` did not stop root from writing here (file system without immutable files)")
        yield
    finally:
        _chattr("-i", path)
