"""Keras layers, as thin wrappers over ``retrograd.nn`` modules, one module per family
as in Keras: ``layer`` (the base class), ``core``, ``activations``, ``merging``.

Each layer takes Keras's argument names (``units``, ``activation``,
``input_dim``/``input_shape``, ``name``, ``kernel_initializer``, …), creates its
weights in ``build(input_shape)`` (so ``Dense(10)`` needs no input size until the
model knows it), and computes with the ``nn`` module it wraps.

>>> model = Sequential()
>>> model.add(Dense(10, input_dim=784, name="fc1"))
>>> model.add(Activation("softmax"))
"""
from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .adaptive_pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                               AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
                               AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D,
                            Conv3DTranspose, Convolution1D, Convolution1DTranspose,
                            Convolution2D, Convolution2DTranspose, Convolution3D,
                            Convolution3DTranspose,
                            DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                            SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape
from .einsum_dense import EinsumDense
from .embedding import Embedding
from ..input_spec import InputSpec
from .layer import Layer
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .pooling3d import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D, GlobalAvgPool3D,
                        GlobalMaxPool3D, GlobalMaxPooling3D, MaxPool3D, MaxPooling3D)
from .preprocessing import Normalization, Rescaling
from .image_preprocessing import (CenterCrop, RandomBrightness, RandomContrast, RandomCrop,
                                  RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
                                  Resizing)
from .lookup import CategoryEncoding, Discretization, IntegerLookup, StringLookup
from .text_vectorization import TextVectorization
from .recurrent import GRU, LSTM, SimpleRNN
from .rnn_cells import RNN, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .masking import Identity, Masking
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization_extra import GroupNormalization, RMSNormalization, UnitNormalization
from .regularization import (ActivityRegularization, SpatialDropout1D, SpatialDropout2D,
                             SpatialDropout3D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, Permute, RepeatVector, UpSampling1D,
                        UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D,
                        ZeroPadding3D)
from .wrappers import Bidirectional, TimeDistributed

# The layer classes a model file may name (the allow-list of keras.models.load_model).
CLASSES = {c.__name__: c for c in (Dense, Activation, Dropout, Flatten, Reshape, ReLU,
                                   LeakyReLU, PReLU, ELU, Softmax, InputLayer, Add,
                                   Subtract, Multiply, Average, Maximum, Minimum,
                                   Concatenate, Dot)}
CLASSES.update({c.__name__: c for c in (BatchNormalization, LayerNormalization, Embedding,
                                        Normalization, Rescaling, SpatialDropout1D,
                                        SpatialDropout2D, SpatialDropout3D)})
CLASSES.update({c.__name__: c for c in (Conv1D, Conv2D, Conv2DTranspose, MaxPooling1D,
                                        MaxPooling2D, AveragePooling1D, AveragePooling2D,
                                        GlobalAveragePooling1D, GlobalAveragePooling2D,
                                        GlobalMaxPooling1D, GlobalMaxPooling2D, ZeroPadding2D)})
CLASSES.update({c.__name__: c for c in (SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed)})
CLASSES.update({c.__name__: c for c in (MultiHeadAttention, Attention, AdditiveAttention,
                                        EinsumDense, ZeroPadding1D, ZeroPadding3D, Cropping1D,
                                        Cropping2D, Cropping3D, UpSampling1D, UpSampling2D,
                                        RepeatVector, Permute, Identity, Masking, GaussianNoise,
                                        GaussianDropout, AlphaDropout, ActivityRegularization,
                                        UnitNormalization, GroupNormalization,
                                        RMSNormalization, Conv1DTranspose, DepthwiseConv1D,
                                        DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
                                        RNN, SimpleRNNCell, LSTMCell, GRUCell,
                                        StackedRNNCells, UpSampling3D, MaxPooling3D,
                                        AveragePooling3D, GlobalAveragePooling3D,
                                        GlobalMaxPooling3D, Conv3D, Conv3DTranspose,
                                        AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                                        AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
                                        AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)})

# Image preprocessing and augmentation (layers/image_preprocessing.py).
CLASSES.update({c.__name__: c for c in (RandomFlip, RandomRotation, RandomZoom,
                                        RandomTranslation, RandomContrast, RandomBrightness,
                                        RandomCrop, Resizing, CenterCrop)})
# Categorical and text preprocessing (layers/lookup.py, layers/text_vectorization.py).
CLASSES.update({c.__name__: c for c in (CategoryEncoding, Discretization, IntegerLookup,
                                        StringLookup, TextVectorization)})

__all__ = ["Layer", "Input", "InputSpec", "Lambda", *CLASSES, "add", "subtract", "multiply",
           "average",
           "maximum", "minimum", "concatenate", "dot",
           "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D",
           "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "Convolution1D",
           "Convolution2D", "Convolution1DTranspose", "Convolution2DTranspose",
           "SeparableConvolution1D", "SeparableConvolution2D", "MaxPool3D", "AvgPool3D",
           "GlobalAvgPool3D", "GlobalMaxPool3D", "Convolution3D", "Convolution3DTranspose"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
