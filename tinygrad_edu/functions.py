"""The math of Tensor as functions of the package, taking the tensor first, as in PyTorch:
`tg.exp(x)` is `x.exp()`, `tg.sum(x, dim)` is `x.sum(dim)`.

Each function is one line that checks its first argument is a Tensor (a TypeError naming the
function otherwise, as PyTorch raises) and calls the method, so the two spellings can never
disagree. Functions of several tensors, and the few with no method (einsum, meshgrid, allclose,
histc, ...), are written here too.
"""

import builtins

from . import backend
from .autograd.function import constant
from .ops.elementwise import Maximum, Minimum
from .ops.linalg import Einsum
from .tensor import Tensor, _normalize_dims

__all__ = [
    "abs", "add", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "bmm", "ceil",
    "clamp", "clip", "clone", "cos", "cumsum", "div", "divide", "dot", "einsum", "eq", "equal",
    "exp", "expm1", "flatten", "flip", "floor", "gather", "ge", "gt", "histc", "index_select",
    "isclose", "isfinite", "isinf", "isnan", "le", "log", "log10", "log1p", "log2", "log_softmax",
    "logsumexp", "lt", "masked_fill", "max", "mean", "meshgrid", "min", "mm", "mul", "multiply",
    "ne", "neg", "negative", "numel", "outer", "permute", "pow", "reciprocal", "relu", "reshape",
    "round", "rsqrt", "sigmoid", "sign", "sin", "softmax", "sort", "sqrt", "square", "squeeze",
    "std", "sub", "subtract", "sum", "swapaxes", "t", "tanh", "tile", "topk", "transpose", "tril",
    "triu", "true_divide", "trunc", "unbind", "unsqueeze", "var",
]


def _tensor(value, op_name):
    """`value` if it is a Tensor; else PyTorch's TypeError naming the function."""
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{op_name}(): argument 'input' (position 1) must be Tensor, not "
                    f"{type(value).__name__}")


def _constant(array, device):
    return constant(array, device)


# ----- elementwise --------------------------------------------------------------------------
def abs(input):  # noqa: A001, A002  (PyTorch's names)
    return _tensor(input, "abs").abs()


def exp(input):  # noqa: A002
    return _tensor(input, "exp").exp()


def expm1(input):  # noqa: A002
    return _tensor(input, "expm1").expm1()


def log(input):  # noqa: A002
    return _tensor(input, "log").log()


def log2(input):  # noqa: A002
    return _tensor(input, "log2").log2()


def log10(input):  # noqa: A002
    return _tensor(input, "log10").log10()


def log1p(input):  # noqa: A002
    return _tensor(input, "log1p").log1p()


def sqrt(input):  # noqa: A002
    return _tensor(input, "sqrt").sqrt()


def rsqrt(input):  # noqa: A002
    return _tensor(input, "rsqrt").rsqrt()


def square(input):  # noqa: A002
    return _tensor(input, "square").square()


def reciprocal(input):  # noqa: A002
    return _tensor(input, "reciprocal").reciprocal()


def sin(input):  # noqa: A002
    return _tensor(input, "sin").sin()


def cos(input):  # noqa: A002
    return _tensor(input, "cos").cos()


def tanh(input):  # noqa: A002
    return _tensor(input, "tanh").tanh()


def sigmoid(input):  # noqa: A002
    return _tensor(input, "sigmoid").sigmoid()


def relu(input):  # noqa: A002
    return _tensor(input, "relu").relu()


def sign(input):  # noqa: A002
    return _tensor(input, "sign").sign()


def floor(input):  # noqa: A002
    return _tensor(input, "floor").floor()


def ceil(input):  # noqa: A002
    return _tensor(input, "ceil").ceil()


def trunc(input):  # noqa: A002
    return _tensor(input, "trunc").trunc()


def round(input, decimals=0):  # noqa: A001, A002
    return _tensor(input, "round").round(decimals)


def clamp(input, min=None, max=None):  # noqa: A002
    return _tensor(input, "clamp").clamp(min, max)


clip = clamp


def neg(input):  # noqa: A002
    return -_tensor(input, "neg")


negative = neg


def add(input, other, alpha=1):  # noqa: A002
    """input + alpha * other."""
    return _tensor(input, "add") + (other if alpha == 1 else alpha * other)


def sub(input, other, alpha=1):  # noqa: A002
    """input - alpha * other."""
    return _tensor(input, "sub") - (other if alpha == 1 else alpha * other)


subtract = sub


def mul(input, other):  # noqa: A002
    return _tensor(input, "mul") * other


multiply = mul


def div(input, other):  # noqa: A002
    return _tensor(input, "div") / other


divide = true_divide = div


def pow(input, exponent):  # noqa: A001, A002
    return _tensor(input, "pow") ** exponent


