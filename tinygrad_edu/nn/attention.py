"""`MultiheadAttention`: num_heads scaled dot-product attentions side by side, each on its own
embed_dim / num_heads slice of learned projections of query, key and value."""

import math

from .. import creation
from ..combine import where
from . import functional as F
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter


class MultiheadAttention(Module):
    """out = concat(head_1, ..., head_h) W_o^T + b_o,  head_i = softmax(q_i k_i^T / sqrt(d) +
    mask) v_i, with q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v and d =
    embed_dim / num_heads. W_q, W_k, W_v are stacked in in_proj_weight (3 E, E) (xavier-uniform
    init, in_proj_bias zeros); out_proj is a Linear (bias zeros), all as in PyTorch.

    Inputs (L, N, E) (batch_first=False), (N, L, E) (batch_first=True) or unbatched (L, E).
    attn_mask (L, S) or (N * num_heads, L, S) and key_padding_mask (N, S): boolean True means
    "may NOT attend" (PyTorch's convention here, the opposite of scaled_dot_product_attention),
    float masks are added to the scores. Returns (output, weights): weights (N, L, S) averaged
    over heads (average_attn_weights=True) or (N, num_heads, L, S); None if need_weights=False.
    Dropout (p=dropout) applies to the attention weights in training mode.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False,
                 device=None, dtype=None):
        super().__init__()
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, dtype=dtype,
                                                       device=device))
        if bias:
            self.in_proj_bias = Parameter(creation.zeros(3 * embed_dim, dtype=dtype,
                                                         device=device))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        init.xavier_uniform_(self.in_proj_weight)
        if bias:
            init.zeros_(self.out_proj.bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal "
                               "hint (is_causal says that attn_mask is the causal mask)")
        batched = query.ndim == 3
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            key_padding_mask = None if key_padding_mask is None else key_padding_mask[None]
        elif self.batch_first:  # to (L, N, E), PyTorch's layout inside
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        q, k, v = self._project(query, key, value)
        mask = self._combined_mask(attn_mask, key_padding_mask, q.shape[0], q.shape[2],
                                   k.shape[2], q)
        weights = F.attention_weights(q, k, mask)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, training=True)
        heads = weights.matmul(v)  # (N, heads, L, d)
        length, batch = query.shape[0], query.shape[1]
        output = self.out_proj(heads.permute(2, 0, 1, 3).reshape(length, batch, self.embed_dim))
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(1)
        return output, weights if batched else weights.squeeze(0)

    def _project(self, query, key, value):
        """q, k, v of shape (N, heads, length, d); one matmul when query, key, value coincide."""
        weight, bias, size = self.in_proj_weight, self.in_proj_bias, self.embed_dim
        if query is key and key is value:
            projected = F.linear(query, weight, bias).chunk(3, dim=-1)
        else:
            projected = [F.linear(x, weight[i * size:(i + 1) * size],
                                  None if bias is None else bias[i * size:(i + 1) * size])
                         for i, x in enumerate((query, key, value))]
        return [x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim)
                .permute(1, 2, 0, 3) for x in projected]

    def _combined_mask(self, attn_mask, key_padding_mask, batch, length, source_length, like):
        """One float mask (0 or -inf where boolean masks forbid) broadcast to (N, heads, L, S)."""
        mask = None
        if attn_mask is not None:
            if attn_mask.ndim == 3:
                attn_mask = attn_mask.reshape(batch, self.num_heads, length, source_length)
            elif attn_mask.shape != (length, source_length):
                raise RuntimeError(f"MultiheadAttention: the shape of the 2D attn_mask is "
                                   f"{tuple(attn_mask.shape)}, but should be "
                                   f"{(length, source_length)}")
            mask = _additive(attn_mask, like)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (batch, source_length):
                raise RuntimeError(f"MultiheadAttention: expected key_padding_mask of shape "
                                   f"{(batch, source_length)}, got {tuple(key_padding_mask.shape)}")
            padding = _additive(key_padding_mask, like).reshape(batch, 1, 1, source_length)
            mask = padding if mask is None else mask + padding
        return mask

    def extra_repr(self):
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")


def _additive(mask, like):
    """A boolean "may not attend" mask as 0 / -inf in like's dtype; a float mask as it is."""
    if mask.dtype.kind != "b":
        return mask
    zeros = creation.zeros(*mask.shape, dtype=like.dtype, device=like.device)
    return where(mask, -math.inf, zeros)
