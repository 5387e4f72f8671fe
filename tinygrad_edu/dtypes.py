"""Data types and PyTorch's type promotion.

A dtype is a NumPy dtype (`tg.float32 is np.dtype("float32")`). What differs from NumPy is
which dtype an operation on mixed operands gives. PyTorch (`torch.result_type`) ranks dtypes
in categories, bool < integer < floating, and looks at three kinds of operand separately:
tensors with dimensions, 0-d tensors, and Python numbers.

  1. Within one kind, dtypes promote as usual (int32 + int64 -> int64, float16 + float32 ->
     float32); across categories the higher category's dtype wins (int64 + float32 ->
     float32, where NumPy says float64). A Python float counts as the default dtype
     (float32), a Python int as int64, a Python bool as bool.
  2. A 0-d tensor or a Python number changes the result only when its category is higher
     than that of every dimensioned tensor: float32 tensor * 2.5 stays float32, float32
     tensor * float64 0-d tensor stays float32, but int64 tensor * 0.5 is float32.
  3. Functions that only make sense on reals (exp, sigmoid, mean, division, ...) turn an
     integer or bool input into the default dtype first.
"""

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_default_dtype = float32


def get_default_dtype():
    """The dtype of floating tensors made without an explicit dtype (float32 unless set)."""
    return _default_dtype


def set_default_dtype(dtype):
    """Set the default floating dtype (float32 or float64), as torch.set_default_dtype."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {dtype}")
    _default_dtype = dtype


def category(dtype):
    """0 for bool, 1 for integers, 2 for floating, 3 for complex."""
    return _CATEGORY[dtype.kind]


def is_floating(dtype):
    return dtype.kind == "f"


def promote_types(first, second):
    """The smallest dtype both convert to: the higher category's dtype when categories
    differ (PyTorch), NumPy's promotion within one category."""
    if first == second:
        return first
    first_category, second_category = _CATEGORY[first.kind], _CATEGORY[second.kind]
    if first_category != second_category:
        return first if first_category > second_category else second
    return np.promote_types(first, second)


def scalar_dtype(number):
    """The dtype a Python number stands for: bool, int64, or the default floating dtype."""
    if isinstance(number, bool):
        return bool_
    if isinstance(number, int):
        return int64
    return _default_dtype


def result_type(*operands):
    """The dtype of an elementwise op on `operands`, as torch.result_type. Each operand is an
    array (anything with .dtype and .ndim) or a Python number."""
    dimensioned = zero_dim = number = None
    for operand in operands:
        dtype = getattr(operand, "dtype", None)
        if dtype is None:
            number = _promote_optional(number, scalar_dtype(operand))
        elif operand.ndim:
            dimensioned = _promote_optional(dimensioned, dtype)
        else:
            zero_dim = _promote_optional(zero_dim, dtype)
    return _combine(dimensioned, _combine(zero_dim, number))


def _promote_optional(current, dtype):
    return dtype if current is None else promote_types(current, dtype)


def _combine(higher, lower):
    """The result of a higher-priority kind of operand with a lower one (torch's rule): the
    higher keeps its dtype unless the lower is of a higher category."""
    if higher is None:
        return lower
    if lower is None or _CATEGORY[higher.kind] >= _CATEGORY[lower.kind]:
        return higher
    return promote_types(higher, lower)
