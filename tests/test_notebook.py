"""viz in Jupyter: figures and graphs display as pictures in a fresh kernel, not as text."""

import os
import shutil

import pytest

import tinygrad_edu as tg
from tinygrad_edu import viz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_figures_and_graphs_carry_their_display_methods():
    pytest.importorskip("matplotlib")
    pytest.importorskip("graphviz")
    figure = viz.plot_training_curves([1.0, 0.5, 0.25], [1.1, 0.6, 0.4])
    assert figure._repr_png_().startswith(PNG_MAGIC)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    graph = viz.draw_graph((x * x).sum())
    if shutil.which("dot") is None:
        with pytest.raises(viz.DotNotFoundError, match="install Graphviz"):
            graph._repr_svg_()
        return
    svg = graph._repr_svg_()
    assert "<svg" in svg and graph._repr_mimebundle_() == {"image/svg+xml": svg}


NOTEBOOK_CELLS = [
    "import tinygrad_edu as tg\nfrom tinygrad_edu import viz",
    "viz.plot_training_curves([1.0, 0.5, 0.25], [1.1, 0.6, 0.4], train_accuracy=[0.5, 0.7, 0.9])",
    "x = tg.tensor([1.0, 2.0], requires_grad=True)\nviz.draw_graph((x * x).sum())",
]


def test_a_fresh_kernel_shows_figures_and_graphs_inline():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    pytest.importorskip("graphviz")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": ROOT}})
    client.execute()
    figure_output, graph_output = (cell.outputs for cell in notebook.cells[1:])
    assert [output.output_type for output in figure_output] == ["execute_result"]
    assert "image/png" in figure_output[0].data
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` is not installed: the graph cannot be drawn")
    assert "image/svg+xml" in graph_output[0].data
    assert "<svg" in graph_output[0].data["image/svg+xml"]
