"""`Tensor`: an array on a device, plus what autograd needs to differentiate through it.

Every method that computes something is a one-line call of a `Function` in `ops/`; the
Tensor itself only holds
  data           the backend array (numpy.ndarray on "cpu", cupy.ndarray on "cuda")
  grad           dL/d(this tensor) after backward(), a Tensor (leaves, or after retain_grad())
  grad_fn        the Function node that produced it; None for leaves
  requires_grad  whether gradients flow to it
  name           an optional label, shown by viz.draw_graph
"""

import weakref

import numpy as np

from . import backend, dtypes
from .autograd.engine import run_backward
from .autograd.function import constant, mark_modified, register_tensor_type, share_version
from .autograd.grad_mode import _grad_mode
from .dtypes import bool_, float32, float64, get_default_dtype, int32, int64
from .ops.activations import Relu, Sigmoid, Tanh
from .ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clamp,
    ClampTensor,
    Cos,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Sin,
    Sqrt,
    Sub,
    ToDevice,
    Where,
)
from .ops.indexing import Clone, Cumsum
from .ops.linalg import Matmul
from .ops.math import Expm1, Log1p, Log2, Log10, Rounding
from .ops.reductions import LogSumExp, Max, Mean, StdFromVariance, Sum
from .ops.shape import BroadcastTo, Getitem, IndexPut, Permute, Reshape, SumToShape, reduced_axes
from .ops.softmax import LogSoftmax, Softmax
from .return_types import ValuesIndices

_default_device = "cpu"


def set_default_device(device):
    """The device that creation functions and Tensor(...) use when none is given."""
    global _default_device
    device = backend.canonical_device(device)
    backend.get_backend(device)  # fails clearly now rather than at the first tensor
    _default_device = device


def get_default_device():
    return _default_device


def _to_array(data, dtype, device):
    """Data as a fresh array on `device`. Tensors and device arrays stay on their device when
    none is given; host data (NumPy arrays, nested lists, numbers, objects with __array__ such
    as a torch CPU tensor) goes to the default device, as in PyTorch."""
    device = backend.canonical_device(device)
    if isinstance(data, Tensor):
        device = device or data.device
        data = data._data
    elif backend.is_device_array(data) and not isinstance(data, np.ndarray | np.generic):
        device = device or backend.device_of(data)
    device = device or _default_device
    if backend.is_device_array(data):
        array = backend.get_backend(device).asarray(data, dtype=dtype)
        return (array.copy() if array is data else array), device
    host = np.array(np.asarray(data), dtype=dtype)  # a copy: never shares a torch tensor
    _check_numeric_data(host, data)
    if dtype is None and host.dtype == np.float64 and not hasattr(data, "__array__"):
        host = host.astype(get_default_dtype())  # Python floats give the default dtype
    return backend.get_backend(device).asarray(host), device


def _check_numeric_data(host, data):
    """Tensors hold booleans, integers and floats: strings, None and other objects are refused
    as PyTorch refuses them (TypeError for strings, RuntimeError when no dtype fits)."""
    kind = host.dtype.kind
    if kind in "biuf":
        return
    if kind == "O":
        raise RuntimeError(f"tensor: could not infer a dtype for {_describe(data)}; expected "
                           "numbers or booleans (nested lists of them, or an array)")
    raise TypeError(f"tensor: cannot hold {_describe(data)} (NumPy dtype {host.dtype}); "
                    "expected numbers or booleans")


def _describe(data):
    text = repr(data)
    return f"{type(data).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


