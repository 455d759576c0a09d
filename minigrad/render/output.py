"""Turn DOT source into SVG, PNG or PDF, with or without Graphviz installed.

Two programs understand the dot language and lay graphs out:

1. Graphviz's own ``dot``, when it is on PATH (``apt install graphviz``,
   ``brew install graphviz``, ``conda install graphviz``, graphviz.org).
2. ``graphviz-pure``, a port of Graphviz to Rust shipped as a pip wheel for
   Linux, macOS and Windows. minigrad depends on it, so it is always there
   after ``pip install minigrad``. It installs a program, not a Python module,
   into the ``bin/`` (``Scripts\\`` on Windows) directory of the environment;
   we find it through the package's own file list, so it works even when
   that environment is not activated (``.venv/bin/python script.py``).
   It writes SVG and PNG but not PDF; for PDF we ask it for a PNG at
   192 dpi and let Pillow (``pip install pillow``, the ``pdf`` extra) save
   that as a one-page PDF (a raster, not vector, PDF).

``Drawing`` holds the DOT source and offers the interface of
``graphviz.Digraph`` that people use: ``.source``, ``.pipe(format=...)``,
``.render(filename, format=...)`` and inline display in Jupyter.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Optional

from .._checks import check_path

HOW_TO_GET_A_RENDERER = (
    "To render DOT to an image, minigrad needs either Graphviz's 'dot' program on PATH "
    "(apt install graphviz / brew install graphviz / conda install graphviz / https://graphviz.org/download/) "
    "or the pip package graphviz-pure (pip install graphviz-pure; it is a dependency of minigrad, "
    "so reinstalling minigrad also brings it back). The DOT source itself is always available as .source."
)

HOW_TO_GET_PDF = (
    "minigrad: writing PDF without Graphviz's 'dot' program needs Pillow (pip install pillow, or "
    "pip install \"minigrad[pdf]\"): graphviz-pure, the renderer in use, writes only svg, png and the DOT "
    "source (.gv/.dot). Install one of the two, or write one of those formats."
)

# Resolution of the PNG that graphviz-pure draws when Pillow turns it into a PDF.
_PDF_DPI = 192


class RendererNotFound(RuntimeError):
    """Neither Graphviz's ``dot`` nor ``graphviz-pure`` could be found."""


# ----------------------------------------------------------------- finding the programs
def find_dot() -> Optional[str]:
    """Path of Graphviz's ``dot`` program, or None when it is not on PATH."""
    return shutil.which("dot")


def find_graphviz_pure() -> Optional[str]:
    """Path of the ``graphviz-pure`` program installed by pip, or None.

    Looked up, in order: in the file list pip recorded when it installed the
    package (exact, whatever the install scheme), in this interpreter's scripts
    directory, then on PATH.
    """
    import importlib.metadata       # here, not at the top: every `import minigrad` would pay for it

    program_names = ("graphviz-pure", "graphviz-pure.exe")
    try:
        distribution = importlib.metadata.distribution("graphviz-pure")
    except importlib.metadata.PackageNotFoundError:
        distribution = None
    if distribution is not None:
        for file in distribution.files or []:
            if file.name in program_names:
                path = Path(distribution.locate_file(file)).resolve()
                if path.is_file():
                    return str(path)
    for directory in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        for name in program_names:
            path = Path(directory) / name
            if path.is_file():
                return str(path)
    return shutil.which("graphviz-pure")


def which_renderer() -> Optional[str]:
    """``"dot"``, ``"graphviz-pure"`` or None: the program ``Drawing.pipe`` would use now."""
    name, _ = _renderer()
    return name


def _renderer() -> tuple[Optional[str], Optional[str]]:
    """(name, path) of the program to use: ``dot`` if on PATH, else ``graphviz-pure``, else (None, None)."""
    dot = find_dot()
    if dot is not None:
        return "dot", dot
    pure = find_graphviz_pure()
    if pure is not None:
        return "graphviz-pure", pure
    return None, None


