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
     ("retrograd's recurrent layers are SimpleRNN, LSTM, GRU and RNN(cell) with "
      "SimpleRNNCell/LSTMCell/GRUCell/StackedRNNCells (no convolutional LSTM)")),
    (("Attention",), ("retrograd's attention layers are MultiHeadAttention, Attention "
                      "and AdditiveAttention")),
    (("Random", "Aug", "Mix", "Crop", "Resizing", "Contrast", "Equalization", "Solarization",
      "Posterization", "Grayscale", "Flip", "Rotation", "Zoom", "Translation", "Shear"),
     "retrograd's image layers are RandomFlip, RandomRotation, RandomZoom, "
     "RandomTranslation, RandomContrast, RandomBrightness, RandomCrop, Resizing and "
     "CenterCrop"),
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
    **dict.fromkeys(("Hashing", "HashedCrossing"),
                    "Keras hashes with TensorFlow's FarmHash Fingerprint64, which retrograd "
                    "cannot reproduce without TensorFlow (its bins would differ); use "
                    "StringLookup or IntegerLookup with a vocabulary"),
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
        'AugMix',
        'AutoContrast',
        'ContrastLimitedAdaptiveHistogramEqualization',
        'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'CutMix',
        'Equalization',
        'FlaxLayer',
        'GroupQueryAttention', 'HashedCrossing', 'Hashing',
        'JaxLayer',
        'MaxNumBoundingBoxes', 'MelSpectrogram', 'MixUp',
        'Pipeline', 'RandAugment',
        'RandomColorDegeneration', 'RandomColorJitter',
        'RandomElasticTransform', 'RandomErasing',
        'RandomGaussianBlur', 'RandomGrayscale', 'RandomHue', 'RandomInvert',
        'RandomPerspective', 'RandomPosterization', 'RandomSaturation',
        'RandomSharpness', 'RandomShear',
        'ReversibleEmbedding', 'STFTSpectrogram',
        'Solarization', 'SpectralNormalization',
        'TFSMLayer',
        'TorchModuleWrapper',
        'Wrapper', 'deserialize',
        'serialize',
    ),
    'ops': (
        'i0',
        'polar',
        'view_as_complex', 'view_as_real',
    ),
    'ops.nn': (
        'polar',
    ),
    'random': (
    ),
    'losses': (
        'Circle', 'circle',
    ),
    'metrics': (
    ),
    'optimizers': (
        'LossScaleOptimizer', 'MultiOptimizer', 'Muon', 'OptimizerMap', 'ScheduleFreeAdamW',
        'legacy',
    ),
    'optimizers.schedules': (
    ),
    'callbacks': (
        'OrbaxCheckpoint', 'RemoteMonitor',
    ),
    'utils': (
        'FeatureSpace', 'audio_dataset_from_directory',
        'bounding_boxes',
        'get_file',
        'legacy',
    ),
    'tree': (
    ),
    'saving': (
        'KerasFileEditor',
    ),
    'config': (
    ),
    'activations': (
    ),
    'initializers': (
        'STFT', 'STFTInitializer', 'stft',
    ),
    'regularizers': (
        'OrthogonalRegularizer', 'orthogonal_regularizer',
    ),
    'models': (
    ),
    'backend': (
    ),
    'datasets': (
        'boston_housing', 'california_housing', 'cifar10', 'cifar100', 'imdb', 'reuters',
    ),
    'preprocessing': (
        'timeseries_dataset_from_array',
    ),
}
