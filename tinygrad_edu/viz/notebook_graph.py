"""A graphviz Digraph that shows itself as SVG in Jupyter, drawn by our `run_dot`."""

import graphviz

from .rendering import run_dot


class NotebookGraph(graphviz.Digraph):
    """The Digraph `draw_graph` returns: in a notebook it displays as the SVG `dot` draws.

    `_repr_svg_` is the display method every Jupyter front end knows; `_repr_mimebundle_`
    (which IPython asks first) returns the same SVG. Without Graphviz's `dot` program both
    raise `DotNotFoundError`, whose message says how to install it.
    """

    def _repr_svg_(self):
        return run_dot(self, format="svg").decode("utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return {"image/svg+xml": self._repr_svg_()}
