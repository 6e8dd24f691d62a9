"""Keras metrics, Keras 3's protocol: a metric keeps its state in variables
(``add_variable``), ``update_state(y_true, y_pred, sample_weight=None)`` adds a
batch, ``result()`` reads the value, ``reset_state()`` starts again.

``fit`` drives every metric through that protocol (reset at the start of each
epoch, one update per batch, ``result()`` into the logs), the built-in ones
included; those compute on NumPy arrays (no graph), and on the fused-loss path the
argmax metrics read the logits directly (argmax softmax(s) = argmax s).

``"accuracy"`` (or ``"acc"``) becomes, as in Keras, the accuracy that fits the
targets: categorical (argmax of one-hot targets = argmax of the output), sparse
categorical (integer labels = argmax of the output) or binary (0/1 targets =
output > 0.5). A plain function ``fn(y_true, y_pred)`` given as a metric is
averaged over the samples as Keras's ``MeanMetricWrapper`` does::

    mean = Σᵢ wᵢ vᵢ / Σᵢ wᵢ        (wᵢ = 1 without sample weights)

A metric of one's own::

    class Positives(keras.metrics.Metric):
        def __init__(self, name="positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.n = self.add_variable(shape=(), initializer="zeros", name="n")
        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n.assign_add(keras.ops.sum(keras.ops.cast(y_pred > 0.5, "float32")))
        def result(self):
            return self.n
"""
import numpy as np

from .. import backend
from ..serialization import from_config
from ..tensor import Tensor


def _host(v):
    """A value given to a variable or a metric (a Variable, a Tensor, an array on
    any device, a number) as a NumPy array."""
    if isinstance(v, Variable):
        return v.value
    if isinstance(v, Tensor):
        v = v.array
    if not isinstance(v, np.ndarray) and backend.device_of(v) != "cpu":
        v = backend.to_device(v, "cpu")
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"keras.metrics: expected numbers (an array, a tensor, a number), "
                        f"got {type(v).__name__} of dtype {a.dtype}")
    return a


def _aligned(who, y_true, y_pred, sample_weight):
    """``(ŷ, y, w)`` on the host: the labels in the predictions' shape and one weight
    per sample broadcast to it (ones without ``sample_weight``), or a ValueError
    naming the metric and the shapes that do not match."""
    p, y = _host(y_pred), _host(y_true)
    if y.size != p.size:
        raise ValueError(f"keras.metrics.{who}: y_true of shape {y.shape} does not match "
                         f"y_pred of shape {p.shape}")
    if sample_weight is None:
        return p, y.reshape(p.shape), np.ones(p.shape)
    sw = _host(sample_weight)
    if p.ndim == 0 or sw.size != len(p):
        raise ValueError(f"keras.metrics.{who}: sample_weight of shape {sw.shape} does not "
                         f"give one weight per sample of y_pred of shape {p.shape}")
    return p, y.reshape(p.shape), np.broadcast_to(sw.reshape((len(p),) + (1,) * (p.ndim - 1)),
                                                  p.shape)


class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """A metric's state (Keras's ``keras.Variable`` as metrics use it): an array on
    the host, changed in place by ``assign``, ``assign_add``, ``assign_sub``;
    arithmetic on it (``self.tp / self.n``) gives NumPy arrays."""

    def __init__(self, value, name, dtype="float32"):
        self.name = name
        self._value = np.array(value, dtype=dtype)

    @property
    def value(self):
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return str(self._value.dtype)

    def numpy(self):
        return self._value.copy()

    def _checked(self, v, how):
        a = _host(v)
        if a.shape != self._value.shape and a.size != 1:
            raise ValueError(f"Variable {self.name!r}.{how}: the value of shape {a.shape} does "
                             f"not fit the variable's shape {self._value.shape}")
        return a.reshape(self._value.shape) if a.size == 1 else a

    def assign(self, value):
        self._value[...] = self._checked(value, "assign")
        return self

    def assign_add(self, value):
        self._value += self._checked(value, "assign_add").astype(self._value.dtype)
        return self

    def assign_sub(self, value):
        self._value -= self._checked(value, "assign_sub").astype(self._value.dtype)
        return self

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [_host(a) if isinstance(a, (Variable, Tensor)) else a for a in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __repr__(self):
        return (f"<Variable path={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self._value}>")


def _initial(initializer, shape, dtype, who):
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype=dtype)
    if initializer == "ones":
        return np.ones(shape, dtype=dtype)
    if isinstance(initializer, (int, float, np.ndarray, list)):
        return np.broadcast_to(np.asarray(initializer, dtype=dtype), shape).copy()
    from ..nn import init
    fn = init.get(initializer)
    if not callable(fn):
        raise ValueError(f"{who}: invalid initializer {initializer!r}")
    return _host(fn(tuple(shape), dtype=dtype)).astype(dtype)


