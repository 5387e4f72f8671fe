"""`Generator`: an independent, seedable stream of random numbers, as `torch.Generator`.

    g = tg.Generator().manual_seed(2147483647)
    x = tg.randn(3, generator=g)            # the same numbers on every run with this seed,
    i = tg.multinomial(p, 1, generator=g)   # whatever tg.manual_seed or other code draws

A Generator draws on the host with NumPy's PCG64 and the sampling function moves the result
to the tensor's device. Same seed, same stream; the streams are not PyTorch's bit for bit.
Without `generator=` every function draws from the device's global generator (tg.manual_seed).
"""

import numpy as np

from . import backend
from .tensor import Tensor

DEFAULT_SEED = 67280421310721  # what a fresh torch.Generator reports as initial_seed()
_STATE_BYTES = 16 + 16 + 1 + 4 + 8  # PCG64 state and increment, cached half-word, seed


class Generator:
    """A random-number stream: manual_seed(seed) (returns the generator), seed(),
    initial_seed(), get_state() (a uint8 Tensor) and set_state(state)."""

    def __init__(self, device="cpu"):
        self.device = backend.canonical_device(device)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from `seed` (an int); returns the generator, as PyTorch."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(f"manual_seed: expected an int seed, got {type(seed).__name__}")
        self._initial_seed = int(seed) % 2**64
        self.rng = np.random.Generator(np.random.PCG64(self._initial_seed))
        return self

    def seed(self):
        """Restart from a fresh, non-deterministic seed, and return that seed."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        """The whole state as a uint8 Tensor (PyTorch's ByteTensor); set_state restores it."""
        state = self.rng.bit_generator.state
        raw = (state["state"]["state"].to_bytes(16, "little")
               + state["state"]["inc"].to_bytes(16, "little")
               + bytes([state["has_uint32"]])
               + state["uinteger"].to_bytes(4, "little")
               + self._initial_seed.to_bytes(8, "little"))
        return Tensor(np.frombuffer(raw, dtype=np.uint8))

    def set_state(self, new_state):
        """Continue from a state that get_state() returned; returns the generator."""
        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8 or \
                new_state.shape != (_STATE_BYTES,):
            raise RuntimeError(f"set_state: expected a uint8 Tensor of shape ({_STATE_BYTES},) "
                               "from Generator.get_state()")
        raw = new_state.numpy().tobytes()
        bit_generator = np.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[:16], "little"),
                      "inc": int.from_bytes(raw[16:32], "little")},
            "has_uint32": raw[32],
            "uinteger": int.from_bytes(raw[33:37], "little"),
        }
        self.rng = np.random.Generator(bit_generator)
        self._initial_seed = int.from_bytes(raw[37:], "little")
        return self

    def __repr__(self):
        return f"<tinygrad_edu.Generator device={self.device!r}>"


class _DefaultGenerator(Generator):
    """The CPU's global stream, the one every random function without `generator=` draws
    from, seen as a Generator (torch.default_generator): its numbers and seed live in the
    CPU backend, so seeding or restoring either one changes both."""

    def __init__(self):
        self.device = "cpu"

    @property
    def rng(self):
        return backend.get_backend("cpu").rng

    @rng.setter
    def rng(self, stream):
        backend.get_backend("cpu").rng = stream

    @property
    def _initial_seed(self):
        return backend.get_backend("cpu").initial_seed

    @_initial_seed.setter
    def _initial_seed(self, seed):
        backend.get_backend("cpu").initial_seed = seed

    def __repr__(self):
        return "<tinygrad_edu.default_generator device='cpu'>"


default_generator = _DefaultGenerator()


def manual_seed(seed):
    """Seed the global generator of every device (also of devices first used later) and
    return the CPU's, `default_generator`, as torch.manual_seed does."""
    backend.manual_seed(seed)
    return default_generator


def initial_seed():
    """The seed the CPU's global generator started from (torch.initial_seed)."""
    return default_generator.initial_seed()


def get_rng_state():
    """The CPU's global generator state as a uint8 Tensor (torch.get_rng_state)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Continue the CPU's global generator from a get_rng_state() result."""
    default_generator.set_state(new_state)


def random_source(device, generator, op_name):
    """What draws the numbers for a tensor on `device`: the generator's stream, or the
    device's global one. Both are NumPy/CuPy Generators (random, standard_normal, integers)."""
    if generator is None:
        return backend.get_backend(device).rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{op_name}: generator must be a tinygrad_edu.Generator, got "
                        f"{type(generator).__name__}")
    if generator.device != device:
        raise RuntimeError(f"{op_name}: expected a '{device}' device type for generator but "
                           f"found '{generator.device}'")
    return generator.rng
