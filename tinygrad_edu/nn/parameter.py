"""`Parameter`: a Tensor that a Module learns.

Assigning a Parameter to a Module attribute registers it, so `module.parameters()` finds it
and optimizers update it. It is a leaf that requires grad, float32 unless given other data.
"""

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A learnable leaf tensor: `Parameter(data, requires_grad=True)`.

    `data` may be a Tensor, an array or nested lists (Python floats give float32, an array or
    a Tensor keeps its dtype). The values are copied, into memory aligned to 64 bytes (see
    backend.aligned_copy); the Parameter starts without a graph.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        super().__init__(data, requires_grad=requires_grad)
        self._data = backend.get_backend(self.device).aligned_copy(self._data)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