class Metric:
    """Base class of every metric (Keras 3's ``keras.metrics.Metric``).

    A subclass creates its state in ``__init__`` with ``add_variable`` and defines
    ``update_state(y_true, y_pred, sample_weight=None)`` and ``result()``;
    ``reset_state()`` sets every variable back to zero (override it for another
    start). ``m(y_true, y_pred)`` updates and returns the result. In ``fit``,
    ``update_state`` receives the batch's targets and predictions as retrograd
    Tensors (``keras.ops`` works on them), ``sample_weight`` a Tensor or None.

    ``needs_probabilities``: the metric reads ŷ itself, not only its argmax, so on
    the fused-loss path it is given softmax/sigmoid(logits)."""

    needs_probabilities = True

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype or "float32"
        self._variables = []

    # -- state ---------------------------------------------------------------------------
    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A new state ``Variable`` of ``shape``, filled by ``initializer`` ("zeros",
        "ones", a number or a Keras initializer)."""
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape or ())
        if "_variables" not in vars(self):
            raise RuntimeError(f"{type(self).__name__}: call super().__init__(name=...) "
                               "before add_variable")
        dtype = dtype or self.dtype
        v = Variable(_initial(initializer, shape, dtype, type(self).__name__),
                     name or f"variable_{len(self._variables)}", dtype)
        v._initializer = initializer
        self._variables.append(v)
        return v

    def add_weight(self, name=None, shape=(), initializer=None, dtype=None,
                   aggregation="sum"):
        """Keras 2's name of ``add_variable`` (zeros by default)."""
        return self.add_variable(shape, initializer or "zeros", dtype, aggregation, name)

    @property
    def variables(self):
        return list(self._variables)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def reset_states(self):     # Keras 2's name
        self.reset_state()

    # -- the protocol -----------------------------------------------------------------
    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define update_state(y_true, "
                                  "y_pred, sample_weight=None)")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def _feed(self, y_true, y_pred, sample_weight=None, logits=False):
        """What ``fit`` calls per batch (arrays; ``logits`` only for the metrics with
        ``needs_probabilities`` False): ``update_state`` on Tensors, as Keras gives
        backend tensors."""
        self.update_state(Tensor._wrap(y_true), Tensor._wrap(y_pred),
                          sample_weight=None if sample_weight is None
                          else Tensor._wrap(sample_weight))

    def _value(self):
        """``result()`` as a float for the logs."""
        return float(_host(self.result()))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


class Mean(Metric):
    """The weighted mean Σ wᵢ vᵢ / Σ wᵢ of every value given to
    ``update_state(values, sample_weight=None)`` (0 before any)."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        # float64 running sums: the epoch mean is the dataset mean to rounding
        self.total = self.add_variable((), "zeros", "float64", name="total")
        self.count = self.add_variable((), "zeros", "float64", name="count")

    def _add(self, v, w):
        v = np.asarray(v, dtype=np.float64)
        if w is None:
            self.total._value += v.sum()
            self.count._value += v.size
        else:
            w = np.broadcast_to(np.asarray(w, dtype=np.float64).reshape(
                np.shape(w) + (1,) * max(v.ndim - np.ndim(w), 0)), v.shape)
            self.total._value += float((v * w).sum())
            self.count._value += float(w.sum())

    def update_state(self, values, sample_weight=None):
        self._add(_host(values), None if sample_weight is None else _host(sample_weight))

    def result(self):
        c = float(self.count._value)
        return float(self.total._value) / c if c else 0.0


class Sum(Metric):
    """Σ wᵢ vᵢ of every value given to ``update_state(values, sample_weight=None)``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)
        self.total = self.add_variable((), "zeros", "float64", name="total")

    def update_state(self, values, sample_weight=None):
        v = _host(values).astype(np.float64)
        if sample_weight is not None:
            v = v * np.broadcast_to(_host(sample_weight).astype(np.float64), v.shape)
        self.total._value += v.sum()

    def result(self):
        return float(self.total._value)


