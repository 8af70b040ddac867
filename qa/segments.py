"""The kept index's vectors as segment files that saves share: a save writes only the rows no kept segment holds (and
which rows of the segments are served), so a process that started from the kept file and read one statement since
writes that statement's vectors, not every vector again (390 MB at 100k parts); a process maps the segments, so their
pages are shared. (A process that read every record from the store writes them all once, then serves them from the
segments it wrote: qa/index.py Index._adopt.)"""
from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import numpy as np

from qa.rows import Rows, mapping_of

# Past these, a save writes the served rows into one new segment: mapping many small files, or rows mostly removed
# since, costs a reader more than the rewrite costs the saver.
MAX_SEGMENTS = 8
MIN_SERVED = 0.75


def side(path: Path, token: str, name: str) -> Path:
    """Where one segment of the kept file at `path` is: beside it, named by the save that wrote it."""
    return path.with_name(f"{path.stem}.{token}.{name}.npy")


def _pattern(path: Path, names: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"{re.escape(path.stem)}\.([0-9a-f]{{12}})\.(?:{'|'.join(names)})\.npy")  # not another collection's


def opened(path: Path, tokens: list[str], name: str, select: np.ndarray | None):
    """The vectors a save described: its segments mapped, one after another, less the rows it did not serve."""
    parts = [mapped(side(path, token, name)) for token in tokens]
    return parts[0] if len(parts) == 1 and select is None else Rows(parts, select)


def mapped(file: Path) -> np.ndarray:
    """The vectors in `file`, mapped; a damaged file is named in the error (the kept npz alone would mislead)."""
    try:
        return np.load(file, mmap_mode="r")
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"{file.name}: {exc}") from exc


def members(path: Path) -> dict[str, np.ndarray]:
    """Every array of the npz at `path`, each mapped where np.savez stored it (uncompressed) rather than read: a
    process at 100k parts reads none of its ~170 MB of BM25 postings, columns and lines until it uses them, and
    processes share those pages. A replaced file stays readable through the maps of those that opened it."""
    out: dict[str, np.ndarray] = {}
    with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                out[name] = np.lib.format.read_array(archive.open(info), allow_pickle=False)
                out[name].setflags(write=False)  # as a mapped one is
                continue
            f.seek(info.header_offset)
            local = f.read(30)  # the member's local header: its name and extra field lengths are its last two shorts
            f.seek(info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little"))
            version = np.lib.format.read_magic(f)
            shape, fortran, dtype = (np.lib.format.read_array_header_1_0 if version == (1, 0) else
                                     np.lib.format.read_array_header_2_0)(f)
            if dtype.hasobject:
                raise ValueError(f"{path.name}: {name} holds Python objects")
            out[name] = np.memmap(f, dtype=dtype, mode="r", offset=f.tell(), shape=shape, order="F" if fortran else "C") \
                if int(np.prod(shape)) else np.zeros(shape, dtype)
            out[name].setflags(write=False)
    return out


def written(path: Path, name: str, vectors) -> tuple[list[str], np.ndarray | None]:
    """Keep `vectors` (an array, mapped rows, or qa.rows.Rows) as segments beside `path`: the segments already kept
    there are named again, and only the rows read since are written. Returns the segments' tokens and which of their
    rows are served (None: all)."""
    parts, select = (vectors.parts, vectors.select) if isinstance(vectors, Rows) else ([vectors], None)
    tokens = [_token_of(path, name, p) for p in parts]
    total = sum(len(p) for p in parts)
    if None in tokens[:-1] or len(parts) > MAX_SEGMENTS or (select is not None and len(select) < MIN_SERVED * total):
        parts, tokens, select = [vectors], [None], None  # rewritten whole
    for i, (part, token) in enumerate(zip(parts, tokens)):
        if token is None:
            tokens[i] = uuid.uuid4().hex[:12]
            atomic(side(path, tokens[i], name), lambda f, v=part: _write_rows(f, v))
    return tokens, None if select is None else np.asarray(select, dtype=np.int64)


def _token_of(path: Path, name: str, part) -> str | None:
    """The token of the segment `part` maps whole, if it is one kept beside `path` (else None: to be written)."""
    root = mapping_of(part)
    if root is None or not root.filename:
        return None
    file = Path(root.filename)
    match = _pattern(path, (name,)).fullmatch(file.name)
    return match.group(1) if match and file.parent == path.parent.resolve() and file.exists() else None


def _write_rows(f, vectors) -> None:
    """An .npy file of `vectors`, written a block of rows at a time rather than copied whole into memory first."""
    np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                                             "fortran_order": False, "shape": tuple(vectors.shape)})
    for start in range(0, len(vectors), 8192):
        f.write(np.ascontiguousarray(vectors[start:start + 8192], dtype=np.float32).tobytes())


def atomic(path: Path, write) -> None:
    """`write(file)` into a temporary file beside `path`, then renamed over it: readers see the old file or the new."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp" + path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


# A segment this young may be another process's save in progress (written seconds before the npz that names it). Not
# longer: a save that could not adopt its segments (a reload under way) writes them all again next time (390 MB at 100k).
YOUNG_S = 60.0


def drop_unused(path: Path, names: tuple[str, ...], keep: set[str]) -> None:
    """Remove the segments beside `path` that neither this save nor the file it replaced names, unless written in the
    last minute (a process that read an earlier file may not have mapped its segments yet — one that has keeps
    them readable after the unlink — and another process's save may not have renamed its npz into place yet)."""
    ours, now = _pattern(path, names), time.time()
    for file in path.parent.glob(f"{path.stem}.*.npy"):
        if (match := ours.fullmatch(file.name)) and match.group(1) not in keep:
            try:
                if now - file.stat().st_mtime >= YOUNG_S:
                    file.unlink()
            except FileNotFoundError:
                pass
