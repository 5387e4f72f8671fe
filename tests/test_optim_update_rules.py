"""Each update rule against values worked out by hand for its first steps.

One scalar parameter starting at p = 1.0 receives the gradients listed per test (set directly
on .grad, so the arithmetic below is the whole story)."""

import math

import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim


def run(make_optimizer, grads, start=1.0):
    """The parameter's value after each step, feeding the given gradients in turn."""
    param = tg.tensor([start], dtype="float64", requires_grad=True)
    optimizer = make_optimizer([param])
    path = []
    for grad in grads:
        param.grad = tg.tensor([grad], dtype="float64")
        optimizer.step()
        path.append(param.item())
    return path


def test_sgd_plain():
    # p = p - lr * g
    assert run(lambda p: optim.SGD(p, lr=0.1), [0.5, -0.2]) == pytest.approx([0.95, 0.97])


def test_sgd_momentum_with_dampening():
    # b1 = g1 = 0.5; b2 = 0.9 * 0.5 + 0.9 * -0.2 = 0.27; b3 = 0.9 * 0.27 + 0.9 * 0.1 = 0.333
    path = run(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1), [0.5, -0.2, 0.1])
    assert path == pytest.approx([1 - 0.05, 0.95 - 0.027, 0.923 - 0.0333])


def test_sgd_nesterov_with_weight_decay():
    # d1 = 0.5 + 0.1 * 1 = 0.6, b1 = 0.6, step = 0.6 + 0.9 * 0.6 = 1.14 -> p = 0.886
    # d2 = -0.2 + 0.1 * 0.886 = -0.1114, b2 = 0.54 - 0.1114 = 0.4286,
    # step = -0.1114 + 0.9 * 0.4286 = 0.27434 -> p = 0.886 - 0.027434
    path = run(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
               [0.5, -0.2])
    assert path == pytest.approx([0.886, 0.858566])


def test_adam():
    # m1 = 0.05, v1 = 0.00025 -> m^ = 0.5, v^ = 0.25 -> p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    # m2 = 0.045 - 0.02 = 0.025, v2 = 0.00024975 + 0.00004 = 0.00028975
    m_hat, v_hat = 0.025 / (1 - 0.9 ** 2), 0.00028975 / (1 - 0.999 ** 2)
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    path = run(lambda p: optim.Adam(p, lr=0.1), [0.5, -0.2])
    assert path == pytest.approx([p1, p1 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)], rel=1e-12)


def test_adam_l2_versus_adamw_decoupled():
    # Adam: g1 = 0.5 + 0.1 * 1 = 0.6, the first bias-corrected step is lr * sign(g) = 0.1
    # AdamW: p = 1 * (1 - 0.1 * 0.1) = 0.99, then the step 0.1 on the raw gradient
    adam = run(lambda p: optim.Adam(p, lr=0.1, weight_decay=0.1, eps=0.0), [0.5])
    adamw = run(lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.1, eps=0.0), [0.5])
    assert adam == pytest.approx([0.9]) and adamw == pytest.approx([0.89])


def test_adam_amsgrad_keeps_the_largest_second_moment():
    # v1 = 0.001 * 4 = 0.004, v2 = 0.999 * 0.004 + 0.001 * 0.01 = 0.004006 -> max = v2;
    # v3 = 0.999 * 0.004006 + 0 = 0.004001994 < max -> amsgrad uses 0.004006
    m3 = 0.9 * (0.9 * 0.2 + 0.1 * 0.1)  # m1 = 0.2, m2 = 0.19, m3 = 0.171
    plain = run(lambda p: optim.Adam(p, lr=0.1, eps=0.0), [2.0, 0.1, 0.0])
    ams = run(lambda p: optim.Adam(p, lr=0.1, eps=0.0, amsgrad=True), [2.0, 0.1, 0.0])
    bias1, bias2 = 1 - 0.9 ** 3, math.sqrt(1 - 0.999 ** 3)
    assert plain[2] - plain[1] == pytest.approx(-0.1 / bias1 * m3 / (math.sqrt(0.004001994)
                                                                     / bias2))
    assert ams[2] - ams[1] == pytest.approx(-0.1 / bias1 * m3 / (math.sqrt(0.004006) / bias2))


def test_adagrad_with_lr_decay():
    # s1 = 0.25: p = 1 - 0.1 * 0.5 / 0.5 = 0.9; lr2 = 0.1 / (1 + 0.5), s2 = 0.29
    path = run(lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.5, eps=0.0), [0.5, -0.2])
    assert path == pytest.approx([0.9, 0.9 + 0.1 / 1.5 * 0.2 / math.sqrt(0.29)])


def test_adagrad_initial_accumulator():
    # s1 = 1 + 0.25: p = 1 - 0.1 * 0.5 / sqrt(1.25)
    path = run(lambda p: optim.Adagrad(p, lr=0.1, initial_accumulator_value=1.0), [0.5])
    assert path == pytest.approx([1 - 0.05 / math.sqrt(1.25)])