class MeanMetricWrapper(Mean):
    """The mean over the samples of a per-sample quantity: ``fn(y_true, y_pred)``
    (a user's function, given Tensors) or, for the built-in metrics, ``values``
    on NumPy arrays."""

    def __init__(self, fn=None, name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", None) or
                         _snake(type(self).__name__), dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def values(self, y_true, y_pred, logits):
        out = self._fn(Tensor._wrap(y_true), Tensor._wrap(y_pred), **self._fn_kwargs)
        return _host(out)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._feed(_host(y_true), _host(y_pred),
                   None if sample_weight is None else _host(sample_weight))

    def _feed(self, y_true, y_pred, sample_weight=None, logits=False):
        v = self.values(y_true, y_pred, logits)
        if sample_weight is None:       # the per-batch fast path of fit
            self.total._value += float(np.sum(v))
            self.count._value += np.size(v)
        else:
            self._add(v, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples with argmax ŷ = argmax y* (one-hot targets)."""

    needs_probabilities = False

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples with argmax ŷ = y (integer labels)."""

    needs_probabilities = False

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.reshape(y_pred.shape[:-1])


class BinaryAccuracy(MeanMetricWrapper):
    """Fraction of outputs with (ŷ > threshold) = y, averaged per sample."""

    needs_probabilities = False

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = threshold
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        cut = np.log(self.threshold / (1 - self.threshold)) if logits else self.threshold
        hit = (y_pred > cut) == (y_true.reshape(y_pred.shape) > 0.5)
        return hit.reshape(len(hit), -1).mean(axis=1)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class Accuracy(MeanMetricWrapper):
    """Keras's ``Accuracy``: fraction of exact matches y_pred == y_true."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        hit = y_pred == _match(y_true, y_pred)
        return hit.reshape(len(hit), -1).mean(axis=1)


def _match(y_true, y_pred):
    """y_true broadcast against y_pred as Keras does (a missing last axis added)."""
    if y_true.ndim == y_pred.ndim - 1:
        return y_true[..., None]
    return y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true


class MeanSquaredError(MeanMetricWrapper):
    """Mean over outputs of (y − ŷ)², averaged over samples."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        d = (y_pred - _match(y_true, y_pred)) ** 2
        return d.reshape(len(d), -1).mean(axis=1)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean over outputs of |y − ŷ|, averaged over samples."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        d = np.abs(y_pred - _match(y_true, y_pred))
        return d.reshape(len(d), -1).mean(axis=1)


class _Confusion(Metric):
    """Precision / recall at one threshold: counts over every output of
    (ŷ > threshold) against (y > 0.5), weighted by the samples' weights."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name, dtype)
        if thresholds is not None and not isinstance(thresholds, (int, float)):
            from ..missing import NotSupportedError
            raise NotSupportedError(f"keras.metrics.{type(self).__name__}: several "
                                    f"thresholds ({thresholds!r}); give one number")
        self.thresholds = thresholds
        self.true_positives = self.add_variable((), "zeros", name="true_positives")
        self.other = self.add_variable((), "zeros", name=self.OTHER)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p, y, w = _aligned(type(self).__name__, y_true, y_pred, sample_weight)
        pred = p > (0.5 if self.thresholds is None else self.thresholds)
        true = y > 0.5
        self.true_positives.assign_add(float((w * (pred & true)).sum()))
        other = (pred & ~true) if self.OTHER == "false_positives" else (~pred & true)
        self.other.assign_add(float((w * other).sum()))

    def result(self):
        tp, other = float(self.true_positives), float(self.other)
        return tp / (tp + other) if tp + other else 0.0

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds}


class Precision(_Confusion):
    """tp / (tp + fp): of the outputs predicted positive, the fraction that are."""
    OTHER = "false_positives"


class Recall(_Confusion):
    """tp / (tp + fn): of the positive targets, the fraction predicted positive."""
    OTHER = "false_negatives"


class AUC(Metric):
    """Area under the ROC curve, as Keras computes it: counts of true/false
    positives/negatives at ``num_thresholds`` thresholds (0 − ε, 1/(T−1), …, 1 + ε),
    every output counted (ŷ > t) against (y > 0.5), weighted by the samples'
    weights; the area is the trapezoidal sum over the (FPR, TPR) points
    (``summation_method="interpolation"``). ``from_logits`` applies σ first.
    ``curve="PR"`` and the other summation methods raise ``NotSupportedError``."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name or "auc", dtype)
        from ..missing import NotSupportedError
        if curve != "ROC" or summation_method != "interpolation" or multi_label or \
                thresholds is not None or label_weights is not None:
            raise NotSupportedError(
                f"keras.metrics.AUC: only curve='ROC', summation_method='interpolation', one "
                f"label and the default thresholds are supported, got curve={curve!r}, "
                f"summation_method={summation_method!r}, multi_label={multi_label!r}, "
                f"thresholds={thresholds!r}, label_weights={label_weights!r}")
        if not isinstance(num_thresholds, int) or num_thresholds < 2:
            raise ValueError(f"keras.metrics.AUC: num_thresholds must be an integer > 1, got "
                             f"num_thresholds={num_thresholds!r}")
        self.num_thresholds, self.curve, self.from_logits = num_thresholds, curve, from_logits
        self.summation_method = summation_method
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = np.array([-1e-7] + inner + [1 + 1e-7])
        for n in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, n, self.add_variable((num_thresholds,), "zeros", name=n))

    def update_state(self, y_true, y_pred, sample_weight=None):
        p, y, w = _aligned("AUC", y_true, y_pred, sample_weight)
        p = p.astype(np.float64)
        if self.from_logits:
            p = 0.5 * (1 + np.tanh(0.5 * p))
        true = (y > 0.5).reshape(-1)
        w, p = w.astype(np.float64).reshape(-1), p.reshape(-1)
        above = p[None, :] > self._thresholds[:, None]          # (T, n)
        for var, mask in ((self.true_positives, above & true), (self.false_positives,
                                                                above & ~true),
                          (self.true_negatives, ~above & ~true),
                          (self.false_negatives, ~above & true)):
            var.assign_add(mask @ w)

    def result(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        with np.errstate(invalid="ignore", divide="ignore"):
            tpr = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            fpr = np.where(fp + tn > 0, fp / (fp + tn), 0.0)
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "from_logits": self.from_logits}


class AutoAccuracy(MeanMetricWrapper):
    """``"accuracy"``: picks categorical, sparse or binary accuracy from the first
    batch's shapes (and the loss), as Keras does; keeps the user's name."""

    needs_probabilities = False

    def __init__(self, name="accuracy", loss=None):
        self.loss = loss
        self.impl = None
        super().__init__(None, name)

    def resolve(self, y_true, y_pred_shape):
        from .losses import BinaryCrossentropy, SparseCategoricalCrossentropy
        if y_pred_shape[-1] == 1 or isinstance(self.loss, BinaryCrossentropy):
            self.impl = BinaryAccuracy(self.name)
        elif isinstance(self.loss, SparseCategoricalCrossentropy) or \
                np.ndim(y_true) < len(y_pred_shape) or np.shape(y_true)[-1] == 1:
            self.impl = SparseCategoricalAccuracy(self.name)
        else:
            self.impl = CategoricalAccuracy(self.name)
        return self.impl

    def values(self, y_true, y_pred, logits):
        impl = self.impl or self.resolve(y_true, y_pred.shape)
        return impl.values(y_true, y_pred, logits)


CLASSES = {c.__name__: c for c in (CategoricalAccuracy, SparseCategoricalAccuracy,
                                   BinaryAccuracy, Accuracy, MeanSquaredError,
                                   MeanAbsoluteError, Mean, Sum, Precision, Recall, AUC)}
NAMES = {"categorical_accuracy": CategoricalAccuracy,
         "sparse_categorical_accuracy": SparseCategoricalAccuracy,
         "binary_accuracy": BinaryAccuracy,
         "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
         "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
         "precision": Precision, "recall": Recall, "auc": AUC}


def get(identifier, loss=None):
    """A ``Metric`` from a Keras name (named as given), a Metric instance, a config
    dict, or a function ``fn(y_true, y_pred)`` (averaged over the samples, named
    after the function)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return AutoAccuracy(identifier, loss)
        cls = NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}; known "
                             f"metrics: {', '.join(sorted(['accuracy', 'acc', *NAMES]))}")
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return from_config(identifier, CLASSES, "metric")
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"Could not interpret metric identifier: {identifier!r} (expected a "
                    "name such as 'accuracy', a keras.metrics.Metric or a function)")


def serialize(metric):
    if isinstance(metric, AutoAccuracy):
        return metric.name
    if type(metric) not in CLASSES.values():
        raise TypeError(f"a custom metric ({metric.name}) cannot be saved in a model file; "
                        "compile the loaded model again with it")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


__all__ = ["Metric", "Variable", "Mean", "Sum", "MeanMetricWrapper", "Accuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "BinaryAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "Precision", "Recall", "AUC", "get"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
