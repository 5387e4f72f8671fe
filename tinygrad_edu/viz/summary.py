"""Short text for numbers, tensors and op constants, as shown inside graph nodes.

A tensor with few elements is shown in full (`[1, -2.5, 3]`); a larger one by its statistics
(`mean=0.01 std=0.98 min=-3.1 max=2.9`), so a node label stays a few lines long whatever the
tensor's size. Summaries are computed on a float64 host copy: reading a tensor never changes it.
"""

import numpy as np

from ..backend import to_numpy

SMALL_TENSOR = 6  # tensors with at most this many elements are shown element by element


def format_number(value):
    """A number in 4 significant digits: 3, -0.125, 1.234e-05, nan, inf."""
    value = float(value)
    if np.isfinite(value) and value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.4g}"


def host_values(tensor):
    """The tensor's values as a float64 NumPy array (booleans become 0/1)."""
    return np.asarray(to_numpy(tensor._data), dtype=np.float64)


def summarize_values(values):
    """`values` (a float64 array) as text: every element when few, else mean/std/min/max."""
    if values.size == 0:
        return "(empty)"
    if values.size == 1:
        return format_number(values.reshape(()))
    if values.size <= SMALL_TENSOR:
        return "[" + ", ".join(format_number(v) for v in values.reshape(-1)) + "]"
    return (f"mean={format_number(values.mean())} std={format_number(values.std())} "
            f"min={format_number(values.min())} max={format_number(values.max())}")


def summarize_tensor(tensor):
    """The values of a Tensor as one line of text (see `summarize_values`)."""
    return summarize_values(host_values(tensor))


def format_shape(shape):
    """(2, 3) as "(2, 3)", a scalar's () as "scalar"."""
    return str(tuple(shape)) if len(shape) else "scalar"


def format_constant(value):
    """A non-tensor op argument (a scalar, dims, an index, a dtype) as compact text, or None to
    leave it out (None and booleans: defaults such as keepdim=False say little in a picture)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.number):
        return format_number(value)
    if isinstance(value, slice):
        parts = ["" if part is None else str(part) for part in (value.start, value.stop)]
        text = ":".join(parts)
        return text if value.step is None else f"{text}:{value.step}"
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple | list):
        items = [format_constant(item) or repr(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"array{format_shape(value.shape)}"
    return str(value)
