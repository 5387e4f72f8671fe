"""Registry entries of issue 11's ops: the new Functions (log2/log10/log1p/expm1, the
roundings, clone, cumsum, einsum, the backward-hook identity) and the everyday methods and
package functions built from existing ops (gather, index_select, flip, masked_fill, tril/triu,
repeat/tile, square/rsqrt/reciprocal, outer, meshgrid, unbind, t, mm/bmm/dot)."""

import numpy as np

import tinygrad_edu as tg

from . import OpInfo
from .core_ops import normal, positive, singles


def _torch():
    import torch

    return torch


def off_integers(rng, shape):
    """Values a quarter away from the nearest integer (and from every half): the roundings
    are flat there, so finite differences see their zero gradient."""
    return np.asarray(rng.integers(-3, 3, shape) + 0.25 + 0.5 * (rng.random(shape) < 0.5))


def small(rng, shape):
    """Values in (-0.9, 0.9): inside log1p's domain with room for finite differences."""
    return np.asarray(rng.uniform(-0.9, 0.9, shape))


def einsum_entry(name, equation, shapes, note=""):
    return OpInfo(
        name=f"einsum_{name}",
        function=lambda *xs: tg.einsum(equation, *xs),
        samples=lambda rng: [tuple(normal(rng, shape) for shape in shapes)],
        torch_function=lambda *xs: _torch().einsum(equation, *xs),
        note=note,
    )


def _hooked_tanh():
    """nn.Tanh with a full backward hook that only looks: the identity op must not change
    values or gradients."""
    module = tg.nn.Tanh()
    module.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    return module


_INDEX = np.array([[0, 2, 2], [1, 0, 1]])
_MASK = np.random.default_rng(7).random((3, 4)) < 0.5