class Tensor:
    """A multidimensional array that records the operations applied to it.

    `_data` is the raw backend array (numpy.ndarray on "cpu", cupy.ndarray on "cuda"): the
    one documented way for ops, optimizers and tests to reach it. `.data` is a Tensor sharing
    that memory, outside the graph, as in PyTorch.
    """

    __slots__ = ("_data", "device", "_grad", "grad_fn", "requires_grad", "name", "_hooks",
                 "_version", "__weakref__")
    __array_priority__ = 1000  # numpy_array * tensor calls Tensor.__rmul__

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        dtype = None if dtype is None else np.dtype(dtype)
        self._data, self.device = _to_array(data, dtype, device)
        self._grad = None
        self.grad_fn = None
        self.name = None
        self._hooks = None
        self._version = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ----- the raw array and its properties -------------------------------------------------
    @property
    def data(self):
        """The same memory as a Tensor outside the graph (no history, requires_grad=False, its
        own version counter): `p.data.std()`, `p.data += -lr * p.grad` as in PyTorch.
        Assigning a Tensor or an array replaces the values (same device). Its array is a new
        view of the memory, never the same array object: ops recognise their inputs' saved
        arrays by identity, and `x * x.data` must not pass for `x * x` in double backward."""
        return constant(self._data.view(), self.device)

    @data.setter
    def data(self, value):
        array = value._data if isinstance(value, Tensor) else value
        if backend.device_of(array) != self.device:
            raise RuntimeError(
                f"data: cannot assign an array on '{backend.device_of(array)}' to a tensor on "
                f"'{self.device}'; move it first"
            )
        self._data = array

    def __array__(self, dtype=None, copy=None):
        """NumPy's view of a CPU tensor (np.asarray(t), matplotlib, SciPy); CUDA tensors raise,
        as in PyTorch: copy them to the host with .cpu() first."""
        if self.device != "cpu":
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        array = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return array.copy() if copy else array

    def _view_of(self, base):
        """Mark self as a view of base: one memory, one version counter."""
        return share_version(self, base)

    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):  # noqa: N802  (PyTorch's name)
        """All axes reversed (the transpose of a matrix)."""
        if self.ndim < 2:
            return self
        return Permute.apply(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self):  # noqa: N802  (PyTorch's name)
        """The last two axes swapped: a batch of transposed matrices."""
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dims, got shape {self.shape}")
        last = self.ndim - 1
        return Permute.apply(self, (*range(last - 1), last, last - 1))

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self.shape[_normalize_dim(dim, self.ndim, "size")]

    def numel(self):
        return int(self._data.size)

    def dim(self):
        return self.ndim

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[index] for index in range(len(self)))

    __hash__ = object.__hash__  # by identity (== is elementwise), as a C slot: dict keys are fast

    # ----- autograd -------------------------------------------------------------------------
    @property
    def grad(self):
        """dL/d(this tensor) after backward(): a Tensor of this tensor's shape, dtype and device
        (leaves, or non-leaves after retain_grad()); None before."""
        return self._grad

    @grad.setter
    def grad(self, value):
        """Assigning checks what PyTorch checks: a Tensor (or None) of the same shape, dtype and
        device, so an optimizer never meets a gradient that does not fit its parameter."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: assigned grad expected to be a Tensor or None, got "
                                f"{type(value).__name__}")
            for what, given, expected in (("shape", value.shape, self.shape),
                                          ("dtype", value.dtype, self.dtype),
                                          ("device", value.device, self.device)):
                if given != expected:
                    raise RuntimeError(f"grad: attempting to assign a gradient of {what} "
                                       f"{given} to a tensor of {what} {expected}")
        self._grad = value

    def requires_grad_(self, requires_grad=True):
        """Mark a leaf as needing gradients (only floating-point tensors can)."""
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: can only change requires_grad of leaf tensors; use detach() "
                "to get a leaf from a computed tensor"
            )
        if requires_grad and self.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_: only floating-point tensors can require gradients, got dtype "
                f"{self.dtype}; convert with .float() or .double() first"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same data as a new leaf outside the graph (shares memory and version counter;
        a new view of the array, for the reason given in `data`)."""
        return constant(self._data.view(), self.device)._view_of(self)

    def detach_(self):
        """Make self a leaf outside the graph, in place."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (`gradient`: dL/d(self))."""
        if retain_graph is None:
            retain_graph = create_graph
        run_backward([self], None if gradient is None else [gradient], retain_graph, create_graph)

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is not None and self.grad_fn.retained is None:
            self.grad_fn.retained = weakref.ref(self)

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces
        the gradient. Returns a handle whose remove() unregisters the hook."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # ----- conversion and devices -----------------------------------------------------------
    def numpy(self):
        """A host copy as a NumPy array."""
        return np.array(backend.to_numpy(self._data), copy=True)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"item: only one-element tensors can be converted to a Python "
                               f"number, this one has shape {self.shape}")
        return backend.to_numpy(self._data).reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self._data).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"bool: the truth value of a tensor with shape {self.shape} is "
                               "ambiguous; use .any() or .all()")
        return bool(self.item())

    def to(self, device_or_dtype=None, dtype=None, device=None):
        """Move to a device and/or convert to a dtype; differentiable. `t.to("cuda")`,
        `t.to(tg.float64)`, `t.to(device="cpu", dtype=tg.float32)`."""
        if isinstance(device_or_dtype, str):
            device = device_or_dtype
        elif device_or_dtype is not None:
            dtype = device_or_dtype
        device = backend.canonical_device(device)
        result = self
        if device is not None and device != self.device:
            backend.get_backend(device)
            result = ToDevice.apply(result, device)
        if dtype is not None and np.dtype(dtype) != result.dtype:
            result = Cast.apply(result, np.dtype(dtype))
        return result

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def long(self):
        return self.to(int64)

    def int(self):
        return self.to(int32)

    def bool(self):
        return self.to(bool_)

    def type_as(self, other):
        return self.to(other.dtype)

    # ----- arithmetic (broadcasting, PyTorch's type promotion) -------------------------------
    def _operand(self, other):
        """A Python number stays a scalar; anything else becomes a Tensor on self's device."""
        if isinstance(other, np.generic):  # first: np.float64 is a subclass of float
            return other.item()
        if isinstance(other, (Tensor, int, float)):  # noqa: UP038  (a tuple is faster here)
            return other
        if backend.is_device_array(other):  # wrapped as it is: the op checks its device
            return constant(other, backend.device_of(other))
        return Tensor(other, device=self.device)

    def _promoted(self, other):
        """(self, other) converted to their common dtype (see dtypes.result_type). NumPy agrees
        with PyTorch when the dtypes match or a float tensor meets a Python number: then
        nothing is converted (the common case, checked first)."""
        dtype = self._data.dtype
        kind = type(other)
        if kind is float or kind is int:
            if dtype.kind == "f":
                return self, other
        elif isinstance(other, Tensor) and other._data.dtype == dtype:
            return self, other
        other = self._operand(other)
        if isinstance(other, Tensor):
            if other._data.dtype == dtype:
                return self, other
            target = dtypes.result_type(self._data, other._data)
            return self._as_dtype(target), other._as_dtype(target)
        if dtype.kind in "fc" or (dtype.kind in "iu" and not isinstance(other, float)) or \
                isinstance(other, bool):
            return self, other
        return self._as_dtype(dtypes.result_type(self._data, other)), other

    def _as_dtype(self, dtype):
        return self if self._data.dtype == dtype else Cast.apply(self, dtype)

    def _floating(self):
        """Self for floating tensors; integer and bool tensors in the default dtype (the input
        of a function that only makes sense on reals: exp, sigmoid, mean, ...)."""
        return self if self._data.dtype.kind in "fc" else Cast.apply(self, get_default_dtype())

    def __add__(self, other):
        return Add.apply(*self._promoted(other))

    def __radd__(self, other):
        a, b = self._promoted(other)
        return Add.apply(b, a)

    def __sub__(self, other):
        return Sub.apply(*self._promoted(other))

    def __rsub__(self, other):
        a, b = self._promoted(other)
        return Sub.apply(b, a)

    def __mul__(self, other):
        return Mul.apply(*self._promoted(other))

    def __rmul__(self, other):
        a, b = self._promoted(other)
        return Mul.apply(b, a)

    def __truediv__(self, other):
        return Div.apply(*_true_division(*self._promoted(other)))

    def __rtruediv__(self, other):
        a, b = self._promoted(other)
        return Div.apply(*_true_division(b, a))

    def __pow__(self, exponent):
        base, exponent = self._promoted(exponent)
        _check_integer_power(base, exponent)
        return Pow.apply(base, exponent)

    def __rpow__(self, base):
        exponent, base = self._promoted(base)
        _check_integer_power(base, exponent)
        return Pow.apply(base, exponent)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return Tensor(other, device=self.device).matmul(self)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def add(self, other, alpha=1):
        """self + alpha * other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        """self - alpha * other."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self**exponent

    def neg(self):
        return -self

    # ----- in-place ops: the same Tensor object, the same memory ----------------------------
    def _update(self, op_name, compute, *operands):
        """Write `compute(self)` (an out-of-place Tensor computation) into self's memory.

        Outside the graph (no_grad, or nothing requires grad) that is all: the values change,
        the version counter goes up. Inside it, self's history is rebased: the op runs on a
        snapshot of self (a copy of the values with self's old history), and self becomes
        that op's output, so later uses of self differentiate through the in-place op while
        earlier uses keep the old values and history. A leaf that requires grad refuses
        in-place changes while grad mode is on, as in PyTorch.
        """
        recording = _grad_mode.enabled and (self.requires_grad or any(
            isinstance(operand, Tensor) and operand.requires_grad for operand in operands))
        if not recording:
            self._write(op_name, compute(self))
            return self
        if self.grad_fn is None and self.requires_grad:
            raise RuntimeError(f"{op_name}: a leaf Variable that requires grad is being used in "
                               "an in-place operation (do it under `with no_grad():`, or on a "
                               "clone())")
        if self.grad_fn is not None and type(self.grad_fn) in _VIEW_OPS:
            view = type(self.grad_fn).__name__
            raise RuntimeError(f"{op_name}: in-place change of a view ({view} output) of a "
                               "tensor that requires grad is not supported; clone() it first, "
                               "or write through the base with x[index] = value")
        snapshot = constant(self._data.copy(), self.device)
        snapshot.grad_fn, snapshot.requires_grad = self.grad_fn, self.requires_grad
        result = compute(snapshot)
        self._write(op_name, result)
        node = result.grad_fn
        self.grad_fn, self.requires_grad = node, result.requires_grad
        if node is not None and node._output_data is not None:
            node._save_output(self)
        return self

    def _write(self, op_name, result):
        """Copy result's values into self's memory (shape and dtype kept), version + 1."""
        values = result._data if isinstance(result, Tensor) else result
        if values.shape != self._data.shape:
            raise RuntimeError(f"{op_name}: output with shape {self.shape} doesn't match the "
                               f"broadcast shape {tuple(values.shape)}")
        if not np.can_cast(values.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"{op_name}: result type {values.dtype} can't be cast to the "
                               f"desired output type {self.dtype}")
        if values is not self._data:
            backend.xp_of(self._data).copyto(self._data, values, casting="unsafe")
        mark_modified(self)

    def add_(self, other, alpha=1):
        return self._update("add_", lambda t: t.add(other, alpha), other)

    def sub_(self, other, alpha=1):
        return self._update("sub_", lambda t: t.sub(other, alpha), other)

    def mul_(self, other):
        return self._update("mul_", lambda t: t * other, other)

    def div_(self, other):
        return self._update("div_", lambda t: t / other, other)

    def pow_(self, exponent):
        return self._update("pow_", lambda t: t**exponent, exponent)

    def clamp_(self, min=None, max=None):  # noqa: A002  (PyTorch's argument names)
        return self._update("clamp_", lambda t: t.clamp(min, max), min, max)

    clip_ = clamp_

    def neg_(self):
        return self._update("neg_", lambda t: -t)

    def exp_(self):
        return self._update("exp_", Tensor.exp)

    def log_(self):
        return self._update("log_", Tensor.log)

    def sqrt_(self):
        return self._update("sqrt_", Tensor.sqrt)

    def abs_(self):
        return self._update("abs_", Tensor.abs)

    def tanh_(self):
        return self._update("tanh_", Tensor.tanh)

    def sigmoid_(self):
        return self._update("sigmoid_", Tensor.sigmoid)

    def relu_(self):
        return self._update("relu_", Tensor.relu)

    def masked_fill_(self, mask, value):
        """self[mask] = value, broadcasting mask over self."""
        if not isinstance(mask, Tensor) or mask.dtype != bool_:
            raise TypeError(f"masked_fill_: mask must be a boolean Tensor, got "
                            f"{getattr(mask, 'dtype', type(mask).__name__)}")
        return self._update("masked_fill_", lambda t: Where.apply(mask, value, t), value)

    def copy_(self, source):
        """Self's values replaced by source's (broadcast to self's shape, cast to its dtype,
        copied across devices); differentiable with respect to source."""
        if not isinstance(source, Tensor):
            source = Tensor(source, device=self.device)
        if source.device != self.device:
            source = source.to(self.device)

        def copied(target):
            result = source._as_dtype(target.dtype)
            return result if result.shape == target.shape else result.expand(*target.shape)

        return self._update("copy_", copied, source)

    def fill_(self, value):
        if isinstance(value, Tensor):
            return self.copy_(value)
        return self._update("fill_", lambda t: backend.xp_of(t._data).full(t.shape, value,
                                                                           t.dtype))

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a=0.0, b=1.0):
        """Fill with draws from U(a, b) (no gradient flows through random numbers)."""
        rng = backend.get_backend(self.device).rng
        values = (a + (b - a) * rng.random(self.shape)).astype(self.dtype)  # CuPy has no uniform
        return self._update("uniform_", lambda t: backend.get_backend(t.device).asarray(values))

    def normal_(self, mean=0.0, std=1.0):
        """Fill with draws from N(mean, std^2)."""
        rng = backend.get_backend(self.device).rng
        values = (mean + std * rng.standard_normal(self.shape)).astype(self.dtype)
        return self._update("normal_", lambda t: backend.get_backend(t.device).asarray(values))

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __setitem__(self, index, value):
        """self[index] = value, in place; differentiable with respect to self's history and
        to value (x[mask] = 0, x[:, 0] = y, ...)."""
        index = _backend_index(index, self.device, self.shape, "setitem")
        if isinstance(value, Tensor):
            value = value._as_dtype(self.dtype)
        elif not isinstance(value, int | float | bool):
            value = Tensor(value, dtype=self.dtype, device=self.device)
        self._update("setitem", lambda t: IndexPut.apply(t, index, value), value)

    # ----- comparisons: boolean tensors, no gradient ----------------------------------------
    def _compare(self, other, compare, symbol):
        other = self._operand(other)
        if isinstance(other, Tensor) and other.device != self.device:
            raise RuntimeError(f"{symbol}: expected all tensors on the same device, but found "
                               f"tensors on '{self.device}' and '{other.device}'")
        other_data = other._data if isinstance(other, Tensor) else other
        try:
            result = compare(self._data, other_data)
        except ValueError:
            raise RuntimeError(
                f"{symbol}: shapes {self.shape} and {getattr(other_data, 'shape', ())} cannot be "
                "broadcast together (aligned from the right, each dim must match or be 1)"
            ) from None
        return constant(result, self.device)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b, "<")

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b, "<=")

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b, ">")

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b, ">=")

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b, "==")

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b, "!=")

    def __invert__(self):
        if self.dtype != bool_:
            raise TypeError(f"~: only boolean tensors can be inverted, got dtype {self.dtype}")
        return constant(~self._data, self.device)

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b, "&")

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b, "|")

    def any(self):
        return constant(self._data.any(), self.device)

    def all(self):
        return constant(self._data.all(), self.device)

    # ----- elementwise ----------------------------------------------------------------------
    def exp(self):
        return Exp.apply(self._floating())

    def log(self):
        return Log.apply(self._floating())

    def sqrt(self):
        return Sqrt.apply(self._floating())

    def abs(self):
        return Abs.apply(self)

    def sin(self):
        return Sin.apply(self._floating())

    def cos(self):
        return Cos.apply(self._floating())

    def tanh(self):
        return Tanh.apply(self._floating())

    def sigmoid(self):
        return Sigmoid.apply(self._floating())

    def relu(self):
        return Relu.apply(self)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's argument names)
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            if not all(bound is None or isinstance(bound, Tensor) for bound in (min, max)):
                raise TypeError(f"clamp: min and max must both be numbers or both Tensors (or "
                                f"None), got {type(min).__name__} and {type(max).__name__}")
            return ClampTensor.apply(self, min, max)  # gradients for the bounds too
        return Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(*self._promoted(other))

    def minimum(self, other):
        return Minimum.apply(*self._promoted(other))

    def sign(self):
        """-1, 0 or 1 elementwise; no gradient (its derivative is 0 almost everywhere)."""
        return constant(backend.xp_of(self._data).sign(self._data), self.device)

    # ----- reductions (dim: None, an int or a tuple; keepdims= is an alias of keepdim=) -----
    def sum(self, dim=None, keepdim=False, *, keepdims=None, dtype=None):
        source = self if dtype is None else self._as_dtype(np.dtype(dtype))
        if dtype is None and self._data.dtype.kind in "biu":
            source = self._as_dtype(int64)  # integer sums accumulate in int64, as in PyTorch
        return Sum.apply(source, _normalize_dims(dim, self.ndim, "sum"),
                         _keep(keepdim, keepdims))

    def mean(self, dim=None, keepdim=False, *, keepdims=None, dtype=None):
        if dtype is None and self._data.dtype.kind not in "fc":
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: {self.dtype}")
        source = self if dtype is None else self._as_dtype(np.dtype(dtype))
        return Mean.apply(source, _normalize_dims(dim, self.ndim, "mean"),
                          _keep(keepdim, keepdims))

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None):
        """Mean squared deviation sum((x - mean)^2) / (n - correction); correction=1 (the
        default, unbiased=True) is Bessel's, 0 (unbiased=False) the population variance."""
        if isinstance(dim, bool) and unbiased is None:  # var(False): the old positional form
            dim, unbiased = None, dim
        correction = _correction(unbiased, correction)
        x = self._floating()
        dims = _normalize_dims(dim, self.ndim, "var")
        count = _count(self.shape, dims)
        centered = x - x.mean(dims, keepdim=True)
        return (centered * centered).sum(dims, _keep(keepdim, keepdims)) / max(count - correction,
                                                                              0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None):
        """sqrt(var); its gradient is 0 where the std is 0 (a constant input), as PyTorch."""
        return StdFromVariance.apply(self.var(dim, unbiased, keepdim, correction=correction,
                                              keepdims=keepdims))

    def amax(self, dim=None, keepdim=False, *, keepdims=None):
        """Largest value; ties share the gradient evenly."""
        return Max.apply(self, _normalize_dims(dim, self.ndim, "amax"), _keep(keepdim, keepdims))

    def amin(self, dim=None, keepdim=False, *, keepdims=None):
        """Smallest value; ties share the gradient evenly."""
        return -Max.apply(-self, _normalize_dims(dim, self.ndim, "amin"),
                          _keep(keepdim, keepdims))

    def max(self, dim=None, keepdim=False, *, keepdims=None):
        """max(): the largest value (0-d); max(dim): the named tuple (values, indices), the
        gradient going to the selected element; max(other_tensor): maximum."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return self._select(self.argmax(dim, keepdim=True), dim, _keep(keepdim, keepdims))

    def min(self, dim=None, keepdim=False, *, keepdims=None):
        """min(), min(dim) -> (values, indices), min(other_tensor): as max."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return self._select(self.argmin(dim, keepdim=True), dim, _keep(keepdim, keepdims))

    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) sorted along dim; the gradient goes back to where each came from."""
        xp = backend.xp_of(self._data)
        dim = _normalize_dim(dim, self.ndim, "sort")
        order = xp.argsort(-self._data if descending else self._data, axis=dim, kind="stable")
        return self._select(constant(order.astype(xp.int64), self.device), dim, True)

    def topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002  (PyTorch's name)
        """The k largest (or smallest) elements along dim as (values, indices)."""
        dim = _normalize_dim(dim, self.ndim, "topk")
        size = self.shape[dim] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"topk: k ({k}) is out of range for dimension {dim} of size "
                               f"{size}")
        order = self.sort(dim, descending=largest).indices
        return self._select(order[(slice(None),) * dim + (slice(0, k),)], dim, True)

    def _select(self, indices, dim, keepdim):
        """(values, indices) for int64 `indices` of keepdim shape taken along dim."""
        dim = _normalize_dim(dim, self.ndim, "select")
        values = self[_along(indices._data, dim)]
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ValuesIndices(values, indices)

    def logsumexp(self, dim=None, keepdim=False, *, keepdims=None):
        """log(sum(exp(x))), computed stably as m + log(sum(exp(x - m))) with m = max(x)."""
        return LogSumExp.apply(self._floating(), _normalize_dims(dim, self.ndim, "logsumexp"),
                               _keep(keepdim, keepdims))

    def argmax(self, dim=None, keepdim=False, *, keepdims=None):
        return self._arg_reduce("argmax", dim, _keep(keepdim, keepdims))

    def argmin(self, dim=None, keepdim=False, *, keepdims=None):
        return self._arg_reduce("argmin", dim, _keep(keepdim, keepdims))

    def _arg_reduce(self, name, dim, keepdim):
        data = self._data
        if dim is None and data.size == 0:
            raise IndexError(f"{name}: expected a non-empty tensor, got shape {self.shape} (or "
                             "name a dim of non-zero size)")
        if dim is not None and data.ndim and data.shape[_normalize_dim(dim, self.ndim, name)] == 0:
            raise IndexError(f"{name}: expected reduction dim {dim} to have non-zero size, got "
                             f"shape {self.shape}")
        if dim is None:
            result = getattr(data.reshape(-1), name)()
            if keepdim:
                result = result.reshape((1,) * self.ndim)
        else:
            result = getattr(data, name)(axis=_normalize_dim(dim, self.ndim, name),
                                         keepdims=keepdim)
        xp = backend.xp_of(data)
        return constant(xp.asarray(result, dtype=xp.int64), self.device)

    # ----- softmax family -------------------------------------------------------------------
    def softmax(self, dim):
        return Softmax.apply(self._floating(), _normalize_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim):
        return LogSoftmax.apply(self._floating(), _normalize_dim(dim, self.ndim, "log_softmax"))

    # ----- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        if shape == self._data.shape:  # nothing to do: no node in the graph
            return self
        return Reshape.apply(self, _shape_argument(shape))._view_of(self)

    def view(self, *shape):
        return self.reshape(*shape)

    def permute(self, *dims):
        dims = _shape_argument(dims)
        if sorted(_normalize_dim(d, self.ndim, "permute") for d in dims) != list(range(self.ndim)):
            raise ValueError(f"permute: dims {dims} are not a permutation of the "
                             f"{self.ndim} dims of a tensor of shape {self.shape}")
        return Permute.apply(self, tuple(d % self.ndim for d in dims) if self.ndim else ()
                             )._view_of(self)

    def transpose(self, dim0, dim1):
        order = list(range(self.ndim))
        dim0 = _normalize_dim(dim0, self.ndim, "transpose")
        dim1 = _normalize_dim(dim1, self.ndim, "transpose")
        order[dim0], order[dim1] = order[dim1], order[dim0]
        return self.permute(*order)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start = _normalize_dim(start_dim, self.ndim, "flatten")
        end = _normalize_dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        merged = 1
        for size in shape[start:end + 1]:
            merged *= size  # not -1: with a zero-size dim, -1 would be ambiguous
        return self.reshape(*shape[:start], merged, *shape[end + 1:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(*(size for size in self.shape if size != 1))
        dims = _normalize_dims(dim, self.ndim, "squeeze")
        return self.reshape(*(s for i, s in enumerate(self.shape) if not (i in dims and s == 1)))

    def unsqueeze(self, dim):
        dim = _normalize_dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def expand(self, *sizes):
        """Broadcast to `sizes` without copying (-1 keeps a dimension's size)."""
        sizes = _shape_argument(sizes)
        offset = len(sizes) - self.ndim
        if offset < 0:
            raise RuntimeError(f"expand: the number of sizes {sizes} must be at least the number "
                             f"of dims of the tensor, shape {self.shape}")
        shape = tuple(self.shape[i - offset] if size == -1 and i >= offset else size
                      for i, size in enumerate(sizes))
        if shape == self.shape:
            return self
        return BroadcastTo.apply(self, shape)._view_of(self)

    def expand_as(self, other):
        return self.expand(*other.shape)

    def __getitem__(self, index):
        index = _backend_index(index, self.device, self.shape, "getitem")
        return Getitem.apply(self, index)._view_of(self)

    def sum_to_size(self, *size, op_name="sum_to_size"):
        """Sum over broadcast dimensions down to `size` (the adjoint of expand): the engine
        reduces every broadcast gradient with it."""
        shape = _shape_argument(size)
        if shape == self.shape:
            return self
        axes = reduced_axes(self.shape, shape)
        if axes is None:
            raise RuntimeError(f"{op_name}: a gradient of shape {self.shape} cannot be summed to "
                               f"shape {shape} (it does not broadcast to it)")
        return SumToShape.apply(self, shape, axes)

    def split(self, split_size_or_sections, dim=0):
        """Pieces of `split_size` along dim (the last may be smaller), or of the listed sizes."""
        dim = _normalize_dim(dim, self.ndim, "split")
        length = self.shape[dim]
        if isinstance(split_size_or_sections, int):
            if split_size_or_sections <= 0:
                raise ValueError(
                    f"split: split_size must be positive, got {split_size_or_sections}"
                )
            sizes = [min(split_size_or_sections, length - start)
                     for start in range(0, length, split_size_or_sections)]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != length:
                raise ValueError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} of "
                                 f"shape {self.shape} has size {length}")
        pieces, start = [], 0
        for size in sizes:
            pieces.append(self[(slice(None),) * dim + (slice(start, start + size),)])
            start += size
        return tuple(pieces)

    def chunk(self, chunks, dim=0):
        """`chunks` pieces along dim, each of ceil(size / chunks) elements (the last smaller)."""
        if chunks <= 0:
            raise ValueError(f"chunk: chunks must be positive, got {chunks}")
        length = self.shape[_normalize_dim(dim, self.ndim, "chunk")]
        return self.split(max(-(-length // chunks), 1), dim)

    # ----- matrix product -------------------------------------------------------------------
    def matmul(self, other):
        """Matrix product with batch broadcasting; 1-D operands as in PyTorch (a vector on the
        left is a row that disappears from the result, on the right a column)."""
        other = other if isinstance(other, Tensor) else Tensor(other, device=self.device)
        if other.dtype != self.dtype:
            raise RuntimeError(f"matmul: expected both operands to have the same dtype, but got "
                               f"{self.dtype} and {other.dtype}")
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                               f"{self.shape} and {other.shape}")
        left = self.unsqueeze(0) if self.ndim == 1 else self
        right = other.unsqueeze(-1) if other.ndim == 1 else other
        result = Matmul.apply(left, right)
        if self.ndim == 1:
            result = result.squeeze(-2)
        if other.ndim == 1:
            result = result.squeeze(-1)
        return result

    # ----- printing -------------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(backend.to_numpy(self._data), separator=", ", precision=4,
                               prefix="tensor(")
        extras = []
        if self.dtype not in (float32, int64, bool_):
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ----- everyday PyTorch methods (issue 11) -------------------------------------------------
    def clone(self, memory_format=None):
        """A copy in new memory; gradients flow back unchanged."""
        return Clone.apply(self)

    def t(self):
        """The transpose of a matrix (vectors and scalars come back unchanged)."""
        if self.ndim > 2:
            raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got shape "
                               f"{self.shape} ({self.ndim}D); use transpose(dim0, dim1)")
        return self if self.ndim < 2 else self.transpose(0, 1)

    def nelement(self):
        return self.numel()

    def contiguous(self, memory_format=None):
        """PyTorch's memory-layout guarantee; the backend arrays need none, so self."""
        return self

    def repeat(self, *sizes):
        """The tensor tiled `sizes[i]` times along dim i (extra leading sizes add dims):
        a reshape that gives every dim a size-1 partner, an expand, and a reshape back."""
        sizes = _shape_argument(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: the number of repeat dims ({len(sizes)}) can not be "
                               f"smaller than the number of dims of the tensor, shape {self.shape}")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        paired = self.reshape(*(extent for size in shape for extent in (1, size)))
        expanded = paired.expand(*(extent for pair in zip(sizes, shape) for extent in pair))
        return expanded.reshape(*(count * size for count, size in zip(sizes, shape)))

    def tile(self, *dims):
        """repeat(), with missing leading counts taken as 1."""
        dims = _shape_argument(dims)
        return self.repeat(*((1,) * (self.ndim - len(dims)) + dims))

    def flip(self, *dims):
        """The order of elements reversed along each of `dims`."""
        dims = _normalize_dims(_shape_argument(dims), self.ndim, "flip") or ()
        index = tuple(slice(None, None, -1) if axis in dims else slice(None)
                      for axis in range(self.ndim))
        return Getitem.apply(self, index) if dims else self.clone()

    def unbind(self, dim=0):
        """The slices along `dim`, as a tuple, each without that dim."""
        dim = _normalize_dim(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * dim + (position,)]
                     for position in range(self.shape[dim]))

    def index_select(self, dim, index):
        """The entries at the integer positions `index` (a 0-d or 1-D Tensor) along `dim`."""
        dim = _normalize_dim(dim, self.ndim, "index_select")
        _check_index(index, "index_select", self)
        if index.ndim > 1:
            raise IndexError(f"index_select: index must be 0-d or 1-D, got shape {index.shape}")
        index = (slice(None),) * dim + (index._data.reshape(-1),)
        return Getitem.apply(self, backend.get_backend(self.device).checked_index(
            index, self.shape, "index_select"))

    def gather(self, dim, index):
        """out[i][j][k] = self[index[i][j][k]][j][k] for dim=0 (the index replaces one
        coordinate); index has self's number of dims and no larger size along the others."""
        dim = _normalize_dim(dim, self.ndim, "gather")
        _check_index(index, "gather", self)
        if index.ndim != self.ndim:
            raise RuntimeError(f"gather: index tensor must have the same number of dimensions "
                               f"as input tensor; got index shape {index.shape} and input "
                               f"shape {self.shape}")
        if any(index.shape[axis] > self.shape[axis] for axis in range(self.ndim) if axis != dim):
            raise RuntimeError(f"gather: size of index {index.shape} must be at most the input's "
                               f"{self.shape} in every dimension except dim {dim}")
        xp = backend.xp_of(index._data)
        coordinates = tuple(
            index._data if axis == dim else
            xp.arange(size).reshape((1,) * axis + (size,) + (1,) * (self.ndim - axis - 1))
            for axis, size in enumerate(index.shape))
        return Getitem.apply(self, backend.get_backend(self.device).checked_index(
            coordinates, self.shape, "gather"))

    def masked_fill(self, mask, value):
        """`value` where the boolean `mask` (broadcast to this shape) is True, else self."""
        if not isinstance(mask, Tensor) or mask.dtype != bool_:
            raise RuntimeError(f"masked_fill: only supports boolean masks, but got mask of "
                               f"{getattr(mask, 'dtype', type(mask).__name__)}")
        if not isinstance(value, Tensor):
            value = self.dtype.type(value)
        elif value.ndim != 0:
            raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, but "
                               f"got shape {value.shape}")
        return Where.apply(mask, value, self)

    def cumsum(self, dim, dtype=None):
        """Running sums along `dim`: y_i = x_1 + ... + x_i."""
        source = self if dtype is None else self.to(dtype)
        return Cumsum.apply(source, _normalize_dim(dim, self.ndim, "cumsum"))

    def tril(self, diagonal=0):
        """Zeros above the `diagonal`-th diagonal of the last two dims (the lower triangle)."""
        return Where.apply(self._triangle("tril", diagonal), self, self.dtype.type(0))

    def triu(self, diagonal=0):
        """Zeros below the `diagonal`-th diagonal of the last two dims (the upper triangle)."""
        return Where.apply(~self._triangle("triu", diagonal - 1), self, self.dtype.type(0))

    def _triangle(self, op_name, diagonal):
        if self.ndim < 2:
            raise RuntimeError(f"{op_name}: input tensor must have at least 2 dimensions, got "
                               f"shape {self.shape}")
        rows, columns = self.shape[-2:]
        return backend.xp_of(self._data).tri(rows, columns, k=diagonal, dtype=bool)

    def outer(self, vec2):
        """The outer product of two vectors: out[i, j] = self[i] * vec2[j]."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expects two 1-D tensors, got shapes {self.shape} and "
                               f"{vec2.shape}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    def log2(self):
        return Log2.apply(self._floating())

    def log10(self):
        return Log10.apply(self._floating())

    def log1p(self):
        return Log1p.apply(self._floating())

    def expm1(self):
        return Expm1.apply(self._floating())

    def square(self):
        return self * self

    def reciprocal(self):
        return 1.0 / self

    def rsqrt(self):
        return self.sqrt().reciprocal()

    def floor(self):
        return self._rounding("floor")

    def ceil(self):
        return self._rounding("ceil")

    def trunc(self):
        return self._rounding("trunc")

    def round(self, decimals=0):
        """Round half to even, as PyTorch; `decimals` digits after the point."""
        if decimals:
            scale = 10.0**decimals
            return (self * scale)._rounding("round") / scale
        return self._rounding("round")

    def _rounding(self, mode):
        if self.dtype.kind != "f":
            return self.clone()  # integers are already whole
        return Rounding.apply(self, mode)

    def remainder(self, other):
        """a mod b with the sign of b (Python's %): a - b * floor(a / b), differentiable for
        floating tensors (d/da = 1, d/db = -floor(a / b), as PyTorch)."""
        if self.requires_grad or isinstance(other, Tensor) and other.requires_grad:
            return self - other * (self / other).floor()
        other_data = other._data if isinstance(other, Tensor) else other
        return constant(backend.xp_of(self._data).remainder(self._data, other_data),
                            self.device)

    def __mod__(self, other):
        return self.remainder(other)

    def floor_divide(self, other):
        """floor(a / b), elementwise; no gradient (a step function), as PyTorch."""
        other_data = other._data if isinstance(other, Tensor) else other
        return constant(backend.xp_of(self._data).floor_divide(self._data, other_data),
                            self.device)

    def __floordiv__(self, other):
        return self.floor_divide(other)

    def half(self):
        return self.to(np.float16)

    def type(self, dtype=None):
        """With no argument, the PyTorch type name ("torch.FloatTensor"); else `to(dtype)`."""
        names = {float32: "FloatTensor", float64: "DoubleTensor", int64: "LongTensor",
                 int32: "IntTensor", bool_: "BoolTensor", np.dtype(np.float16): "HalfTensor",
                 np.dtype(np.int16): "ShortTensor", np.dtype(np.int8): "CharTensor",
                 np.dtype(np.uint8): "ByteTensor"}
        if dtype is None:
            prefix = "torch.cuda." if self.device == "cuda" else "torch."
            return prefix + names.get(self.dtype, str(self.dtype))
        if isinstance(dtype, str):
            by_name = {name: dtype for dtype, name in names.items()}
            dtype = by_name.get(dtype.rsplit(".", 1)[-1])
            if dtype is None:
                raise ValueError(f"type: unknown type name; expected one of "
                                 f"{sorted(by_name)}")
        return self.to(dtype)

    def __dlpack__(self, stream=None, **kwargs):
        """Export this tensor's memory (zero copy) to NumPy, CuPy, PyTorch, ..."""
        if self.requires_grad:
            raise BufferError("__dlpack__: can't export tensors that require gradient, use "
                               "tensor.detach()")
        if stream is not None:
            kwargs["stream"] = stream
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()


class RemovableHandle:
    """Returned by register_hook: `handle.remove()` unregisters the hook."""

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _normalize_dim(dim, ndim, op_name):
    """A dim in [-ndim, ndim) as a non-negative index; an IndexError naming the op otherwise."""
    rank = max(ndim, 1)
    if not isinstance(dim, int | np.integer) or not -rank <= dim < rank:
        raise IndexError(f"{op_name}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dims (expected an int in [{-rank}, {rank - 1}])")
    return int(dim) % rank


def _normalize_dims(dim, ndim, op_name):
    """None (all dims), an int, or a tuple of ints, as a sorted tuple of non-negative dims."""
    if dim is None:
        return None
    if type(dim) is int and 0 <= dim < ndim:  # the common case, already normalized
        return (dim,)
    if isinstance(dim, int | np.integer):
        dims = (dim,)
    elif isinstance(dim, tuple | list) and all(isinstance(d, int | np.integer) for d in dim):
        dims = tuple(dim)
    else:
        raise TypeError(f"{op_name}: dim must be an int or a tuple of ints, got {dim!r}")
    normalized = tuple(sorted(_normalize_dim(d, ndim, op_name) for d in dims))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op_name}: dim {dim} names the same dimension twice")
    if ndim == 0:
        return None
    return normalized


