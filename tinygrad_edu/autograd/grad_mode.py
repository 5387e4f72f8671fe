"""Whether operations record the graph: `no_grad`, `enable_grad`, `is_grad_enabled`."""

import functools


class _GradMode:
    """The global switch read by every op; one attribute read per op when deciding."""

    enabled = True


def is_grad_enabled():
    """True when new operations record the graph for backward."""
    return _GradMode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode and restores it on exit."""

    mode = True

    def __enter__(self):
        self.previous = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc_info):
        _GradMode.enabled = self.previous

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Inside `with no_grad():` ops build no graph: inference and optimizer updates."""

    mode = False


class enable_grad(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Inside `with enable_grad():` ops record the graph again, even within `no_grad`."""

    mode = True
