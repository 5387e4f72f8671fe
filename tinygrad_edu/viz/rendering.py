"""From DOT text to pictures: a `graphviz.Digraph` for Jupyter, SVG/PNG files through `dot`.

    g = draw_graph(loss, params=model)   # displays inline in Jupyter
    render(g, "loss.svg")                # or render(graph_to_dot(loss), "loss.png", "png")

`draw_graph` needs the `graphviz` Python package (`pip install tinygrad_edu[viz]`); `render`
needs only Graphviz's `dot` program. Without `dot`, `render` still writes the DOT text next
to the requested file, so nothing is lost, and says how to install it.
"""

import shutil
import subprocess
from pathlib import Path

from .graph import graph_to_dot

INSTALL_DOT = ("install Graphviz, which provides `dot`: `apt-get install graphviz` (Debian/"
               "Ubuntu), `brew install graphviz` (macOS) or `conda install graphviz`")


class DotNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not installed (or not on PATH)."""


def _check_graphviz_package():
    try:
        import graphviz  # noqa: F401  (only checking that it is installed)
    except ImportError as error:
        raise ImportError(
            "draw_graph needs the graphviz Python package: `pip install graphviz` (or `pip "
            "install tinygrad_edu[viz]`); graph_to_dot gives the DOT text without it"
        ) from error


def draw_graph(tensor, params=None, show_values=True, show_grads=True,
               collapse_modules=False, title=None):
    """The graph that produced `tensor` as a `graphviz.Digraph` (arguments as graph_to_dot)
    that displays as SVG in Jupyter (see `NotebookGraph`)."""
    _check_graphviz_package()
    from .notebook_graph import NotebookGraph  # a graphviz.Digraph

    source = graph_to_dot(tensor, params=params, show_values=show_values,
                          show_grads=show_grads, collapse_modules=collapse_modules, title=title)
    lines = source.strip().splitlines()  # "digraph G {", the statements, "}"
    return NotebookGraph(name="G", body=[line + "\n" for line in lines[1:-1]])


def dot_source(graph_or_dot):
    """The DOT text of a graphviz graph (its `.source`) or of DOT text itself."""
    return graph_or_dot if isinstance(graph_or_dot, str) else graph_or_dot.source


def run_dot(graph_or_dot, format="svg", dpi=None):  # noqa: A002  (Graphviz's own name)
    """Lay out and draw the graph with `dot`; the picture's bytes in `format` (svg, png, pdf).
    dpi: the resolution of bitmap formats (Graphviz's default is 96)."""
    executable = shutil.which("dot")
    if executable is None:
        raise DotNotFoundError(f"render: Graphviz's `dot` program was not found; {INSTALL_DOT}")
    command = [executable, f"-T{format}"] + ([] if dpi is None else [f"-Gdpi={dpi}"])
    result = subprocess.run(command, input=dot_source(graph_or_dot).encode(),
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"render: `dot -T{format}` failed: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def render(graph_or_dot, path, format="svg", dpi=None):  # noqa: A002
    """Write the picture to exactly `path`; returns the Path. Without `dot`, writes the DOT text
    to `path` with the suffix `.dot` and raises DotNotFoundError saying how to install it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        picture = run_dot(graph_or_dot, format, dpi)
    except DotNotFoundError as error:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(dot_source(graph_or_dot))
        raise DotNotFoundError(f"{error}. The DOT text was written to {dot_path}; "
                               f"`dot -T{format} {dot_path} -o {path}` draws it.") from None
    path.write_bytes(picture)
    return path
