"""Generator objects and generator= on every random function: same seed, same stream,
independent of the global seed and of other generators; PyTorch's semantics and errors."""

import numpy as np
import pytest

import tinygrad_edu as tg


def draws(generator):
    """One value from every random function, drawn in a fixed order from `generator`."""
    probabilities = tg.tensor([[0.2, 0.0, 0.5, 0.3], [1.0, 1.0, 1.0, 1.0]])
    like = tg.zeros(2, 3)
    return [
        tg.rand(2, 3, generator=generator),
        tg.randn(4, generator=generator),
        tg.randint(0, 10, (5,), generator=generator),
        tg.randperm(6, generator=generator),
        tg.normal(tg.zeros(3), tg.ones(3), generator=generator),
        tg.normal(2.0, 0.5, size=(2,), generator=generator),
        tg.multinomial(probabilities, 3, generator=generator),
        tg.multinomial(probabilities, 6, replacement=True, generator=generator),
        tg.rand_like(like, generator=generator),
        tg.randn_like(like, generator=generator),
        tg.randint_like(like, 3, 9, generator=generator),
        tg.bernoulli(tg.full((5,), 0.5), generator=generator),
    ]


def same(first, second):
    return all(np.array_equal(a.numpy(), b.numpy()) and a.dtype == b.dtype
               for a, b in zip(first, second, strict=True))


def test_same_seed_same_stream_whatever_the_global_seed_does():
    tg.manual_seed(0)
    first = draws(tg.Generator().manual_seed(1234))
    tg.manual_seed(99)
    tg.randn(100)  # the global stream moves; the generator's does not care
    second = draws(tg.Generator().manual_seed(1234))
    assert same(first, second)
    assert not same(first, draws(tg.Generator().manual_seed(1235)))


def test_generators_do_not_touch_the_global_stream_or_each_other():
    tg.manual_seed(5)
    expected = tg.randn(4)
    tg.manual_seed(5)
    g = tg.Generator().manual_seed(0)
    draws(g)
    assert np.array_equal(tg.randn(4).numpy(), expected.numpy())
    a, b = tg.Generator().manual_seed(3), tg.Generator().manual_seed(3)
    a_first = tg.rand(3, generator=a)
    tg.rand(10, generator=b)
    tg.rand(10, generator=b)
    assert np.array_equal(tg.rand(3, generator=tg.Generator().manual_seed(3)).numpy(),
                          a_first.numpy())


def test_manual_seed_returns_the_generator_and_states_round_trip():
    g = tg.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's default for a fresh generator
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    tg.randn(3, generator=g)
    state = g.get_state()
    assert state.dtype == tg.uint8 and state.ndim == 1
    after = draws(g)
    assert g.set_state(state) is g
    assert same(draws(g), after)
    other = tg.Generator().set_state(state)
    assert same(draws(other), after) and other.initial_seed() == 7
    with pytest.raises(RuntimeError, match="set_state"):
        g.set_state(tg.zeros(3))
    with pytest.raises(TypeError, match="int seed"):
        g.manual_seed(1.5)
    assert isinstance(tg.Generator().seed(), int)


def test_tg_manual_seed_returns_the_default_generator_that_is_the_global_stream():
    assert tg.manual_seed(11) is tg.default_generator and tg.initial_seed() == 11
    first = tg.rand(4)
    tg.default_generator.manual_seed(11)  # reseeding either one restarts the same stream
    assert same(tg.rand(4), first)
    state = tg.get_rng_state()
    assert state.dtype == tg.uint8 and state.shape == tg.Generator().get_state().shape
    after = tg.randn(5)
    tg.set_rng_state(state)
    assert same(tg.randn(5), after)
    # the global stream and a Generator with the same seed draw the same numbers
    tg.manual_seed(12)
    assert same(tg.rand(3), tg.rand(3, generator=tg.Generator().manual_seed(12)))
    assert "default_generator" in repr(tg.default_generator)


def test_generator_arguments_are_checked():
    with pytest.raises(TypeError, match="randn: generator must be a tinygrad_edu.Generator"):
        tg.randn(2, generator=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="expected a 'cpu' device type for generator"):
        tg.rand(2, generator=tg.Generator(device="cuda"))


def test_multinomial_follows_the_probabilities():
    g = tg.Generator().manual_seed(0)
    probabilities = tg.tensor([0.1, 0.0, 0.6, 0.3])
    samples = tg.multinomial(probabilities, 20000, replacement=True, generator=g)
    assert samples.dtype == tg.int64 and samples.shape == (20000,)
    counts = np.bincount(samples.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.0, 0.6, 0.3], atol=0.015)
    weights = tg.tensor([[1.0, 0.0, 3.0]] * 4000)  # unnormalized rows
    first = tg.multinomial(weights, 2, generator=g).numpy()
    assert all(sorted(row) == [0, 2] for row in first.tolist())  # never the zero weight
    np.testing.assert_allclose((first[:, 0] == 2).mean(), 0.75, atol=0.03)  # draw order


def test_multinomial_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(tg.ones(3), 4)
    with pytest.raises(RuntimeError, match="not enough non-negative category"):
        tg.multinomial(tg.tensor([1.0, 0.0, 0.0]), 2)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        tg.multinomial(tg.zeros(3), 1, replacement=True)
    with pytest.raises(RuntimeError, match="element < 0"):
        tg.multinomial(tg.tensor([0.5, -0.1]), 1)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        tg.multinomial(tg.ones(2, 2, 2), 1)


def test_randperm_randint_normal_bernoulli():
    g = tg.Generator().manual_seed(1)
    assert sorted(tg.randperm(50, generator=g).tolist()) == list(range(50))
    values = tg.randint(3, (1000,), generator=g)
    assert set(values.tolist()) == {0, 1, 2} and values.dtype == tg.int64
    normal = tg.normal(tg.full((20000,), 3.0), 2.0, generator=g).numpy()
    assert abs(normal.mean() - 3.0) < 0.05 and abs(normal.std() - 2.0) < 0.05
    coins = tg.bernoulli(tg.tensor([0.0, 1.0, 0.3] * 2000, dtype=tg.float64), generator=g)
    assert coins.dtype == tg.float64
    np.testing.assert_allclose(coins.numpy().reshape(-1, 3).mean(0), [0, 1, 0.3], atol=0.03)
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        tg.bernoulli(tg.tensor([1.5]))
