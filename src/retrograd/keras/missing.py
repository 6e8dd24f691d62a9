"""Keras 3 names that ``retrograd.keras`` does not have, and the error that says so.

Keras code reaching for a feature retrograd lacks (``layers.LSTM``, ``ops.fft``,
``losses.Huber``…) gets a ``NotSupportedError`` naming it (``retrograd.missing``'s error:
both a ``NotImplementedError`` and an ``AttributeError``, so ``hasattr`` stays False),
never a bare ``AttributeError``. ``KERAS3`` lists, per module, the public names of Keras
3.15 that retrograd.keras lacks: it was made by comparing ``dir()`` of each module of real
Keras with retrograd's (``tests/test_keras3_missing.py`` checks it against the installed
Keras). docs/keras.md's compatibility table summarises it.
"""
from ..missing import NotSupportedError

DOCS = "docs/keras.md"

# Why, by family of names (the first pattern found in the name wins).
_WHY = (
    (("LSTM", "GRU", "RNN", "Cell"),
     "retrograd's recurrent layers are SimpleRNN, LSTM and GRU, with Bidirectional and "
     "TimeDistributed (no RNN(cell) or cells)"),
    (("Attention",), "retrograd has no attention layers"),
    (("3D", "Conv1DTranspose", "Depthwise", "Separable"),
     "retrograd's convolutions are Conv1D, Conv2D and Conv2DTranspose"),
    (("Random", "Aug", "Mix", "Crop", "Resizing", "Contrast", "Equalization", "Solarization",
      "Posterization", "Grayscale", "Flip", "Rotation", "Zoom", "Translation", "Shear"),
     "retrograd has no image augmentation or resizing layers"),
    (("Lookup", "Hashing", "TextVectorization", "CategoryEncoding", "Discretization",
      "HashedCrossing", "StringLookup"),
     "retrograd has no text or categorical preprocessing layers"),
    (("dataset_from_directory", "load_img", "img_to_array", "array_to_img", "save_img",
      "get_file"), "retrograd reads no files from the network or image folders"),
)


# Why, for names matched exactly (ops' numerical routines).
_EXACT = {
    **dict.fromkeys(("fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft"),
                    "retrograd has no Fourier transforms"),
    **dict.fromkeys(("cholesky", "eig", "eigh", "svd", "qr", "lstsq", "lu_factor", "inv",
                     "solve", "solve_triangular", "det", "slogdet", "norm", "logdet"),
                    "retrograd has no linear-algebra routines beyond matmul"),
}


def why(name):
    if name in _EXACT:
        return _EXACT[name]
    for patterns, reason in _WHY:
        if any(p in name for p in patterns):
            return reason
    return "not implemented in retrograd.keras"


def module_getattr(module, fallback=None):
    """A module-level ``__getattr__`` for ``module`` (a dotted name under
    ``retrograd.keras``): Keras 3's names that retrograd lacks raise
    ``NotSupportedError`` naming them; others ``AttributeError`` (after ``fallback``,
    a module's own lazy ``__getattr__``, if any)."""
    key = module[len("retrograd.keras."):] if module.startswith("retrograd.keras.") else ""
    names = frozenset(KERAS3.get(key, ()))

    def __getattr__(name):
        if fallback is not None:
            try:
                return fallback(name)
            except AttributeError:
                pass
        if name in names:
            raise NotSupportedError(f"Keras's keras.{key}.{name} is not in retrograd.keras: "
                                    f"{why(name)} (Keras compatibility: {DOCS})")
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


