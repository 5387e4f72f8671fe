"""Learning-rate schedules: sequences against PyTorch's over 30 steps, InverseTimeLR by hand,
ReduceLROnPlateau fed a metric sequence, resuming from state dicts, and bad arguments."""

import warnings

import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler

pytestmark = pytest.mark.usefixtures("default_device")  # every test on every device

STEPS = 30
GROUP_LRS = (0.1, 0.05)


def tg_optimizer(lrs=GROUP_LRS):
    return optim.SGD([{"params": [tg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])


def torch_optimizer(torch, lrs=GROUP_LRS):
    return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                            for lr in lrs])


def lr_sequence(schedulers, metrics=None):
    """get_last_lr() after construction and after each of STEPS steps of every scheduler."""
    sequence = [schedulers[-1].get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns when optimizer.step() was not called
        for step in range(STEPS):
            for scheduler in schedulers:
                if metrics is None:
                    scheduler.step()
                else:
                    scheduler.step(metrics[step])
            sequence.append(schedulers[-1].get_last_lr())
    groups = schedulers[-1].optimizer.param_groups
    assert sequence[-1] == [group["lr"] for group in groups]
    return sequence


class Halving:
    """A callable object: LambdaLR saves its attributes in the state dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


# name -> function(scheduler module, optimizer) -> the schedulers to step, in order
SCHEDULES = {
    "StepLR": lambda m, o: [m.StepLR(o, step_size=7, gamma=0.5)],
    "MultiStepLR": lambda m, o: [m.MultiStepLR(o, milestones=[3, 10, 10, 20], gamma=0.3)],
    "ExponentialLR": lambda m, o: [m.ExponentialLR(o, gamma=0.9)],
    "LinearLR-warmup": lambda m, o: [m.LinearLR(o)],
    "LinearLR-decay": lambda m, o: [m.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                               total_iters=12)],
    "PolynomialLR": lambda m, o: [m.PolynomialLR(o)],
    "PolynomialLR-quadratic": lambda m, o: [m.PolynomialLR(o, total_iters=20, power=2.0)],
    "LambdaLR": lambda m, o: [m.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch)],
    "LambdaLR-per-group": lambda m, o: [m.LambdaLR(o, lr_lambda=[Halving(4), lambda e: 1 + e])],
    "CosineAnnealingLR": lambda m, o: [m.CosineAnnealingLR(o, T_max=8, eta_min=0.001)],
    "CosineAnnealingLR-default": lambda m, o: [m.CosineAnnealingLR(o, T_max=30)],
    "chained-Exponential-Step": lambda m, o: [m.ExponentialLR(o, gamma=0.95),
                                              m.StepLR(o, step_size=5, gamma=0.5)],
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours = lr_sequence(SCHEDULES[name](lr_scheduler, tg_optimizer()))
    theirs = lr_sequence(SCHEDULES[name](torch.optim.lr_scheduler, torch_optimizer(torch)))
    assert len(ours) == STEPS + 1
    for got, want in zip(ours, theirs, strict=True):
        assert got == pytest.approx(want, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", ["ExponentialLR", "CosineAnnealingLR", "LinearLR-decay",
                                  "PolynomialLR"])
def test_resuming_with_last_epoch_matches_torch(name):
    """Built with last_epoch=4 on groups that already hold initial_lr (a resumed run)."""
    torch = pytest.importorskip("torch")
    sequences = []
    for module, optimizer in ((lr_scheduler, tg_optimizer()),
                              (torch.optim.lr_scheduler, torch_optimizer(torch))):
        for group in optimizer.param_groups:
            group["initial_lr"] = 0.2
        kwargs = {"ExponentialLR": {"gamma": 0.9}, "CosineAnnealingLR": {"T_max": 8},
                  "LinearLR-decay": {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 12},
                  "PolynomialLR": {"total_iters": 10}}[name]
        make = getattr(module, name.split("-")[0])
        sequences.append(lr_sequence([make(optimizer, last_epoch=4, **kwargs)]))
    for got, want in zip(*sequences, strict=True):
        assert got == pytest.approx(want, rel=1e-13, abs=1e-15)


PLATEAU_METRICS = [1.0, 0.9, 0.8, 0.8, 0.8, 0.79999, 0.8, 0.85, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7,
                   0.71, 0.72, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
PLATEAU_OPTIONS = [
    {},
    {"patience": 2},
    {"patience": 1, "cooldown": 2, "factor": 0.5},
    {"patience": 0, "threshold_mode": "abs", "threshold": 0.05, "min_lr": [0.01, 0.02]},
    {"mode": "max", "patience": 1, "factor": 0.5},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 2, "min_lr": 0.02},
    {"patience": 0, "factor": 0.9, "eps": 0.006},  # decreases smaller than eps are skipped
]


@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=[str(o) for o in PLATEAU_OPTIONS])
def test_reduce_on_plateau_matches_torch(options):
    torch = pytest.importorskip("torch")
    ours = lr_scheduler.ReduceLROnPlateau(tg_optimizer(), **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_optimizer(torch), **options)
    assert lr_sequence([ours], PLATEAU_METRICS) == lr_sequence([theirs], PLATEAU_METRICS)
    assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == (
        theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch)


def test_reduce_on_plateau_by_hand_and_tensor_metric():
    optimizer = tg_optimizer([1.0])
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, factor=0.5)
    lrs = []
    for metric in [3.0, 2.0, 2.0, 2.0, 2.0, 1.0]:
        scheduler.step(tg.tensor(metric))
        lrs.append(optimizer.param_groups[0]["lr"])
    # two epochs without improvement (> patience 1) -> halve, the counter restarts
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def test_inverse_time_by_hand():
    optimizer = tg_optimizer([0.1, 0.3])
    scheduler = lr_scheduler.InverseTimeLR(optimizer, k=0.5)
    assert scheduler.get_last_lr() == [0.1, 0.3] and scheduler.last_epoch == 0
    for t in range(1, 6):
        scheduler.step()
        assert scheduler.get_last_lr() == pytest.approx([0.1 / (1 + 0.5 * t),
                                                         0.3 / (1 + 0.5 * t)])
    assert optimizer.param_groups[0]["initial_lr"] == 0.1


def test_constructor_takes_the_initial_step():
    optimizer = tg_optimizer()
    scheduler = lr_scheduler.LinearLR(optimizer, start_factor=0.5)
    assert scheduler.last_epoch == 0
    assert [g["lr"] for g in optimizer.param_groups] == [0.05, 0.025]
    assert [g["initial_lr"] for g in optimizer.param_groups] == list(GROUP_LRS)
    assert scheduler.base_lrs == list(GROUP_LRS)


@pytest.mark.parametrize("name", ["CosineAnnealingLR", "LambdaLR-per-group", "MultiStepLR"])
def test_state_dict_resume_continues_the_sequence(name):
    optimizer = tg_optimizer()
    (scheduler,) = SCHEDULES[name](lr_scheduler, optimizer)
    for _ in range(6):
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    expected = []
    for _ in range(10):
        scheduler.step()
        expected.append(scheduler.get_last_lr())

    resumed_optimizer = tg_optimizer()
    (resumed,) = SCHEDULES[name](lr_scheduler, resumed_optimizer)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    got = []
    for _ in range(10):
        resumed.step()
        got.append(resumed.get_last_lr())
    assert got == expected


def test_lambda_state_dict_saves_callable_objects_only():
    optimizer = tg_optimizer()
    scheduler = lr_scheduler.LambdaLR(optimizer, lr_lambda=[Halving(4), lambda e: 1.0])
    assert scheduler.state_dict()["lr_lambdas"] == [{"every": 4}, None]
    other = lr_scheduler.LambdaLR(tg_optimizer(), lr_lambda=[Halving(9), lambda e: 1.0])
    other.load_state_dict(scheduler.state_dict())
    assert other.lr_lambdas[0].every == 4


def test_plateau_state_dict_resume():
    optimizer = tg_optimizer()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=1)
    for metric in PLATEAU_METRICS[:8]:
        scheduler.step(metric)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved
    resumed = lr_scheduler.ReduceLROnPlateau(tg_optimizer(), patience=5)
    resumed.load_state_dict(saved)
    assert (resumed.patience, resumed.best, resumed.num_bad_epochs) == (
        1, scheduler.best, scheduler.num_bad_epochs)


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
    (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), ValueError, "total_iters"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: lr_scheduler.InverseTimeLR(o, k=-1.0), ValueError, "k=-1.0"),
    (lambda o: lr_scheduler.LambdaLR(o, lr_lambda=[abs]), ValueError, "expected 2 lr_lambdas"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lrs"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9, last_epoch=3), KeyError, "initial_lr"),
    (lambda o: lr_scheduler.StepLR(object(), step_size=1), TypeError, "optimizer"),
])
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(tg_optimizer())