def test_rmsprop_plain():
    # v1 = 0.1 * 0.25 = 0.025: p = 1 - 0.01 * 0.5 / sqrt(0.025)
    path = run(lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0), [0.5])
    assert path == pytest.approx([1 - 0.005 / math.sqrt(0.025)])


def test_rmsprop_centered_with_momentum():
    # v1 = 0.025, a1 = 0.05, den1 = sqrt(0.025 - 0.0025) = 0.15, b1 = 0.5 / 0.15
    # v2 = 0.0225 + 0.004 = 0.0265, a2 = 0.045 - 0.02 = 0.025, den2 = sqrt(0.0265 - 0.000625)
    b1 = 0.5 / 0.15
    b2 = 0.5 * b1 - 0.2 / math.sqrt(0.0265 - 0.000625)
    path = run(lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5,
                                       centered=True), [0.5, -0.2])
    assert path == pytest.approx([1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2])


def test_adadelta():
    # v1 = 0.025, delta1 = sqrt(1e-6) / sqrt(0.025 + 1e-6) * 0.5, u1 = 0.1 * delta1^2
    # v2 = 0.0265, delta2 = sqrt(u1 + 1e-6) / sqrt(0.0265 + 1e-6) * -0.2
    delta1 = math.sqrt(1e-6) / math.sqrt(0.025 + 1e-6) * 0.5
    delta2 = math.sqrt(0.1 * delta1 ** 2 + 1e-6) / math.sqrt(0.0265 + 1e-6) * -0.2
    path = run(lambda p: optim.Adadelta(p, lr=1.0, rho=0.9), [0.5, -0.2])
    assert path == pytest.approx([1 - delta1, 1 - delta1 - delta2])


def test_rprop_sign_rule():
    # step 0.1 (no previous sign) -> 0.9; same sign: step 0.12 -> 0.78;
    # sign change: step 0.06 and no move (g := 0); then no previous sign: step 0.06 -> 0.72
    path = run(lambda p: optim.Rprop(p, lr=0.1), [0.5, 0.3, -0.2, 0.1])
    assert path == pytest.approx([0.9, 0.78, 0.78, 0.72])


def test_rprop_step_size_bounds():
    # steps grow 0.1 -> 0.12 -> 0.144 but max_step 0.13 caps the third
    path = run(lambda p: optim.Rprop(p, lr=0.1, step_sizes=(1e-6, 0.13)), [1.0, 1.0, 1.0])
    assert path == pytest.approx([0.9, 0.78, 0.65])


def test_quickprop_secant_and_fallback():
    # dw1 = -0.1 * 0.5; dw2 = 0.3 / (0.5 - 0.3) * -0.05 = -0.075 (within 1.75 * 0.05);
    # g3 == g2: secant undefined -> dw3 = -0.1 * 0.3; dw4 = 0.1 / (0.3 - 0.1) * -0.03 = -0.015
    path = run(lambda p: optim.QuickProp(p, lr=0.1), [0.5, 0.3, 0.3, 0.1])
    assert path == pytest.approx([0.95, 0.875, 0.845, 0.83])


def test_quickprop_growth_limit():
    # secant 0.45 / (0.5 - 0.45) * -0.05 = -0.45, capped at 1.75 * 0.05 = 0.0875
    path = run(lambda p: optim.QuickProp(p, lr=0.1, max_growth=1.75), [0.5, 0.45])
    assert path == pytest.approx([0.95, 0.95 - 0.0875])


def test_quickprop_weight_decay():
    # g1 = 0.5 + 0.2 * 1 = 0.7 -> p = 1 - 0.1 * 0.7
    assert run(lambda p: optim.QuickProp(p, lr=0.1, weight_decay=0.2), [0.5]) == pytest.approx(
        [0.93])


def test_maximize_ascends():
    assert run(lambda p: optim.SGD(p, lr=0.1, maximize=True), [0.5]) == pytest.approx([1.05])


def _lbfgs_on_half_square(max_iter):
    x = tg.tensor([1.0, -2.0], dtype="float64", requires_grad=True)
    optimizer = optim.LBFGS([x], max_iter=max_iter, max_eval=10)

    def closure():
        optimizer.zero_grad()
        loss = 0.5 * (x * x).sum()
        loss.backward()
        return loss
    first_loss = optimizer.step(closure).item()
    return first_loss, x.numpy().tolist()


def test_lbfgs_first_iteration_and_secant_scaling():
    # f = |x|^2 / 2, g = x: the first step is t = min(1, 1/|g|_1) * lr = 1/3 along -g;
    # then y = s, so H_diag = y.s / y.y = 1 and the second step lands on 0. (max_eval=10:
    # the default max_iter * 5 // 4 = 2 evaluations would stop after the first iteration.)
    first_loss, after_one = _lbfgs_on_half_square(max_iter=1)
    assert first_loss == pytest.approx(2.5)
    assert after_one == pytest.approx([2 / 3, -4 / 3])
    assert _lbfgs_on_half_square(max_iter=2)[1] == pytest.approx([0.0, 0.0], abs=1e-15)