# ----- reductions (arguments as the methods: dim, keepdim, ...) -----------------------------
def sum(input, *args, **kwargs):  # noqa: A001, A002
    return _tensor(input, "sum").sum(*args, **kwargs)


def mean(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "mean").mean(*args, **kwargs)


def var(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "var").var(*args, **kwargs)


def std(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "std").std(*args, **kwargs)


def amax(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "amax").amax(*args, **kwargs)


def amin(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "amin").amin(*args, **kwargs)


def max(input, *args, **kwargs):  # noqa: A001, A002
    """tg.max(x), tg.max(x, dim, keepdim) as x.max(...); tg.max(x, other_tensor) is maximum."""
    if args and isinstance(args[0], Tensor):
        return Maximum.apply(_tensor(input, "max"), args[0])
    return _tensor(input, "max").max(*args, **kwargs)


def min(input, *args, **kwargs):  # noqa: A001, A002
    """tg.min(x), tg.min(x, dim, keepdim) as x.min(...); tg.min(x, other_tensor) is minimum."""
    if args and isinstance(args[0], Tensor):
        return Minimum.apply(_tensor(input, "min"), args[0])
    return _tensor(input, "min").min(*args, **kwargs)


def logsumexp(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "logsumexp").logsumexp(*args, **kwargs)


def argmax(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "argmax").argmax(*args, **kwargs)


def argmin(input, *args, **kwargs):  # noqa: A002
    return _tensor(input, "argmin").argmin(*args, **kwargs)


def sort(input, *args, **kwargs):  # noqa: A002
    """(values, indices), as Tensor.sort."""
    return _tensor(input, "sort").sort(*args, **kwargs)


def topk(input, *args, **kwargs):  # noqa: A002
    """(values, indices), as Tensor.topk."""
    return _tensor(input, "topk").topk(*args, **kwargs)


def cumsum(input, dim, dtype=None):  # noqa: A002
    return _tensor(input, "cumsum").cumsum(dim, dtype=dtype)


def softmax(input, dim, dtype=None):  # noqa: A002
    source = _tensor(input, "softmax") if dtype is None else input.to(dtype)
    return source.softmax(dim)


def log_softmax(input, dim, dtype=None):  # noqa: A002
    source = _tensor(input, "log_softmax") if dtype is None else input.to(dtype)
    return source.log_softmax(dim)


def numel(input):  # noqa: A002
    return _tensor(input, "numel").numel()


def all(input, dim=None, keepdim=False):  # noqa: A001, A002
    """True where every element (along dim) is nonzero; a boolean tensor, no gradient."""
    return _logical(input, "all", dim, keepdim)


def any(input, dim=None, keepdim=False):  # noqa: A001, A002
    """True where some element (along dim) is nonzero; a boolean tensor, no gradient."""
    return _logical(input, "any", dim, keepdim)


def _logical(input, name, dim, keepdim):  # noqa: A002
    data = _tensor(input, name)._data
    dims = _normalize_dims(dim, input.ndim, name)
    return _constant(getattr(backend.xp_of(data), name)(data, axis=dims, keepdims=keepdim),
                     input.device)


# ----- shapes and indexing ------------------------------------------------------------------
def reshape(input, shape):  # noqa: A002
    return _tensor(input, "reshape").reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):  # noqa: A002
    return _tensor(input, "flatten").flatten(start_dim, end_dim)


def squeeze(input, dim=None):  # noqa: A002
    return _tensor(input, "squeeze").squeeze(dim)


def unsqueeze(input, dim):  # noqa: A002
    return _tensor(input, "unsqueeze").unsqueeze(dim)


def transpose(input, dim0, dim1):  # noqa: A002
    return _tensor(input, "transpose").transpose(dim0, dim1)


swapaxes = transpose


def permute(input, dims):  # noqa: A002
    return _tensor(input, "permute").permute(dims)


def t(input):  # noqa: A002
    return _tensor(input, "t").t()


def flip(input, dims):  # noqa: A002
    return _tensor(input, "flip").flip(dims)


def unbind(input, dim=0):  # noqa: A002
    return _tensor(input, "unbind").unbind(dim)


def tile(input, dims):  # noqa: A002
    return _tensor(input, "tile").tile(dims)


def index_select(input, dim, index):  # noqa: A002
    return _tensor(input, "index_select").index_select(dim, index)


def gather(input, dim, index):  # noqa: A002
    return _tensor(input, "gather").gather(dim, index)


def masked_fill(input, mask, value):  # noqa: A002
    return _tensor(input, "masked_fill").masked_fill(mask, value)


def tril(input, diagonal=0):  # noqa: A002
    return _tensor(input, "tril").tril(diagonal)


def triu(input, diagonal=0):  # noqa: A002
    return _tensor(input, "triu").triu(diagonal)


