"""Real text at scale for the benchmarks: Debian's Russian and English man pages rendered to plain-text statements."""
from __future__ import annotations

import gzip
import re
import subprocess
import tempfile
from pathlib import Path

PACKAGES = ("manpages-ru", "manpages", "manpages-dev")
_SECTION = re.compile(r"^[^\s].*$")  # an unindented line: a section heading (ИМЯ, DESCRIPTION)


def download(folder: Path, packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    """The packages' .deb files, fetched once with `apt-get download` (Debian's mirror is reachable at install time)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(folder.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=folder, check=True, capture_output=True)
    return sorted(p for name in packages for p in folder.glob(f"{name}_*.deb"))


def render(page: Path) -> str:
    """One man page as text, a paragraph per line (groff with a very long line length, no overstrike)."""
    source = gzip.decompress(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes()
    out = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-P-cbou", "-rLL=3000n"], input=source,
                         capture_output=True, timeout=60)
    return out.stdout.decode("utf-8", "replace")


def statement(page: Path, text: str) -> str:
    """A statement file: the page's name and summary as its title line, then one paragraph per block."""
    lines = [line.rstrip() for line in text.splitlines()[1:-1]]  # groff's running header and footer
    paragraphs, current = [], []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
                current = []
        elif _SECTION.match(line):
            if current:
                paragraphs.append(" ".join(current))
            paragraphs.append(line.strip())
            current = []
        else:
            current.append(" ".join(line.split()))
    if current:
        paragraphs.append(" ".join(current))
    summary = next((p for h, p in zip(paragraphs, paragraphs[1:]) if h in ("NAME", "ИМЯ", "НАЗВАНИЕ")), page.name)
    return summary + "\n\n" + "\n\n".join(p for p in paragraphs if p)


def build(folder: Path) -> list[Path]:
    """Every page of the packages as `folder/{lang}_{name}.txt` (kept between runs)."""
    out = folder / "pages"
    if out.exists() and any(out.iterdir()):
        return sorted(out.glob("*.txt"))
    debs = download(folder / "debs")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        for page in sorted(Path(tmp, "usr/share/man").rglob("*.gz")):
            lang = "ru" if "/ru/" in str(page) else "en"
            name = re.sub(r"[^\w.-]", "_", page.name.removesuffix(".gz"))
            text = statement(page, render(page))
            if len(text) > 200:
                (out / f"{lang}_{name}.txt").write_text(text, encoding="utf-8")
    return sorted(out.glob("*.txt"))


if __name__ == "__main__":
    import sys

    pages = build(Path(sys.argv[1] if len(sys.argv) > 1 else ".cache/bench/manpages"))
    print(f"{len(pages)} pages")