OPS = [
    # new elementwise Functions
    OpInfo("log2", lambda a: (a.log2(), tg.log2(a)), singles(positive),
           torch_function=lambda a: (a.log2(), _torch().log2(a))),
    OpInfo("log10", lambda a: (a.log10(), tg.log10(a)), singles(positive),
           torch_function=lambda a: (a.log10(), _torch().log10(a))),
    OpInfo("log1p", lambda a: (a.log1p(), tg.log1p(a)), singles(small),
           torch_function=lambda a: (a.log1p(), _torch().log1p(a))),
    OpInfo("log1p_tiny", lambda a: (a * 1e-10).log1p(), singles(normal),
           torch_function=lambda a: (a * 1e-10).log1p(),
           note="arguments near 1e-10, where log(1 + x) would lose every digit"),
    OpInfo("expm1", lambda a: (a.expm1(), tg.expm1(a)), singles(normal),
           torch_function=lambda a: (a.expm1(), _torch().expm1(a))),
    OpInfo("roundings", lambda a: (a.floor() + a, a.ceil() * a, tg.round(a) - a,
                                   a.trunc() + a, tg.floor(a) + tg.ceil(a)),
           singles(off_integers),
           torch_function=lambda a: (a.floor() + a, a.ceil() * a, _torch().round(a) - a,
                                     a.trunc() + a, _torch().floor(a) + _torch().ceil(a))),
    OpInfo("round_decimals", lambda a: a.round(decimals=1) * a,
           lambda rng: [(np.array([0.123, -1.234, 2.0]),)],
           torch_function=lambda a: a.round(decimals=1) * a),
    OpInfo("square_rsqrt_reciprocal",
           lambda a: (a.square(), tg.rsqrt(a), a.reciprocal(), tg.square(a)),
           singles(positive),
           torch_function=lambda a: (a.square(), _torch().rsqrt(a), a.reciprocal(),
                                     _torch().square(a))),
    # copies and running sums
    OpInfo("clone", lambda a: (a.clone() * 2, tg.clone(a)), singles(normal),
           torch_function=lambda a: (a.clone() * 2, _torch().clone(a))),
    OpInfo("cumsum", lambda a: (a.cumsum(0), tg.cumsum(a, dim=-1), a.cumsum(1)),
           singles(normal, ((3, 4, 2),)),
           torch_function=lambda a: (a.cumsum(0), _torch().cumsum(a, dim=-1), a.cumsum(1))),
    OpInfo("cumsum_1d", lambda a: tg.cumsum(a, 0), singles(normal, ((5,),)),
           torch_function=lambda a: _torch().cumsum(a, 0)),
    # Einstein summation, every kind of letter
    einsum_entry("matmul", "ij,jk->ik", [(2, 3), (3, 4)]),
    einsum_entry("batched", "bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    einsum_entry("implicit", "ij,jk", [(2, 3), (3, 4)],
                 note="no '->': the output is the letters used once, sorted"),
    einsum_entry("ellipsis", "...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
    einsum_entry("three_operands", "ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    einsum_entry("outer", "i,j->ij", [(3,), (4,)]),
    einsum_entry("row_sums", "ij->i", [(3, 4)],
                 note="j is summed away by the only operand: its gradient spreads with ones"),
    einsum_entry("trace", "ii->", [(3, 3)],
                 note="a repeated letter: the gradient goes back through an identity matrix"),
    einsum_entry("diagonal", "ii->i", [(3, 3)]),
    einsum_entry("transpose", "ijk->kji", [(2, 3, 2)]),
    einsum_entry("bilinear", "bn,anm,bm->ba", [(2, 3), (2, 3, 2), (2, 2)]),
    # indexing built on getitem and where
    OpInfo("gather", lambda a, index: (a.gather(1, index), tg.gather(a, 0, index)),
           lambda rng: [(normal(rng, (3, 4)), _INDEX)],
           torch_function=lambda a, index: (a.gather(1, index), _torch().gather(a, 0, index)),
           note="index entries repeat, so their gradients add up"),
    OpInfo("gather_smaller_index", lambda a, index: a.gather(-1, index[:1, :2]),
           lambda rng: [(normal(rng, (3, 4)), _INDEX)],
           torch_function=lambda a, index: a.gather(-1, index[:1, :2])),
    OpInfo("index_select", lambda a, index: (a.index_select(0, index),
                                             tg.index_select(a, -1, index)),
           lambda rng: [(normal(rng, (3, 4)), np.array([2, 0, 2]))],
           torch_function=lambda a, index: (a.index_select(0, index),
                                            _torch().index_select(a, -1, index))),
    OpInfo("flip", lambda a: (a.flip(0), tg.flip(a, (0, 2)), a.flip(-1)),
           singles(normal, ((2, 3, 2),)),
           torch_function=lambda a: (a.flip(0), _torch().flip(a, (0, 2)), a.flip(-1))),
    OpInfo("masked_fill", lambda a, mask: (a.masked_fill(mask, -1.5),
                                           tg.masked_fill(a, mask[0], 0.0)),
           lambda rng: [(normal(rng, (3, 4)), _MASK)],
           torch_function=lambda a, mask: (a.masked_fill(mask, -1.5),
                                           _torch().masked_fill(a, mask[0], 0.0))),
    OpInfo("tril_triu", lambda a: (a.tril(), tg.triu(a, 1), tg.tril(a, -1), a.triu(-1)),
           singles(normal, ((3, 4), (2, 3, 3))),
           torch_function=lambda a: (a.tril(), _torch().triu(a, 1), _torch().tril(a, -1),
                                     a.triu(-1))),
    # shapes built on reshape, expand and permute
    OpInfo("repeat_tile", lambda a: (a.repeat(2, 3), a.repeat(2, 1, 2), tg.tile(a, (2,)),
                                     a.tile(2, 1, 1)),
           singles(normal, ((2, 3),)),
           torch_function=lambda a: (a.repeat(2, 3), a.repeat(2, 1, 2), _torch().tile(a, (2,)),
                                     a.tile(2, 1, 1))),
    OpInfo("unbind_t", lambda a: (*a.unbind(1), a.t(), tg.t(a), *tg.unbind(a)),
           singles(normal, ((2, 3),)),
           torch_function=lambda a: (*a.unbind(1), a.t(), _torch().t(a), *_torch().unbind(a))),
    OpInfo("outer", lambda a, b: (a.outer(b), tg.outer(b, a)),
           lambda rng: [(normal(rng, (3,)), normal(rng, (2,)))],
           torch_function=lambda a, b: (a.outer(b), _torch().outer(b, a))),
    OpInfo("meshgrid", lambda a, b: (*tg.meshgrid(a, b, indexing="ij"),
                                     *tg.meshgrid([a, b], indexing="xy")),
           lambda rng: [(normal(rng, (3,)), normal(rng, (2,)))],
           torch_function=lambda a, b: (*_torch().meshgrid(a, b, indexing="ij"),
                                        *_torch().meshgrid([a, b], indexing="xy"))),
    OpInfo("mm_bmm_dot", lambda a, b, c, d: (tg.mm(a, b), tg.bmm(c, d), tg.dot(a[0], b[:, 0])),
           lambda rng: [(normal(rng, (2, 3)), normal(rng, (3, 2)), normal(rng, (2, 2, 3)),
                         normal(rng, (2, 3, 2)))],
           torch_function=lambda a, b, c, d: (_torch().mm(a, b), _torch().bmm(c, d),
                                              _torch().dot(a[0], b[:, 0]))),
    # the identity op of module backward hooks
    OpInfo("module_backward_hook", lambda a: _hooked_tanh()(a), singles(normal),
           torch_function=lambda a: _torch().tanh(a),
           note="an observing hook leaves values and gradients as they are"),
]
