"""chromadb, imported without `overrides` checking each of its method signatures: every process starts 0.1–0.3 s sooner."""
from __future__ import annotations

import sys


def _marked(method=None, **_options):
    """What `overrides.override` leaves on a method once its checks pass: the mark `EnforceOverrides` looks for."""
    if method is None:  # @override(check_signature=False)
        return _marked
    method.__override__ = True
    return method


def import_chromadb():
    """The chromadb module. Its ~160 `@override` decorators each disassemble the calling frame and compare signatures
    with the base class at import time (0.1–0.3 s of chromadb's 1.0–1.4 s here): a check for chromadb's own developers
    that a released wheel has already passed. The mark stays in place for chromadb's modules imported later (its Rust
    bindings and segment types load when a client opens); it is set only before chromadb's first import."""
    if "chromadb" not in sys.modules:
        import overrides

        overrides.override = overrides.overrides = _marked
    import chromadb

    return chromadb
