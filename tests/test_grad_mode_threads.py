"""Grad mode is per thread: `no_grad()` in one thread never switches graph recording off in
another (a global switch fails these tests), plus set_grad_enabled, inference_mode and the
no_grad decorator."""

import threading

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def test_no_grad_in_one_thread_leaves_another_recording():
    inside_no_grad = threading.Event()
    recorded = threading.Event()
    seen = {}

    def quiet_thread():
        with tg.no_grad():
            inside_no_grad.set()
            recorded.wait(timeout=10)  # stay inside no_grad while the other thread works
            seen["quiet"] = (tg.ones(2, requires_grad=True) * 2).requires_grad

    def busy_thread():
        inside_no_grad.wait(timeout=10)
        seen["enabled"] = tg.is_grad_enabled()
        seen["busy"] = (tg.ones(2, requires_grad=True) * 2).requires_grad
        recorded.set()

    threads = [threading.Thread(target=quiet_thread), threading.Thread(target=busy_thread)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert seen == {"quiet": False, "enabled": True, "busy": True}


def test_two_threads_train_two_models_at_once():
    """One thread trains while the other repeatedly evaluates under no_grad: with a global
    switch the trainer's steps would sometimes record no graph and crash in backward."""
    tg.manual_seed(0)
    x, y = tg.randn(64, 4), tg.randint(0, 3, (64,))
    errors = []
    losses = []

    def train():
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
        optimizer = optim.SGD(model.parameters(), lr=0.5)
        try:
            for _ in range(60):
                loss = nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    def evaluate():
        model = nn.Linear(4, 3)
        for _ in range(300):
            with tg.no_grad():
                model(x).sum()

    threads = [threading.Thread(target=train), threading.Thread(target=evaluate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(losses) == 60 and losses[-1] < losses[0]


def test_a_new_thread_starts_with_grad_enabled():
    seen = []
    with tg.no_grad():
        thread = threading.Thread(target=lambda: seen.append(tg.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_set_grad_enabled_as_function_and_context_manager():
    assert tg.is_grad_enabled()
    tg.set_grad_enabled(False)
    try:
        assert not tg.is_grad_enabled()
        assert not (tg.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        tg.set_grad_enabled(True)
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
        with tg.set_grad_enabled(True):
            assert (tg.ones(1, requires_grad=True) * 2).requires_grad
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_decorator_leaves_the_mode_alone_until_called():
    @tg.set_grad_enabled(False)
    def double(x):
        assert not tg.is_grad_enabled()
        return x * 2

    assert tg.is_grad_enabled()
    assert not double(tg.ones(1, requires_grad=True)).requires_grad
    assert tg.is_grad_enabled()


def test_inference_mode_and_no_grad_as_decorators():
    @tg.no_grad()
    def predict(x):
        return x * 2

    @tg.inference_mode()
    def infer(x):
        assert tg.is_inference_mode_enabled()
        return x * 3

    @tg.no_grad
    def bare(x):
        return x * 4

    w = tg.ones(2, requires_grad=True)
    assert not predict(w).requires_grad and not infer(w).requires_grad
    assert not bare(w).requires_grad and bare.__name__ == "bare"
    assert tg.is_grad_enabled() and not tg.is_inference_mode_enabled()
    with tg.inference_mode():
        assert not tg.is_grad_enabled()
    with tg.inference_mode(False):
        assert tg.is_grad_enabled()


def test_grad_mode_matches_pytorch_nesting():
    torch = pytest.importorskip("torch")
    for module in (torch, tg):
        with module.no_grad():
            with module.enable_grad():
                assert module.is_grad_enabled()
            assert not module.is_grad_enabled()
        assert module.is_grad_enabled()