def clone(input, memory_format=None):  # noqa: A002
    return _tensor(input, "clone").clone()


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids: output k holds tensors[k] varying along dim k (indexing="ij"); with
    indexing="xy" (NumPy's default) the first two inputs vary along dims 1 and 0 instead.
    Differentiable."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor) or tensor.ndim > 1:
            raise TypeError(f"meshgrid: expected 0-D or 1-D Tensors, argument {position} is "
                            f"{getattr(tensor, 'shape', type(tensor).__name__)}")
    vectors = [tensor.reshape(-1) for tensor in tensors]
    if indexing == "xy" and len(vectors) > 1:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = tuple(vector.shape[0] for vector in vectors)
    grids = [vector.reshape(*(-1 if axis == k else 1 for axis in range(len(shape))))
             .expand(*shape) for k, vector in enumerate(vectors)]
    if indexing == "xy" and len(grids) > 1:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ----- products -----------------------------------------------------------------------------
def mm(input, mat2):  # noqa: A002
    """The product of two matrices (2-D only; matmul broadcasts)."""
    if _tensor(input, "mm").ndim != 2 or not isinstance(mat2, Tensor) or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {input.shape} and "
                           f"{getattr(mat2, 'shape', type(mat2).__name__)}")
    return input.matmul(mat2)


def bmm(input, mat2):  # noqa: A002
    """Batches of matrix products: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    if _tensor(input, "bmm").ndim != 3 or not isinstance(mat2, Tensor) or mat2.ndim != 3 or \
            input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: expected two 3-D tensors with the same batch size, got "
                           f"shapes {input.shape} and "
                           f"{getattr(mat2, 'shape', type(mat2).__name__)}")
    return input.matmul(mat2)


def dot(input, other):  # noqa: A002
    """The inner product of two 1-D tensors of the same length."""
    if _tensor(input, "dot").ndim != 1 or not isinstance(other, Tensor) or other.ndim != 1 \
            or input.shape != other.shape:
        raise RuntimeError(f"dot: expected two 1-D tensors of the same length, got shapes "
                           f"{input.shape} and {getattr(other, 'shape', None)}")
    return input.matmul(other)


def outer(input, vec2):  # noqa: A002
    return _tensor(input, "outer").outer(vec2)


def einsum(equation, *operands):
    """Einstein summation, e.g. einsum("bij,bjk->bik", a, b); operands may come as a list."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: expected at least one operand")
    for position, operand in enumerate(operands):
        if not isinstance(operand, Tensor):
            raise TypeError(f"einsum: operand {position} must be a Tensor, got "
                            f"{type(operand).__name__}")
    return Einsum.apply(equation, *operands)


# ----- comparisons and tests (boolean results, no gradient) ----------------------------------
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    """|input - other| <= atol + rtol * |other|, elementwise."""
    data = _tensor(input, "isclose")._data
    other_data = other._data if isinstance(other, Tensor) else other
    return _constant(backend.xp_of(data).isclose(data, other_data, rtol=rtol, atol=atol,
                                                 equal_nan=equal_nan), input.device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    """True when every element is close (isclose); a Python bool."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):  # noqa: A002
    """True when both have the same shape and the same elements; a Python bool."""
    if _tensor(input, "equal").shape != other.shape:
        return False
    return builtins.bool((input._data == other._data).all())


def isnan(input):  # noqa: A002
    data = _tensor(input, "isnan")._data
    return _constant(backend.xp_of(data).isnan(data), input.device)


def isinf(input):  # noqa: A002
    data = _tensor(input, "isinf")._data
    return _constant(backend.xp_of(data).isinf(data), input.device)


def isfinite(input):  # noqa: A002
    data = _tensor(input, "isfinite")._data
    return _constant(backend.xp_of(data).isfinite(data), input.device)


def eq(input, other):  # noqa: A002
    return _tensor(input, "eq") == other


def ne(input, other):  # noqa: A002
    return _tensor(input, "ne") != other


def lt(input, other):  # noqa: A002
    return _tensor(input, "lt") < other


def le(input, other):  # noqa: A002
    return _tensor(input, "le") <= other


def gt(input, other):  # noqa: A002
    return _tensor(input, "gt") > other


def ge(input, other):  # noqa: A002
    return _tensor(input, "ge") >= other


def histc(input, bins=100, min=0, max=0):  # noqa: A001, A002
    """Counts of the elements in `bins` equal-width bins over [min, max] (both 0: the data's
    own range); elements outside are ignored. Same dtype as input, no gradient."""
    data = _tensor(input, "histc")._data
    if input.dtype.kind != "f":
        raise RuntimeError(f"histc: expected a floating-point input, got dtype {input.dtype}")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    xp = backend.xp_of(data)
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1  # PyTorch widens an empty range by 1 on each side
    if low > high:
        raise RuntimeError(f"histc: max must be larger than min, got min={min}, max={max}")
    counts, _ = xp.histogram(data, bins=bins, range=(low, high))
    return _constant(counts.astype(data.dtype), input.device)
