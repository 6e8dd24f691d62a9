"""``retrograd.nn``: the course's neural-network building blocks (sections 2, 3, 6).

Modules (``Module``, ``Sequential``, ``Linear``, the Keras-style ``Dense``, the
activations, ``Dropout``, the losses), their functional forms in
``nn.functional``, initialisers in ``nn.init``, Keras-named activations in
``nn.activations``, penalties in ``nn.regularizers`` and the 0/1 loss and
accuracy in ``nn.metrics``. Names and defaults follow ``torch.nn``.

>>> import retrograd.nn as nn
>>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
>>> loss = nn.functional.cross_entropy(model(x), labels); loss.backward()
"""
from . import activations, functional, init, metrics, regularizers, utils
from .activation import (ELU, GELU, SELU, Activation, Hardsigmoid, Hardswish, Hardtanh, Heaviside,
                         LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU,
                         Sigmoid, SiLU, Softmax, Softplus, Softsign, Tanh)
from .containers import ModuleList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout1d, Dropout2d, mc_dropout_predict
from .fold import Fold, Unfold
from .linear import Dense, Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeEmbeddingLoss, HuberLoss,
                   KLDivLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, MaxUnpool1d, MaxUnpool2d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .sparse import Embedding

__all__ = [
    "Parameter", "Module", "Sequential", "ModuleList", "Linear", "Dense", "Identity",
    "Flatten", "Activation", "Dropout", "mc_dropout_predict",
    "Heaviside", "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU",
    "SELU", "GELU", "SiLU", "Softplus", "Hardtanh", "Hardsigmoid", "Hardswish", "Softsign",
    "Mish", "LogSigmoid", "Softmax", "LogSoftmax",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss",
    "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "HingeEmbeddingLoss", "MultiMarginLoss",
    "functional", "init", "activations", "regularizers", "metrics", "utils",
    "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "MaxUnpool1d", "MaxUnpool2d", "Fold", "Unfold",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout1d", "Dropout2d",
]
