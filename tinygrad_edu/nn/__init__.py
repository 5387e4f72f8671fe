"""`tinygrad_edu.nn`: modules, layers, activations, losses; `functional` (F), `init`, `utils`.

    from tinygrad_edu import nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = nn.CrossEntropyLoss()(model(images), labels)
"""

from . import functional, init, utils
from .activations import (
    ELU,
    GELU,
    ArcTan,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from .attention import MultiheadAttention
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import Flatten, Identity, Sequential, Unflatten
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .linear import Linear
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
)
from .module import Module
from .module_lists import ModuleDict, ModuleList, ParameterDict, ParameterList
from .normalization import GroupNorm, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .rnn import GRU, LSTM, RNN
from .rnn_cells import GRUCell, LSTMCell, RNNCell

__all__ = [
    "ELU", "GELU", "AdaptiveAvgPool2d", "ArcTan", "AvgPool1d", "AvgPool2d", "BCELoss",
    "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "ConvTranspose2d",
    "CrossEntropyLoss", "Dropout", "Dropout2d", "Flatten", "HuberLoss", "Identity", "L1Loss",
    "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool1d", "MaxPool2d", "Module",
    "ModuleDict", "ModuleList", "MultiMarginLoss", "NLLLoss", "PReLU", "Parameter",
    "ParameterDict", "ParameterList", "ReLU", "Sequential", "SiLU", "Sigmoid", "Softmax",
    "Softplus", "Step", "Tanh", "Unflatten", "functional", "init", "utils",
    "GRU", "LSTM", "RNN", "Embedding", "GRUCell", "GroupNorm", "LSTMCell", "LayerNorm",
    "MultiheadAttention", "RNNCell",
]