def _count(shape, dims):
    """How many elements a reduction over `dims` combines."""
    count = 1
    for axis in range(len(shape)) if dims is None else dims:
        count *= shape[axis]
    return count


def _shape_argument(shape):
    """reshape(2, 3), reshape((2, 3)) and reshape([2, 3]) alike, as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = shape[0]
    return tuple(int(size) for size in shape)


def _check_index(index, op_name, tensor):
    """An integer index Tensor on `tensor`'s device, or the error PyTorch gives."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op_name}: index must be a Tensor, got {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op_name}: expected an integer (int64) index, got dtype "
                           f"{index.dtype}")
    if index.device != tensor.device:
        raise RuntimeError(f"{op_name}: index is on '{index.device}' but the tensor is on "
                           f"'{tensor.device}'")


def _backend_index(index, device, shape, op_name):
    """An index for the backend array of `shape`: Tensors and lists inside it become device
    arrays, their bounds checked (CuPy would wrap an out-of-range index around)."""
    if isinstance(index, tuple):
        index = tuple(_backend_index_part(part, device) for part in index)
    else:
        index = _backend_index_part(index, device)
    return backend.get_backend(device).checked_index(index, shape, op_name)


def _backend_index_part(part, device):
    if isinstance(part, Tensor):
        if part.device != device:
            raise RuntimeError(f"getitem: index tensor is on '{part.device}' but the indexed "
                               f"tensor is on '{device}'")
        if part.dtype.kind not in "iub":
            raise IndexError(f"getitem: tensors used as indices must be integer or boolean, "
                             f"got dtype {part.dtype}")
        return part._data
    if isinstance(part, list):
        return np.asarray(part)  # on the host until checked_index has checked its bounds
    return part


