"""render(): SVG/PNG through Graphviz's `dot`, and the fallback when `dot` is missing."""

import shutil
import xml.etree.ElementTree as ElementTree

import pytest

import tinygrad_edu as tg
import tinygrad_edu.viz.rendering as rendering
from tinygrad_edu.viz import DotNotFoundError, draw_graph, graph_to_dot, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


def trained_graph():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    w.name = "w"
    loss = ((w * tg.tensor([3.0, 4.0])).sum() - 1) ** 2
    loss.backward()
    return loss


def svg_texts(path):
    """Every <text> element of an SVG file (parsing also proves it is well-formed XML)."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]


@needs_dot
def test_render_writes_a_valid_svg_with_the_labels(tmp_path):
    path = render(graph_to_dot(trained_graph()), tmp_path / "graph.svg")
    assert path == tmp_path / "graph.svg"
    texts = svg_texts(path)
    # dloss/dw = 2 (sum(w * x) - 1) x = 20 * [3, 4]
    for expected in ("w", "(2,) float32", "[1, 2]", "grad [60, 80]", "Mul",
                     "backward step 4", "Pow(\u00b7, 2)"):
        assert expected in texts


@needs_dot
def test_render_png_and_a_digraph_object(tmp_path):
    pytest.importorskip("graphviz")
    image = pytest.importorskip("matplotlib.image")
    path = render(draw_graph(trained_graph()), tmp_path / "graph.png", format="png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = image.imread(path)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 50 and pixels.std() > 0.05


@needs_dot
def test_names_with_quotes_and_backslashes_survive(tmp_path):
    x = tg.tensor([1.0], requires_grad=True)
    x.name = 'say "hi" \\ there'
    path = render(graph_to_dot(x * 2.0), tmp_path / "quoted.svg")
    assert 'say "hi" \\ there' in svg_texts(path)


@needs_dot
def test_a_bad_format_is_reported_with_dots_message(tmp_path):
    with pytest.raises(RuntimeError, match="dot -Tnot-a-format"):
        render(graph_to_dot(trained_graph()), tmp_path / "graph.x", format="not-a-format")


def test_without_dot_the_dot_text_is_written_and_the_error_says_how_to_install(
        tmp_path, monkeypatch):
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)
    source = graph_to_dot(trained_graph())
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz") as error:
        render(source, tmp_path / "out" / "graph.svg")
    assert "brew install graphviz" in str(error.value)
    assert (tmp_path / "out" / "graph.dot").read_text() == source
    assert not (tmp_path / "out" / "graph.svg").exists()
