"""Files uploaded to the explorer's Data page, on disk only while they are validated or loaded.

:func:`saved_uploads` writes each upload to a fresh private temp directory (``mkdtemp``: mode
0700, unpredictable name), each file in a folder of its own under a safe version of the name the
browser sent (:func:`upload_name`), and removes the whole directory when the block ends, also on
errors and on Streamlit's ``st.rerun()`` (which raises). Nothing of an upload stays in the temp
directory.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from cultnet.errors import CultnetError

PREFIX = "cultnet-upload-"


def upload_name(name: str, i: int) -> str:
    """A safe file name for an upload: the browser's name without folders or control
    characters (it names the file in validation messages and its extension picks the reader);
    ``upload-<i>`` when nothing usable is left.

    >>> upload_name("../../etc/passwd", 0), upload_name("..", 1), upload_name("a\\x00b.csv", 2)
    ('passwd', 'upload-1', 'ab.csv')
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base if base not in ("", ".", "..") else f"upload-{i}"


@contextmanager
def saved_uploads(files: list, roles: dict[str, str]) -> Iterator[dict[str, Path]]:
    """Yield ``{role: path}`` of the uploads (objects with ``.name`` and ``.getvalue()``, as
    Streamlit's ``UploadedFile``), written to a private temp directory removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        paths: dict[str, Path] = {}
        for i, f in enumerate(files):
            role = roles[f.name]
            if role in paths:
                raise CultnetError(f"Two files were given the role '{role}' ({paths[role].name} and "
                                   f"{f.name}); load them one at a time.")
            folder = tmp / str(i)
            folder.mkdir(mode=0o700)
            p = folder / upload_name(f.name, i)
            p.write_bytes(f.getvalue())
            paths[role] = p
        yield paths
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
