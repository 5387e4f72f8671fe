"""`MultiheadAttention`: num_heads scaled dot-product attentions side by side, each on its own
embed_dim / num_heads slice of learned projections of query, key and value."""

import math

from .. import creation
from ..combine import cat, where
from . import functional as F
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter


class MultiheadAttention(Module):
    """out = concat(head_1, ..., head_h) W_o^T + b_o,  head_i = softmax(q_i k_i^T / sqrt(d) +
    mask) v_i, with q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v and d =
    embed_dim / num_heads. W_q, W_k, W_v are stacked in in_proj_weight (3 E, E); when kdim or
    vdim differs from embed_dim they are instead q_proj_weight (E, E), k_proj_weight (E, kdim)
    and v_proj_weight (E, vdim). Xavier-uniform init, in_proj_bias (3 E) zeros; out_proj is a
    Linear (bias zeros), all as in PyTorch.

    add_bias_kv appends one learned key/value position (bias_k, bias_v of shape (1, 1, E),
    xavier-normal init) after the projection; add_zero_attn then appends an all-zero one. Each
    adds a column to the weights (S grows by one) that no mask forbids.

    Inputs (L, N, E) (batch_first=False), (N, L, E) (batch_first=True) or unbatched (L, E).
    attn_mask (L, S) or (N * num_heads, L, S) and key_padding_mask (N, S): boolean True means
    "may NOT attend" (PyTorch's convention here, the opposite of scaled_dot_product_attention),
    float masks are added to the scores. Returns (output, weights): weights (N, L, S) averaged
    over heads (average_attn_weights=True) or (N, num_heads, L, S); None if need_weights=False.
    Dropout (p=dropout) applies to the attention weights in training mode.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        factory = {"device": device, "dtype": dtype}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, **factory))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, **factory))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.zeros(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(creation.empty(1, 1, embed_dim, **factory))
            self.bias_v = Parameter(creation.empty(1, 1, embed_dim, **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's init: xavier-uniform projections, zero biases, xavier-normal bias_k/v."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                       self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal "
                               "hint (is_causal says that attn_mask is the causal mask)")
        batched = query.ndim == 3
        self_attention = query is key and key is value  # (kept through the reshapes below)
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            key_padding_mask = None if key_padding_mask is None else key_padding_mask[None]
        elif self.batch_first:  # to (L, N, E), PyTorch's layout inside
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        if self_attention:
            key = value = query
        self._check_shapes(query, key, value)
        length, batch, source_length = query.shape[0], query.shape[1], key.shape[0]
        q, k, v = self._project(query, key, value)
        k, v = self._append_extra_positions(k, v)
        mask = self._combined_mask(attn_mask, key_padding_mask, batch, length, source_length, q)
        if mask is not None and k.shape[0] > source_length:  # extra positions: never masked
            mask = F.pad(mask, (0, k.shape[0] - source_length))
        q, k, v = (self._split_heads(x) for x in (q, k, v))
        weights = F.attention_weights(q, k, mask)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, training=True)
        heads = weights.matmul(v)  # (N, heads, L, d)
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

    def _check_shapes(self, query, key, value):
        """Feature sizes embed_dim, kdim, vdim and one (S, N) for key and value, or PyTorch's
        AssertionError."""
        for name, tensor, size in (("query", query, self.embed_dim), ("key", key, self.kdim),
                                   ("value", value, self.vdim)):
            if tensor.shape[-1] != size:
                raise AssertionError(f"MultiheadAttention: expected {name} with {size} features "
                                     f"(last dim), got shape {tuple(tensor.shape)}")
        if key.shape[:-1] != value.shape[:-1]:
            raise AssertionError(f"MultiheadAttention: key's sequence and batch dims "
                                 f"{tuple(key.shape[:-1])} do not match value's "
                                 f"{tuple(value.shape[:-1])}")

    def _project(self, query, key, value):
        """q (L, N, E), k and v (S, N, E); one matmul when query, key, value coincide."""
        bias = self.in_proj_bias
        if self.in_proj_weight is not None and query is key and key is value:
            return F.linear(query, self.in_proj_weight, bias).chunk(3, dim=-1)
        if self.in_proj_weight is None:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        else:
            weights = self.in_proj_weight.chunk(3)
        biases = (None, None, None) if bias is None else bias.chunk(3)
        return [F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases)]

    def _append_extra_positions(self, k, v):
        """k, v (S, N, E) with bias_k / bias_v (add_bias_kv), then zeros (add_zero_attn)
        appended as new source positions: (S + extra, N, E). A zero row split into heads is
        a zero key and value for every head."""
        batch = k.shape[1]
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, batch, self.embed_dim)])
            v = cat([v, self.bias_v.expand(1, batch, self.embed_dim)])
        if self.add_zero_attn:
            zeros = creation.zeros(1, batch, self.embed_dim, dtype=k.dtype, device=k.device)
            k, v = cat([k, zeros]), cat([v, zeros])
        return k, v

    def _split_heads(self, x):
        """(length, N, E) -> (N, heads, length, d)."""
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim).permute(1, 2, 0, 3)

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
        text = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"
        if not self._qkv_same_embed_dim:
            text += f", kdim={self.kdim}, vdim={self.vdim}"
        if self.bias_k is not None:
            text += ", add_bias_kv=True"
        if self.add_zero_attn:
            text += ", add_zero_attn=True"
        return text + f", batch_first={self.batch_first}"


def _additive(mask, like):
    """A boolean "may not attend" mask as 0 / -inf in like's dtype; a float mask as it is."""
    if mask.dtype.kind != "b":
        return mask
    zeros = creation.zeros(*mask.shape, dtype=like.dtype, device=like.device)
    return where(mask, -math.inf, zeros)