# ----------------------------------------------------------------- running them
def layout(source: str, format: str) -> bytes:
    """Lay out and draw DOT ``source`` in ``format`` ("svg", "png", "pdf", ...) and return the bytes.

    Uses ``dot`` when it is on PATH, otherwise ``graphviz-pure``; raises
    ``RendererNotFound`` (saying how to get either) when neither is there.
    """
    format = format.lower()
    name, program = _renderer()
    if name == "dot":
        return _run([program, f"-T{format}"], source)
    if name is None:
        raise RendererNotFound(HOW_TO_GET_A_RENDERER)
    if format == "pdf":          # graphviz-pure cannot write PDF: a PNG of the picture, saved as PDF
        return png_to_pdf(_run([program, "-Tpng", f"-Gdpi={_PDF_DPI}"], source), _PDF_DPI)
    return _run([program, f"-T{format}"], source)


def _run(command: list[str], source: str) -> bytes:
    """Feed ``source`` to ``command`` on stdin and return its stdout; raise with its stderr on failure."""
    result = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{Path(command[0]).name} failed (exit code {result.returncode}): {message}")
    return result.stdout


def png_to_pdf(png: bytes, dpi: int) -> bytes:
    """A one-page PDF showing ``png`` at ``dpi``, written by Pillow; without Pillow, ``RendererNotFound``."""
    try:
        from PIL import Image
    except ImportError:
        raise RendererNotFound(HOW_TO_GET_PDF) from None
    written = io.BytesIO()
    with Image.open(io.BytesIO(png)) as picture:
        picture.convert("RGB").save(written, format="PDF", resolution=dpi)    # PDF has no alpha channel
    return written.getvalue()


# ----------------------------------------------------------------- the Digraph-like object
def write_file(who: str, path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path``; an error names ``who`` and the path (not only the OS's words)."""
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as error:
        raise type(error)(f"{who}: cannot write {str(path)!r} ({error.strerror or error})") from None


class Drawing:
    """DOT source with the rendering interface of ``graphviz.Digraph``.

    ``source`` is the DOT text; ``pipe`` returns the rendered bytes;
    ``render`` writes the source and the picture to files; Jupyter shows the
    drawing inline as SVG.
    """

    def __init__(self, source: str, filename: str = "graph.gv", format: str = "svg") -> None:
        self.source = source
        self.filename = filename
        self.format = format

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: Optional[str] = None, encoding: Optional[str] = None) -> bytes | str:
        """The picture in ``format`` (default ``self.format``) as bytes, or as text if ``encoding`` is given."""
        data = layout(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def render(self, filename: Optional[str] = None, directory: Optional[str] = None,
               view: bool = False, cleanup: bool = False, format: Optional[str] = None,
               outfile: Optional[str] = None) -> str:
        """Write the DOT source and its picture to files; return the picture's path.

        As in ``graphviz``: ``render("lstm", format="png")`` writes ``lstm``
        (the DOT source) and ``lstm.png``; ``render(outfile="lstm.png")``
        writes ``lstm.gv`` and ``lstm.png``. ``cleanup=True`` deletes the
        source file afterwards. ``view`` is accepted for compatibility and
        ignored (open the file yourself).
        """
        for name, value in (("filename", filename), ("directory", directory), ("outfile", outfile)):
            if value is not None:
                check_path("Drawing.render", name, value)
        if outfile is not None:
            picture = Path(outfile)
            format = format or picture.suffix.lstrip(".") or self.format
            source_path = picture.with_suffix(".gv") if filename is None else Path(filename)
        else:
            format = format or self.format
            source_path = Path(filename or self.filename)
            picture = Path(f"{source_path}.{format}")
        if directory is not None:
            source_path, picture = Path(directory) / source_path, Path(directory) / picture
        try:
            source_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise type(error)(f"Drawing.render: cannot create the folder {str(source_path.parent)!r} "
                              f"({error.strerror or error})") from None
        write_file("Drawing.render", source_path, self.source)
        write_file("Drawing.render", picture, self.pipe(format))
        if cleanup:
            source_path.unlink()
        return str(picture)

    def save(self, filename: Optional[str] = None) -> str:
        """Write only the DOT source (to ``filename`` or ``self.filename``); return its path."""
        if filename is not None:
            check_path("Drawing.save", "filename", filename)
        path = Path(filename or self.filename)
        write_file("Drawing.save", path, self.source)
        return str(path)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """Jupyter's hook: show the drawing inline as SVG."""
        return {"image/svg+xml": self.pipe("svg", encoding="utf-8")}
