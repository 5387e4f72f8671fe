"""The Functions of nn: ops that need their own forward and backward, because composing them
from Tensor ops would be slow (cross-entropy, batch norm), unstable (softplus, the binary
cross-entropies) or impossible (erf for GELU, arctan)."""
