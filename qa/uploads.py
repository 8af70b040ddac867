"""Uploaded statements leave no copy behind: Gradio's cached copy of an upload, which its file route would otherwise
serve for ever, is deleted once the upload is ingested (qa/statements_view.py)."""
from __future__ import annotations

import contextlib
from pathlib import Path


def forget_upload(path: Path) -> None:
    """Delete Gradio's cached copy of an upload, and the one-off folder it sits in once that is empty; nothing outside
    Gradio's upload folder is touched."""
    from gradio.utils import get_upload_folder

    root, path = Path(get_upload_folder()).resolve(), Path(path).resolve()
    if root not in path.parents:
        return
    path.unlink(missing_ok=True)
    if path.parent != root:
        with contextlib.suppress(OSError):  # not empty: another upload shares it
            path.parent.rmdir()
