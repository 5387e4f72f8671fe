"""Second-order helpers built on double backprop: Hessian-vector products and Hessians."""

from ..combine import cat, stack
from ..creation import zeros_like
from ..tensor import Tensor
from .grad import grad
from .grad_mode import enable_grad

# A dense Hessian of n parameters needs n backward passes and n^2 numbers.
MAX_HESSIAN_SIZE = 5000


def _prepare(inputs):
    """Fresh leaves that require grad, detached from whatever graph made `inputs`."""
    single = isinstance(inputs, Tensor)
    tensors = (inputs,) if single else tuple(inputs)
    return single, tuple(t.detach().requires_grad_(True) for t in tensors)


def _scalar_output(func, leaves):
    output = func(*leaves)
    if not isinstance(output, Tensor) or output.numel() != 1:
        shape = getattr(output, "shape", type(output).__name__)
        raise RuntimeError(f"hvp/hessian: func must return a single-element Tensor, got {shape}")
    return output


def hvp(func, inputs, v):
    """(func(inputs), H v) where H is the Hessian of the scalar func at inputs.

    Computed without forming H: g = d func / d x with create_graph, then H v = d(g . v)/dx.
    """
    single, leaves = _prepare(inputs)
    vectors = (v,) if isinstance(v, Tensor) else tuple(v)
    if len(vectors) != len(leaves) or any(a.shape != b.shape for a, b in zip(vectors, leaves)):
        raise ValueError(f"hvp: v must match inputs in number and shapes, got "
                         f"{[t.shape for t in vectors]} for {[t.shape for t in leaves]}")
    with enable_grad():
        output = _scalar_output(func, leaves)
        grads = grad(output, leaves, create_graph=True, allow_unused=True)
        inner = sum((g * vec.detach()).sum() for g, vec in zip(grads, vectors) if g is not None)
        if not isinstance(inner, Tensor) or not inner.requires_grad:
            products = tuple(leaf.detach() * 0 for leaf in leaves)
        else:
            products = grad(inner, leaves, allow_unused=True)
            products = tuple(p if p is not None else leaf.detach() * 0
                             for p, leaf in zip(products, leaves))
    products = tuple(p.detach() for p in products)
    return output.detach(), (products[0] if single else products)


def hessian(func, inputs):
    """The Hessian d^2 func / dx_i dx_j of a scalar func, one backward pass per gradient entry.

    For one input of shape s the result has shape s + s; for several inputs a tuple of tuples
    whose block [i][j] has shape s_i + s_j (as torch.autograd.functional.hessian).
    """
    single, leaves = _prepare(inputs)
    total = sum(leaf.numel() for leaf in leaves)
    if total > MAX_HESSIAN_SIZE:
        raise RuntimeError(
            f"hessian: {total} inputs would need a {total} x {total} matrix and {total} "
            f"backward passes (limit {MAX_HESSIAN_SIZE}); use hvp, or optim.LBFGS, instead"
        )
    with enable_grad():
        output = _scalar_output(func, leaves)
        gradient = _flatten_all(grad(output, leaves, create_graph=True, allow_unused=True), leaves)
        rows = []
        for k in range(total):
            entry = gradient[k]
            second = (grad(entry, leaves, retain_graph=True, allow_unused=True)
                      if entry.requires_grad else (None,) * len(leaves))
            rows.append(_flatten_all(second, leaves).detach())
        matrix = stack(rows)
    offsets = [0]
    for leaf in leaves:
        offsets.append(offsets[-1] + leaf.numel())
    blocks = tuple(
        tuple(matrix[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]]
              .reshape(*leaf_i.shape, *leaf_j.shape) for j, leaf_j in enumerate(leaves))
        for i, leaf_i in enumerate(leaves))
    return blocks[0][0] if single else blocks


def _flatten_all(grads, leaves):
    """One vector of every gradient, zeros standing in for inputs that had none."""
    return cat([(g if g is not None else zeros_like(leaf)).reshape(-1)
                for g, leaf in zip(grads, leaves, strict=True)])
