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
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
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
# attention, the Transformer and more normalisations (nn/attention.py, transformer.py,
# group_norm.py)
from .multihead_attention import MultiheadAttention
from .group_norm import (GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d,
                         LocalResponseNorm, RMSNorm)
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
# containers, resampling, padding, distances, more activations, dropouts and losses
from .activation_variants import (CELU, GLU, Hardshrink, Softmax2d, Softmin, Softshrink,
                                  Tanhshrink, Threshold)
from .bilinear import Bilinear
from .containers_dict import ModuleDict, ParameterDict, ParameterList
from .distance import CosineSimilarity, PairwiseDistance
from .dropout_variants import AlphaDropout, Dropout3d, FeatureAlphaDropout
from .embedding_bag import EmbeddingBag
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyConv1d, LazyConv2d,
                   LazyConvTranspose1d, LazyConvTranspose2d, LazyLinear,
                   UninitializedBuffer, UninitializedParameter)
from .likelihood_losses import GaussianNLLLoss, PoissonNLLLoss
from .margin_losses import (CosineEmbeddingLoss, MarginRankingLoss, MultiLabelMarginLoss,
                            MultiLabelSoftMarginLoss, SoftMarginLoss, TripletMarginLoss,
                            TripletMarginWithDistanceLoss)
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,
                      ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                      ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .reshaping import ChannelShuffle, PixelShuffle, PixelUnshuffle, Unflatten
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

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
    "MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerEncoderLayer",
    "TransformerDecoder", "TransformerDecoderLayer", "GroupNorm", "InstanceNorm1d",
    "InstanceNorm2d", "InstanceNorm3d", "RMSNorm", "LocalResponseNorm",
    "ModuleDict", "ParameterList", "ParameterDict", "Unflatten", "LazyLinear",
    "UninitializedParameter", "UninitializedBuffer", "LazyConv1d", "LazyConv2d",
    "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyBatchNorm1d", "LazyBatchNorm2d",
    "CosineSimilarity", "PairwiseDistance", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "GLU", "Softmin", "Softmax2d", "Threshold", "Hardshrink", "Softshrink", "Tanhshrink",
    "CELU", "AlphaDropout", "FeatureAlphaDropout", "Dropout3d", "Bilinear", "ConvTranspose1d",
    "CosineEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "PoissonNLLLoss", "GaussianNLLLoss", "SoftMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "EmbeddingBag", "ChannelShuffle",
]
