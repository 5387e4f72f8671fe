"""Finite-difference checks of analytic gradients: the test every op must pass.

For f: inputs -> outputs and a random upstream gradient v, backprop computes
    a_j = d(sum v * f)/dx_j.
Central differences estimate the same number with no calculus at all:
    n_j = (sum v * f(x + eps e_j) - sum v * f(x - eps e_j)) / (2 eps),
with error O(eps^2). In float64 with eps = 1e-6 the two agree to ~1e-9 when backward is right;
a forgotten factor or transposed index shows up as a gap of order 1. A random v (not all ones)
catches a backward that ignores grad_output. `gradgradcheck` applies the same test to the
function x, v -> d(sum v * f)/dx, which checks every backward's own backward.
"""

import numpy as np

from . import backend
from .autograd.function import constant
from .autograd.grad import grad
from .autograd.grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """An analytic gradient disagreed with its finite-difference estimate."""


def _as_tuple(value):
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _function_name(func, outputs):
    for output in outputs:
        if isinstance(output, Tensor) and output.grad_fn is not None:
            return f"{getattr(func, '__name__', 'function')} (output made by " \
                   f"{type(output.grad_fn).__name__})"
    return getattr(func, "__name__", repr(func))


def _differentiable_inputs(inputs, check_name):
    chosen = []
    for position, value in enumerate(inputs):
        if isinstance(value, Tensor) and value.requires_grad:
            if value.dtype != np.float64:
                raise ValueError(f"{check_name}: input {position} is {value.dtype}; finite "
                                 "differences need float64 inputs (use .double())")
            chosen.append(position)
    if not chosen:
        raise ValueError(f"{check_name}: no input requires grad, so there is nothing to check")
    return chosen


def _random_like(output, rng):
    values = rng.standard_normal(output.shape)
    array = backend.get_backend(output.device).asarray(values, dtype=output.dtype)
    return constant(array, output.device)


def _weighted_sum(outputs, upstream):
    """sum_k sum(v_k * f_k) in float64 on the host: the scalar the gradients are of."""
    total = 0.0
    for output, weights in zip(outputs, upstream, strict=True):
        if weights is not None:
            total += float(np.sum(backend.to_numpy(output._data).astype(np.float64)
                                  * backend.to_numpy(weights._data)))
    return total


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0,
              _check_name="gradcheck"):
    """Compare backprop's gradient of `func` at `inputs` with central finite differences.

    Every element of every float64 input that requires grad is perturbed by +-eps; a pair
    passes when |analytic - numeric| <= atol + rtol * |numeric|. Returns True, or raises
    GradcheckError naming the function, the input, the worst element and both values (or
    returns False when raise_exception=False).
    """
    inputs = _as_tuple(inputs)
    positions = _differentiable_inputs(inputs, _check_name)
    rng = np.random.default_rng(seed)
    with enable_grad():
        outputs = _as_tuple(func(*inputs))
        outputs = [o for o in outputs if isinstance(o, Tensor)]
        name = _function_name(func, outputs)
        upstream = [_random_like(o, rng) if o.dtype.kind == "f" else None for o in outputs]
        graded = [(o, v) for o, v in zip(outputs, upstream, strict=True)
                  if v is not None and o.requires_grad]
        analytic = [None] * len(positions)
        if graded:
            analytic = grad([o for o, _ in graded], [inputs[p] for p in positions],
                            grad_outputs=[v for _, v in graded], allow_unused=True)

    for slot, position in enumerate(positions):
        tensor = inputs[position]
        numeric = _numeric_gradient(func, inputs, tensor, upstream, eps)
        exact = (np.zeros(tensor.shape) if analytic[slot] is None
                 else backend.to_numpy(analytic[slot]._data).astype(np.float64))
        if exact.shape != numeric.shape:
            return _fail(f"{_check_name} failed for {name}: the gradient of input {position} "
                         f"has shape {exact.shape}, expected {numeric.shape}", raise_exception)
        gap = np.abs(exact - numeric) - (atol + rtol * np.abs(numeric))
        if gap.size and (gap.max() > 0 or not np.all(np.isfinite(exact))):
            worst = np.unravel_index(int(np.argmax(np.where(np.isfinite(gap), gap, np.inf))),
                                     gap.shape)
            return _fail(
                f"{_check_name} failed for {name}: input {position} (shape {tensor.shape}), "
                f"worst element {tuple(int(i) for i in worst)}: analytic {exact[worst]:.10g} vs "
                f"numeric {numeric[worst]:.10g} (atol={atol}, rtol={rtol})",
                raise_exception,
            )
    return True


def _numeric_gradient(func, inputs, tensor, upstream, eps):
    """Central differences of sum(v * func(inputs)) over every element of `tensor`."""
    original = tensor._data
    host = backend.to_numpy(original).astype(np.float64)
    estimate = np.zeros(host.shape)
    device_backend = backend.get_backend(tensor.device)
    try:
        with no_grad():
            for index in np.ndindex(host.shape):
                values = []
                for delta in (eps, -eps):
                    shifted = host.copy()
                    shifted[index] += delta
                    tensor._data = device_backend.asarray(shifted)
                    values.append(_weighted_sum(_as_tuple(func(*inputs)), upstream))
                estimate[index] = (values[0] - values[1]) / (2 * eps)
    finally:
        tensor._data = original
    return estimate


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """gradcheck of the first derivative: checks that every backward is itself differentiable.

    The function checked is (inputs, v) -> d(sum v * func(inputs))/d(inputs), built with
    create_graph=True, so its gradient is a second derivative computed by double backprop.
    `grad_outputs` (v) default to random float64 tensors that require grad.
    """
    inputs = _as_tuple(inputs)
    positions = _differentiable_inputs(inputs, "gradgradcheck")
    rng = np.random.default_rng(seed + 1)
    with enable_grad():
        outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    if grad_outputs is None:
        grad_outputs = [_random_like(o, rng).requires_grad_(True) for o in outputs
                        if o.requires_grad]
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def first_derivative(*values):
        primal, weights = values[:count], values[count:]
        with enable_grad():  # the finite differences call this under no_grad
            results = [r for r in _as_tuple(func(*primal))
                       if isinstance(r, Tensor) and r.requires_grad]
            firsts = grad(results, [primal[p] for p in positions], grad_outputs=list(weights),
                          create_graph=True, allow_unused=True)
        return tuple(f for f in firsts if f is not None)

    first_derivative.__name__ = f"first derivative of {getattr(func, '__name__', 'function')}"
    return gradcheck(first_derivative, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, seed=seed, _check_name="gradgradcheck")
