"""A matplotlib Figure that shows itself as a picture in Jupyter, without pyplot."""

import io

from matplotlib.figure import Figure


class NotebookFigure(Figure):
    """A Figure whose notebook display is its PNG image.

    Jupyter draws matplotlib figures inline through pyplot's inline backend, whose PNG
    formatter is registered only once pyplot is in use. viz never loads pyplot (its figures
    work on a headless machine and leave pyplot's state alone), so in a fresh kernel a plain
    Figure would show as `<Figure size 1000x400 with 2 Axes>`. IPython asks an object for
    `_repr_png_` when it knows no formatter for its type; this one answers with the image.
    """

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()
