"""qa/gradio_import.py: Gradio loads without its stub rewrite, and its components and events still work."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_stub_rewrite_is_skipped_and_components_work():
    """A fresh process: Gradio's per-class stub rewrite never runs, yet a page with events builds and reports the
    handler's `gr.Request` parameter as one Gradio fills in (resolved from the annotation, as app.py's on_load is)."""
    out = _run(
        "from __future__ import annotations\n"
        "from qa.gradio_import import import_gradio\n"
        "gr = import_gradio()\n"
        "import gradio.component_meta as meta\n"
        "meta.Path = None  # the rewrite would fail on this at its first line; a skipped one never touches it\n"
        "class Probe(gr.components.Textbox):\n"
        "    pass\n"
        "def on_load(request: gr.Request):\n"
        "    return 'x'\n"
        "from gradio.utils import get_type_hints\n"
        "with gr.Blocks() as demo:\n"
        "    box = gr.Textbox()\n"
        "    demo.load(on_load, None, box)\n"
        "print(get_type_hints(on_load)['request'] is gr.Request, hasattr(gr.Button, 'click'), len(demo.fns))\n")
    assert out == "True True 1"


def test_without_the_finder_the_rewrite_runs():
    """The probe above can fail: importing Gradio plainly does call the rewrite for a new component class."""
    out = _run(
        "import gradio as gr\n"
        "import gradio.component_meta as meta\n"
        "calls = []\n"
        "meta.create_or_modify_pyi = lambda *a, **k: calls.append(a[1])\n"
        "class Probe(gr.components.Textbox):\n"
        "    pass\n"
        "print(calls)\n")
    assert out == "['Probe']"