def _keep(keepdim, keepdims):
    """keepdim, or PyTorch's alias keepdims when given."""
    return keepdim if keepdims is None else keepdims


def _correction(unbiased, correction):
    """The variance's divisor offset from var/std's `unbiased` or `correction` argument."""
    if unbiased is not None and correction is not None:
        raise RuntimeError("var/std: pass only one of unbiased and correction")
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _along(indices, dim):
    """An index that picks indices[..., k, ...] along `dim` for every other position: an
    integer array for dim, and aranges shaped to broadcast for the other axes."""
    xp = backend.xp_of(indices)
    parts = []
    for axis, size in enumerate(indices.shape):
        if axis == dim:
            parts.append(indices)
        else:
            shape = [1] * indices.ndim
            shape[axis] = size
            parts.append(xp.arange(size).reshape(shape))
    return tuple(parts)


def _true_division(a, b):
    """Division of integers gives the default floating dtype, as in PyTorch."""
    if isinstance(a, Tensor) and a._data.dtype.kind not in "fc" and not isinstance(b, float):
        a = a._floating()
        if isinstance(b, Tensor):
            b = b._as_dtype(a.dtype)
    elif isinstance(b, Tensor) and b._data.dtype.kind not in "fc" and not isinstance(a, float):
        b = b._floating()
    return a, b


def _check_integer_power(base, exponent):
    """An integer tensor to a negative Python int has no integer result: PyTorch refuses.
    (Negative entries of an integer exponent tensor give C's integer powers, see Pow.)"""
    if isinstance(exponent, int) and exponent < 0 and isinstance(base, Tensor) and \
            base._data.dtype.kind in "iu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")


_VIEW_OPS = (Reshape, Permute, Getitem, BroadcastTo)
register_tensor_type(Tensor)
