"""The embedding lookup (rows of a table picked by integer ids) and its adjoint, a scatter-add."""

from ..autograd.function import Function, constant
from ..backend import device_of, get_backend, xp_of


def check_ids(indices, num_embeddings):
    """IndexError (PyTorch's type) naming the first id outside [0, num_embeddings).

    The range is checked on the CPU only: on a GPU the check would stall the device at every
    lookup (PyTorch's CUDA kernel reports it asynchronously, as a device-side assert)."""
    if indices.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected integer token ids (int64 or int32), got dtype "
                           f"{indices.dtype}")
    if device_of(indices) != "cpu" or indices.size == 0:
        return
    outside = (indices < 0) | (indices >= num_embeddings)
    if outside.any():
        bad = indices[outside].reshape(-1)[0]
        raise IndexError(f"embedding: index out of range: token id {int(bad)} is not in "
                         f"[0, num_embeddings) = [0, {num_embeddings})")


class Embedding(Function):
    """y[..., :] = W[ids[...], :];  dL/dW[k] = sum of g[...] over the positions where ids == k
    (row padding_idx gets no gradient), dL/dids = None."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        check_ids(indices, weight.shape[0])
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx = padding_idx
        return xp_of(weight).take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        grad_weight = EmbeddingScatterAdd.apply(grad_output, indices, ctx.num_embeddings,
                                                ctx.padding_idx)
        return grad_weight, None, None


class EmbeddingScatterAdd(Function):
    """G = zeros(num_embeddings, D);  G[ids[...]] += g[...] (repeated ids add up, row
    padding_idx stays 0): the gradient of Embedding with respect to its table.
    Its adjoint is the lookup again:  dL/dg = H[ids] (0 where ids == padding_idx), H = dL/dG."""

    @staticmethod
    def forward(ctx, grad_output, indices, num_embeddings, padding_idx):
        dim = grad_output.shape[-1]
        result = xp_of(grad_output).zeros((num_embeddings, dim), grad_output.dtype)
        get_backend(device_of(grad_output)).scatter_add(
            result, indices.reshape(-1), grad_output.reshape(-1, dim))
        if padding_idx is not None:
            result[padding_idx] = 0
        ctx.save_for_backward(indices)
        ctx.padding_idx = padding_idx
        return result

    @staticmethod
    def backward(ctx, grad_grad):
        (indices,) = ctx.saved_tensors
        gathered = Embedding.apply(grad_grad, indices, None)
        if ctx.padding_idx is not None:
            keep = (indices._data != ctx.padding_idx)[..., None].astype(grad_grad.dtype)
            gathered = gathered * constant(keep, grad_grad.device)
        return gathered, None, None, None
