"""The Optimizer contract: parameter groups, validation, zero_grad, skipping, dtypes, devices,
and bit-identical resumption from state_dict()."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim

# (class, constructor kwargs) for every optimizer; each gets a loss through step_once below
ALL_OPTIMIZERS = [
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.Adam, {"lr": 0.1, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.1}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (optim.Adadelta, {"lr": 1.0}),
    (optim.Rprop, {"lr": 0.05}),
    (optim.QuickProp, {"lr": 0.05}),
    (optim.LBFGS, {"lr": 0.5, "max_iter": 3}),
    (optim.LBFGS, {"max_iter": 3, "line_search_fn": "strong_wolfe"}),
    (optim.Newton, {"lr": 0.5, "damping": 0.1}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(ALL_OPTIMIZERS)]


def make_params(dtype="float64", device="cpu"):
    return [tg.tensor([[0.5, -0.6], [0.4, 0.3]], dtype=dtype, device=device, requires_grad=True),
            tg.tensor([0.3, -0.7, 1.1], dtype=dtype, device=device, requires_grad=True)]


def loss_of(params):
    """A smooth non-quadratic loss coupling both tensors."""
    w, b = params
    return ((w ** 2).sum() - 1.0) ** 2 + (b * b).sum() + (w.sum() * b.sum()).tanh()


def step_once(optimizer, params):
    def closure():
        optimizer.zero_grad()
        loss = loss_of(params)
        if not isinstance(optimizer, optim.Newton):
            loss.backward()
        return loss
    if isinstance(optimizer, optim.LBFGS | optim.Newton):
        return optimizer.step(closure)
    loss = closure()
    optimizer.step()
    return loss


def values(params):
    return [p.numpy() for p in params]


@pytest.mark.parametrize(("cls", "kwargs"), ALL_OPTIMIZERS, ids=IDS)
def test_runs_on_every_device_keeping_float32(cls, kwargs, device):
    params = make_params("float32", device)
    optimizer = cls(params, **kwargs)
    first = step_once(optimizer, params).item()
    for _ in range(15):
        last = step_once(optimizer, params).item()
    assert last < first
    for param in params:
        assert param.dtype == tg.float32 and param.device == device
        assert np.isfinite(param.numpy()).all()
    for state in optimizer.state.values():
        for value in state.values():
            if isinstance(value, tg.Tensor):
                assert value.dtype == tg.float32 and value.device == device


@pytest.mark.parametrize(("cls", "kwargs"), ALL_OPTIMIZERS, ids=IDS)
def test_state_dict_resume_is_bit_identical(cls, kwargs):
    params = make_params()
    optimizer = cls(params, **kwargs)
    for _ in range(3):
        step_once(optimizer, params)
    saved_values, saved_state = values(params), optimizer.state_dict()
    for _ in range(3):
        step_once(optimizer, params)
    expected = values(params)

    resumed_params = [tg.Tensor(v, requires_grad=True) for v in saved_values]
    resumed = cls(resumed_params, **{**kwargs, "lr": 123.0})  # lr comes from the state dict
    resumed.load_state_dict(saved_state)
    for _ in range(3):
        step_once(resumed, resumed_params)
    for got, want in zip(values(resumed_params), expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_state_dict_names_parameters_by_index_and_is_a_snapshot():
    params = make_params()
    optimizer = optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=0.1,
                          momentum=0.9)
    step_once(optimizer, params)
    saved = optimizer.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[0], [1]]
    assert saved["param_groups"][1]["lr"] == 0.5 and saved["param_groups"][0]["lr"] == 0.1
    assert list(saved["state"]) == [0, 1]
    buffer = saved["state"][0]["momentum_buffer"].numpy()
    step_once(optimizer, params)
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"].numpy(), buffer)


def test_load_state_dict_rejects_a_different_layout():
    saved = optim.Adam(make_params()).state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([{"params": make_params()[:1]}, {"params": make_params()[1:]}]
                   ).load_state_dict(saved)
    with pytest.raises(ValueError, match="group 0 has 2 parameters"):
        optim.Adam(make_params()[:1]).load_state_dict(saved)


def test_groups_take_defaults_and_overrides():
    first, second = make_params()
    optimizer = optim.SGD([{"params": [first]}, {"params": second, "lr": 0.0}], lr=0.1)
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.param_groups[1]["lr"] == 0.0
    assert optimizer.param_groups[1]["params"] == [second]
    before = second.numpy()
    step_once(optimizer, [first, second])
    np.testing.assert_array_equal(second.numpy(), before)  # lr 0 in its group


def test_add_param_group_fills_defaults_and_steps_the_new_group():
    first, second = make_params()
    optimizer = optim.Adam([first], lr=0.01, betas=(0.8, 0.9))
    optimizer.add_param_group({"params": [second], "lr": 0.5})
    group = optimizer.param_groups[1]
    assert group["betas"] == (0.8, 0.9) and group["lr"] == 0.5
    before = second.numpy()
    step_once(optimizer, [first, second])
    assert not np.array_equal(second.numpy(), before)


def test_parameters_without_gradient_are_skipped():
    used, unused = make_params()
    optimizer = optim.Adam([used, unused], lr=0.1)
    before = unused.numpy()
    (used ** 2).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(unused.numpy(), before)
    assert unused not in optimizer.state and used in optimizer.state


def test_zero_grad_sets_none_or_zeros():
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    optimizer.zero_grad(set_to_none=False)
    for param in params:
        np.testing.assert_array_equal(param.grad.numpy(), np.zeros(param.shape))
    optimizer.zero_grad()
    assert all(param.grad is None for param in params)


def test_step_with_closure_returns_its_loss():
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = loss_of(params)
        loss.backward()
        return loss
    expected = loss_of(params).item()
    loss = optimizer.step(closure)
    assert isinstance(loss, tg.Tensor) and loss.item() == expected


def test_numpy_float64_hyperparameters_keep_float32():
    params = make_params("float32")
    optimizer = optim.Adam(params, lr=np.float64(0.1), betas=(np.float64(0.9), 0.99),
                           weight_decay=np.float64(0.1))
    step_once(optimizer, params)
    assert all(param.dtype == tg.float32 for param in params)


def test_bad_parameter_lists():
    param = make_params()[0]
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(param, lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {param}}], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([param, param], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([param * 2], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="single parameter group"):
        optim.LBFGS([{"params": [param]}, {"params": make_params()[1:]}])


@pytest.mark.parametrize(("cls", "kwargs", "message"), [
    (optim.SGD, {"lr": -0.1}, "lr=-0.1"),
    (optim.SGD, {"momentum": -0.5}, "momentum"),
    (optim.SGD, {"weight_decay": -1e-4}, "weight_decay"),
    (optim.SGD, {"nesterov": True}, "nesterov=True needs momentum > 0"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening"),
    (optim.Adam, {"betas": (1.0, 0.999)}, r"betas\[0\]"),
    (optim.Adam, {"betas": (0.9, -0.1)}, r"betas\[1\]"),
    (optim.AdamW, {"eps": -1e-8}, "eps"),
    (optim.Adagrad, {"lr_decay": -1.0}, "lr_decay"),
    (optim.Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    (optim.RMSprop, {"alpha": -0.5}, "alpha"),
    (optim.Adadelta, {"rho": 1.5}, "rho"),
    (optim.Rprop, {"etas": (1.2, 0.5)}, "etas"),
    (optim.Rprop, {"step_sizes": (1.0, 0.1)}, "step_sizes"),
    (optim.QuickProp, {"max_growth": 0.0}, "max_growth"),
    (optim.Newton, {"damping": -1.0}, "damping"),
    (optim.LBFGS, {"line_search_fn": "armijo"}, "line_search_fn"),
    (optim.LBFGS, {"history_size": 0}, "history_size"),
])
def test_invalid_hyperparameters_raise_clear_errors(cls, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        cls(make_params(), **kwargs)
    assert cls.__name__ in str(error.value)


def test_invalid_hyperparameters_in_an_added_group():
    optimizer = optim.SGD(make_params()[:1], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        optimizer.add_param_group({"params": make_params()[1:], "lr": -1.0})


def test_repr_lists_groups():
    text = repr(optim.SGD(make_params(), lr=0.1, momentum=0.9))
    assert "SGD" in text and "Parameter Group 0" in text and "momentum: 0.9" in text
