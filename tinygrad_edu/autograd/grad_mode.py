"""Whether operations record the graph: `no_grad`, `enable_grad`, `set_grad_enabled`,
`inference_mode`, `is_grad_enabled`.

The switch is per thread, as in PyTorch: `no_grad()` in one thread never stops another
thread's graph recording. Every op reads it once (`_grad_mode.enabled`, an attribute of a
`threading.local`, whose class attribute is the default each new thread starts from).
"""

import functools
import threading


class _GradModeState(threading.local):
    enabled = True  # each thread starts with grad mode on
    inference = False


_grad_mode = _GradModeState()


def is_grad_enabled():
    """True when new operations in this thread record the graph for backward."""
    return _grad_mode.enabled


def is_inference_mode_enabled():
    """True inside `inference_mode()` (in this thread)."""
    return _grad_mode.inference


class _SetGradMode:
    """Context manager and decorator that sets this thread's grad mode and restores it."""

    mode = True
    inference = False

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:  # @no_grad without brackets
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self.previous = (_grad_mode.enabled, _grad_mode.inference)
        _grad_mode.enabled = self.mode
        _grad_mode.inference = self.inference or (self.previous[1] and not self.mode)

    def __exit__(self, *exc_info):
        _grad_mode.enabled, _grad_mode.inference = self.previous

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self._copy():
                return function(*args, **kwargs)

        return wrapper

    def _copy(self):
        return type(self)()


class no_grad(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Inside `with no_grad():` ops build no graph: inference and optimizer updates.
    In-place updates of leaves that require grad are allowed here (`p -= lr * p.grad`)."""

    mode = False


class enable_grad(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Inside `with enable_grad():` ops record the graph again, even within `no_grad`."""

    mode = True


class set_grad_enabled(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """`set_grad_enabled(False)` switches recording off in this thread at once (a function
    call), and restores the previous mode on exit when used as `with set_grad_enabled(m):`."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = (_grad_mode.enabled, _grad_mode.inference)
        _grad_mode.enabled = self.mode

    def __enter__(self):
        pass  # already set by the constructor, as torch.set_grad_enabled does

    def __call__(self, function):
        _grad_mode.enabled, _grad_mode.inference = self.previous  # decorating changes nothing
        return super().__call__(function)

    def _copy(self):
        return set_grad_enabled(self.mode)  # sets the mode for one call of the function


class inference_mode(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Like `no_grad`, for code that will never need gradients of what it computes.
    `inference_mode(False)` leaves the mode as it is."""

    def __init__(self, mode=True):
        self.mode = not mode if mode else None
        self.inference = bool(mode)

    def __enter__(self):
        if self.mode is None:  # inference_mode(False): nothing changes
            self.previous = (_grad_mode.enabled, _grad_mode.inference)
            return
        super().__enter__()

    def _copy(self):
        return inference_mode(self.inference)
