"""Gradio, imported without rewriting its type stubs: the app's start is 1.5–2.5 s shorter."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

STUBS_MODULE = "gradio.component_meta"


class _NoStubRewrite(importlib.abc.MetaPathFinder):
    """Loads gradio.component_meta as usual, then makes its `create_or_modify_pyi` do nothing.

    Gradio calls that function for each of its ~80 component classes at import time: it re-parses the class's source
    file with `ast` and rewrites the `.pyi` stub beside it (which the wheel already ships) for type checkers. That is
    over half of `import gradio` here (3.6–4.6 s → 2.0–2.2 s without it) and changes nothing a running app does."""

    def find_spec(self, name, path, target=None):
        if name != STUBS_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module) -> None:
            load(module)
            if hasattr(module, "create_or_modify_pyi"):
                module.create_or_modify_pyi = lambda *args, **kwargs: None

        spec.loader.exec_module = exec_module
        return spec


def import_gradio():
    """The gradio module (imported once per process; the stub rewrite is skipped only if gradio was not loaded yet)."""
    if "gradio" not in sys.modules and not any(isinstance(f, _NoStubRewrite) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoStubRewrite())
    import gradio

    return gradio