KERAS3 = {
    'layers': (
        'ActivityRegularization', 'AdaptiveAveragePooling1D', 'AdaptiveAveragePooling2D',
        'AdaptiveAveragePooling3D', 'AdaptiveMaxPooling1D', 'AdaptiveMaxPooling2D',
        'AdaptiveMaxPooling3D', 'AdditiveAttention', 'AlphaDropout', 'Attention', 'AugMix',
        'AutoContrast', 'AveragePooling3D', 'AvgPool3D', 'CategoryEncoding',
        'CenterCrop', 'ContrastLimitedAdaptiveHistogramEqualization', 'Conv1DTranspose',
        'Conv3D', 'Conv3DTranspose', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'Convolution1D',
        'Convolution1DTranspose', 'Convolution2D', 'Convolution2DTranspose', 'Convolution3D',
        'Convolution3DTranspose', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'CutMix',
        'DepthwiseConv1D', 'DepthwiseConv2D', 'Discretization', 'EinsumDense', 'Equalization',
        'FlaxLayer', 'GRUCell', 'GaussianDropout', 'GaussianNoise',
        'GlobalAveragePooling3D', 'GlobalAvgPool3D', 'GlobalMaxPool3D', 'GlobalMaxPooling3D',
        'GroupNormalization', 'GroupQueryAttention', 'HashedCrossing', 'Hashing', 'Identity',
        'InputSpec', 'IntegerLookup', 'JaxLayer', 'LSTMCell', 'Masking',
        'MaxNumBoundingBoxes', 'MaxPool3D', 'MaxPooling3D', 'MelSpectrogram', 'MixUp',
        'MultiHeadAttention', 'Permute', 'Pipeline', 'RMSNormalization', 'RNN', 'RandAugment',
        'RandomBrightness', 'RandomColorDegeneration', 'RandomColorJitter', 'RandomContrast',
        'RandomCrop', 'RandomElasticTransform', 'RandomErasing', 'RandomFlip',
        'RandomGaussianBlur', 'RandomGrayscale', 'RandomHue', 'RandomInvert',
        'RandomPerspective', 'RandomPosterization', 'RandomRotation', 'RandomSaturation',
        'RandomSharpness', 'RandomShear', 'RandomTranslation', 'RandomZoom', 'RepeatVector',
        'Resizing', 'ReversibleEmbedding', 'STFTSpectrogram', 'SeparableConv1D',
        'SeparableConv2D', 'SeparableConvolution1D', 'SeparableConvolution2D',
        'SimpleRNNCell', 'Solarization', 'SpectralNormalization', 'StackedRNNCells',
        'StringLookup', 'TFSMLayer', 'TextVectorization',
        'TorchModuleWrapper', 'UnitNormalization', 'UpSampling1D', 'UpSampling2D',
        'UpSampling3D', 'Wrapper', 'ZeroPadding1D', 'ZeroPadding3D', 'deserialize',
        'serialize',
    ),
    'ops': (
        'adaptive_average_pool', 'adaptive_max_pool', 'allclose', 'amax', 'amin', 'angle',
        'append', 'arccos', 'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctan2', 'arctanh',
        'argpartition', 'argsort', 'array', 'array_split', 'associative_scan', 'average',
        'average_pool', 'bartlett', 'batch_normalization', 'binary_crossentropy', 'bincount',
        'bitwise_and', 'bitwise_invert', 'bitwise_left_shift', 'bitwise_not', 'bitwise_or',
        'bitwise_right_shift', 'bitwise_xor', 'blackman', 'broadcast_to',
        'categorical_crossentropy', 'cbrt', 'cdist', 'ceil', 'celu', 'cholesky',
        'cholesky_inverse', 'cond', 'conj', 'conjugate', 'conv', 'conv_transpose', 'copy',
        'corrcoef', 'correlate', 'cosh', 'count_nonzero', 'cross', 'ctc_decode', 'ctc_loss',
        'cumprod', 'cumsum', 'custom_gradient', 'deg2rad', 'depth_to_space', 'depthwise_conv',
        'det', 'diag', 'diagflat', 'diagonal', 'diff', 'digitize', 'divide_no_nan',
        'dot_product_attention', 'dsplit', 'dstack', 'dtype', 'eig', 'eigh', 'einsum', 'elu',
        'empty', 'empty_like', 'erf', 'erfc', 'erfinv', 'exp2', 'expm1', 'extract_sequences',
        'fabs', 'fft', 'fft2', 'flip', 'fliplr', 'flipud', 'floor', 'floor_divide', 'fmax',
        'fmin', 'fmod', 'fold', 'fori_loop', 'gcd', 'gelu', 'geomspace', 'get_item', 'glu',
        'hamming', 'hanning', 'hard_shrink', 'hard_sigmoid', 'hard_silu', 'hard_swish',
        'hard_tanh', 'heaviside', 'histogram', 'hsplit', 'hstack', 'hypot', 'i0', 'identity',
        'ifft2', 'imag', 'image', 'in_top_k', 'inner', 'inv', 'irfft', 'is_tensor', 'isclose',
        'isfinite', 'isin', 'isinf', 'isnan', 'isneginf', 'isposinf', 'isreal', 'istft', 'jvp',
        'kaiser', 'kron', 'layer_normalization', 'lcm', 'ldexp', 'leaky_relu', 'left_shift',
        'linalg', 'log10', 'log1p', 'log2', 'log_sigmoid', 'logaddexp', 'logaddexp2', 'logdet',
        'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'logspace', 'lstsq',
        'lu_factor', 'map', 'matrix_rank', 'max_pool', 'median', 'meshgrid', 'mod', 'moments',
        'moveaxis', 'multi_hot', 'nan_to_num', 'nanargmax', 'nanargmin', 'nancumprod',
        'nancumsum', 'nanmax', 'nanmean', 'nanmedian', 'nanmin', 'nanpercentile', 'nanprod',
        'nanquantile', 'nanstd', 'nansum', 'nanvar', 'ndim', 'nextafter', 'nonzero', 'norm',
        'normalize', 'outer', 'pad', 'percentile', 'pinv', 'polar', 'prod', 'psnr', 'ptp',
        'qr', 'quantile', 'rad2deg', 'ravel', 'real', 'rearrange', 'reciprocal', 'relu6',
        'repeat', 'rfft', 'right_shift', 'rms_normalization', 'roll', 'rot90', 'round',
        'rsqrt', 'saturate_cast', 'scan', 'scatter', 'scatter_update', 'searchsorted',
        'segment_max', 'segment_min', 'segment_prod', 'segment_sum', 'select', 'selu',
        'separable_conv', 'signbit', 'silu', 'sinc', 'sinh', 'size', 'slice', 'slice_update',
        'slogdet', 'soft_shrink', 'softplus', 'softsign', 'solve', 'solve_triangular', 'sort',
        'space_to_depth', 'sparse_categorical_crossentropy', 'sparse_plus', 'sparse_sigmoid',
        'sparsemax', 'split', 'squareplus', 'stft', 'stop_gradient', 'svd', 'swapaxes',
        'swish', 'switch', 'take', 'take_along_axis', 'tan', 'tanh_shrink', 'tensordot',
        'threshold', 'tile', 'top_k', 'trace', 'trapezoid', 'tri', 'tril', 'triu', 'trunc',
        'unfold', 'unique', 'unravel_index', 'unstack', 'vander', 'vdot', 'vectorize',
        'vectorized_map', 'view', 'view_as_complex', 'view_as_real', 'vsplit', 'vstack',
        'while_loop',
    ),
    'ops.nn': (
        'adaptive_average_pool', 'adaptive_max_pool', 'average_pool', 'batch_normalization',
        'celu', 'conv', 'conv_transpose', 'ctc_decode', 'ctc_loss', 'depth_to_space',
        'depthwise_conv', 'dot_product_attention', 'fold', 'glu', 'hard_shrink',
        'hard_sigmoid', 'hard_silu', 'hard_swish', 'hard_tanh', 'layer_normalization',
        'log_sigmoid', 'max_pool', 'moments', 'multi_hot', 'normalize', 'polar', 'psnr',
        'relu6', 'rms_normalization', 'separable_conv', 'soft_shrink', 'softsign',
        'space_to_depth', 'sparse_plus', 'sparse_sigmoid', 'sparsemax', 'squareplus', 'swish',
        'tanh_shrink', 'threshold', 'unfold',
    ),
    'random': (
        'beta', 'binomial', 'categorical', 'gamma',
    ),
    'losses': (
        'BinaryFocalCrossentropy', 'CTC', 'CategoricalFocalCrossentropy',
        'CategoricalGeneralizedCrossEntropy', 'CategoricalHinge', 'Circle', 'CosineSimilarity',
        'Dice', 'Hinge', 'Huber', 'KLDivergence', 'LogCosh', 'MeanAbsolutePercentageError',
        'MeanSquaredLogarithmicError', 'Poisson', 'SquaredHinge', 'Tversky',
        'binary_focal_crossentropy', 'categorical_focal_crossentropy',
        'categorical_generalized_cross_entropy', 'categorical_hinge', 'circle',
        'cosine_similarity', 'ctc', 'deserialize', 'dice', 'hinge', 'huber', 'kl_divergence',
        'log_cosh', 'mean_absolute_percentage_error', 'mean_squared_logarithmic_error',
        'poisson', 'squared_hinge', 'tversky',
    ),
    'metrics': (
        'BinaryCrossentropy', 'BinaryIoU', 'CategoricalCrossentropy', 'CategoricalHinge',
        'ConcordanceCorrelation', 'CosineSimilarity', 'F1Score', 'FBetaScore',
        'FalseNegatives', 'FalsePositives', 'Hinge', 'IoU', 'KLDivergence', 'LogCoshError',
        'MeanAbsolutePercentageError', 'MeanIoU', 'MeanSquaredLogarithmicError', 'OneHotIoU',
        'OneHotMeanIoU', 'PearsonCorrelation', 'Poisson', 'PrecisionAtRecall', 'R2Score',
        'RecallAtPrecision', 'RootMeanSquaredError', 'SensitivityAtSpecificity',
        'SparseCategoricalCrossentropy', 'SparseTopKCategoricalAccuracy',
        'SpecificityAtSensitivity', 'SquaredHinge', 'TopKCategoricalAccuracy', 'TrueNegatives',
        'TruePositives', 'binary_accuracy', 'binary_crossentropy', 'binary_focal_crossentropy',
        'categorical_accuracy', 'categorical_crossentropy', 'categorical_focal_crossentropy',
        'categorical_hinge', 'concordance_correlation', 'deserialize', 'hinge', 'huber',
        'kl_divergence', 'log_cosh', 'mean_absolute_error', 'mean_absolute_percentage_error',
        'mean_squared_error', 'mean_squared_logarithmic_error', 'pearson_correlation',
        'poisson', 'sparse_categorical_accuracy', 'sparse_categorical_crossentropy',
        'sparse_top_k_categorical_accuracy', 'squared_hinge', 'top_k_categorical_accuracy',
    ),
    'optimizers': (
        'Adadelta', 'Adafactor', 'Adamax', 'Ftrl', 'Lamb', 'Lion', 'LossScaleOptimizer',
        'MultiOptimizer', 'Muon', 'Nadam', 'OptimizerMap', 'ScheduleFreeAdamW', 'deserialize',
        'legacy',
    ),
    'optimizers.schedules': (
        'CosineDecay', 'CosineDecayRestarts', 'PolynomialDecay', 'deserialize', 'serialize',
    ),
    'callbacks': (
        'OrbaxCheckpoint', 'RemoteMonitor', 'SwapEMAWeights',
    ),
    'utils': (
        'Config', 'CustomObjectScope', 'FeatureSpace', 'array_to_img',
        'audio_dataset_from_directory', 'bounding_boxes', 'clear_session',
        'custom_object_scope', 'deserialize_keras_object', 'disable_interactive_logging',
        'enable_interactive_logging', 'get_custom_objects', 'get_file', 'get_registered_name',
        'get_registered_object', 'get_source_inputs', 'image_dataset_from_directory',
        'img_to_array', 'is_interactive_logging_enabled', 'is_keras_tensor', 'legacy',
        'load_img', 'normalize', 'register_keras_serializable', 'save_img',
        'serialize_keras_object', 'split_dataset', 'standardize_dtype',
        'text_dataset_from_directory', 'timeseries_dataset_from_array',
    ),
    'saving': (
        'CustomObjectScope', 'KerasFileEditor', 'custom_object_scope', 'get_custom_objects',
        'load_weights', 'save_weights',
    ),
    'config': (
        'disable_flash_attention', 'disable_interactive_logging',
        'disable_traceback_filtering', 'dtype_policy', 'enable_flash_attention',
        'enable_interactive_logging', 'enable_traceback_filtering',
        'is_flash_attention_enabled', 'is_interactive_logging_enabled', 'is_nnx_enabled',
        'is_traceback_filtering_enabled', 'max_epochs', 'max_steps_per_epoch', 'set_backend',
        'set_dtype_policy', 'set_max_epochs', 'set_max_steps_per_epoch',
    ),
    'activations': (
        'celu', 'deserialize', 'glu', 'hard_shrink', 'hard_tanh', 'soft_shrink', 'sparse_plus',
        'sparse_sigmoid', 'sparsemax', 'squareplus', 'tanh_shrink', 'threshold',
    ),
    'initializers': (
        'IdentityInitializer', 'OrthogonalInitializer', 'STFT', 'STFTInitializer', 'constant',
        'deserialize', 'glorot_normal', 'glorot_uniform', 'he_normal', 'he_uniform',
        'identity', 'lecun_normal', 'lecun_uniform', 'ones', 'orthogonal', 'random_normal',
        'random_uniform', 'serialize', 'stft', 'truncated_normal', 'variance_scaling', 'zeros',
    ),
    'regularizers': (
        'OrthogonalRegularizer', 'deserialize', 'orthogonal_regularizer', 'serialize',
    ),
    'models': (
    ),
    'backend': (
        'get_uid', 'is_float_dtype', 'is_int_dtype', 'result_type', 'set_image_data_format',
        'standardize_dtype',
    ),
    'datasets': (
        'boston_housing', 'california_housing', 'cifar10', 'cifar100', 'imdb', 'reuters',
    ),
    'preprocessing': (
        'image', 'image_dataset_from_directory', 'text_dataset_from_directory',
        'timeseries_dataset_from_array',
    ),
}
