"""Optimizers: PyTorch's first-order methods and L-BFGS, plus QuickProp and Newton.

    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

Learning-rate schedules live in `optim.lr_scheduler`.
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import Adadelta, Adagrad, RMSprop
from .lbfgs import LBFGS
from .newton import Newton
from .optimizer import Optimizer
from .quickprop import QuickProp
from .rprop import Rprop
from .sgd import SGD

__all__ = ["LBFGS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Newton", "Optimizer",
           "QuickProp", "RMSprop", "Rprop", "lr_scheduler"]
