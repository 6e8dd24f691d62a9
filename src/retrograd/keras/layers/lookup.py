"""Keras's categorical preprocessing layers: ``CategoryEncoding`` (integer ids →
one-hot, multi-hot or count vectors), ``Discretization`` (numbers → bin ids),
``StringLookup`` and ``IntegerLookup`` (tokens → ids through a vocabulary, given or
learnt by ``adapt``). They learn nothing by gradient; their outputs are integer
ids (int64) or float32 encodings. Strings are NumPy ``str``/``object`` arrays or
lists (retrograd has no string tensors).

Index layout of a lookup (Keras's): the mask token at 0 when ``mask_token`` is set
(int mode only), then ``num_oov_indices`` out-of-vocabulary ids, then the
vocabulary. ``adapt`` orders the vocabulary by decreasing frequency, ties by
decreasing token (Keras's ``np.lexsort((tokens, counts))[::-1]``), and keeps the
first ``max_tokens`` − (mask + OOV) of them.

>>> lookup = StringLookup(vocabulary=["a", "b"]); lookup([["a", "c"]])   # [[1, 0]]
"""
import collections

import numpy as np

from ...missing import NotSupportedError
from ...tensor import Tensor
from ..keras_tensor import is_symbolic
from .layer import Layer

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _host(x):
    """A call's or adapt's input as a NumPy array (strings stay str/object)."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy())
    if hasattr(x, "detach") and hasattr(x, "numpy"):       # a torch tensor
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _check_mode(mode, allowed, who):
    if mode not in allowed:
        raise ValueError(f"{who}: Unknown value for `output_mode`. Allowed values are "
                         f"{list(allowed)}. Received: output_mode={mode!r}")


def encode(ids, mode, depth, count_weights=None, who="encode"):
    """Keras's ``encode_categorical_inputs`` on integer ids (a NumPy array): "one_hot"
    appends an axis of ``depth`` (or replaces a last axis of size 1); "multi_hot"
    and "count" replace the last axis by ``depth`` (a scalar or 1-D input is one
    sample). Ids outside [0, depth) count nowhere (the mask's ids)."""
    ids = np.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if mode == "one_hot":
        if ids.shape[-1] == 1 and ids.ndim > 1:
            ids = ids[..., 0]
        return (ids[..., None] == np.arange(depth)).astype(np.float32)
    if ids.ndim > 2:
        raise ValueError(f"{who}: When output_mode is not `'int'`, maximum supported "
                         f"output rank is 2. Received output_mode {mode} and input shape "
                         f"{ids.shape}, which would result in output rank {ids.ndim}.")
    flat = ids.reshape(-1, ids.shape[-1])
    out = np.zeros((len(flat), depth), np.float32)
    rows = np.broadcast_to(np.arange(len(flat))[:, None], flat.shape)
    ok = (flat >= 0) & (flat < depth)
    weights = np.ones(flat.shape, np.float32) if count_weights is None else \
        np.asarray(count_weights, np.float32).reshape(flat.shape)
    np.add.at(out, (rows[ok], flat[ok]), weights[ok])
    if mode == "multi_hot":
        out = (out > 0).astype(np.float32)
    return out.reshape(ids.shape[:-1] + (depth,))


class _Preprocessing(Layer):
    """Eager calls take arrays of numbers or strings as they are (no float32 cast);
    symbolic calls go through Keras's protocol with ``compute_output_shape``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        kwargs.pop("training", None)
        return self.call(inputs, *args, **kwargs)


class CategoryEncoding(_Preprocessing):
    """Integer ids in [0, ``num_tokens``) → float32 vectors of ``num_tokens``:
    "multi_hot" (default: 1 where an id occurs in the sample's last axis), "count"
    (how many times; weighted by ``count_weights`` if given) or "one_hot" (one
    vector per id).

    >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")([3, 2, 0])
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        _check_mode(output_mode, ("one_hot", "multi_hot", "count"), "CategoryEncoding")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotSupportedError("CategoryEncoding: sparse=True is not supported "
                                    "(retrograd has no sparse tensors)")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def call(self, inputs, count_weights=None):
        ids = _host(inputs)
        if ids.dtype.kind not in "iub":
            if ids.dtype.kind != "f" or np.any(ids != np.round(ids)):
                raise ValueError(f"CategoryEncoding: inputs must be integer ids, got dtype "
                                 f"{ids.dtype}")
            ids = ids.astype(np.int64)
        if ids.size and ids.max() >= self.num_tokens:
            raise RuntimeError(f"CategoryEncoding: Class values must be smaller than "
                               f"num_classes. Received the id {int(ids.max())} for "
                               f"num_tokens={self.num_tokens}")
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        return Tensor(encode(ids, self.output_mode, self.num_tokens,
                             None if count_weights is None else _host(count_weights),
                             "CategoryEncoding"))

    def compute_output_shape(self, input_shape):
        return _encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


def _encoded_shape(input_shape, mode, depth):
    shape = tuple(input_shape)
    if mode == "int":
        return shape
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return shape[:-1] + (depth,)
        return shape + (depth,)
    return shape[:-1] + (depth,)


# -- Discretization: Keras's quantile summaries (numpy) -----------------------------------
def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    fractions = cum / cum[-1]
    bins = np.interp(percents, fractions, summary[0])
    cum = np.interp(percents, fractions, cum)
    return np.stack((bins, cum - np.concatenate((np.array([0]), cum[:-1])))).astype(
        np.float32)


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    return _compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(_Preprocessing):
    """Numbers → bin ids: id = #{boundaries ≤ x} (``np.digitize``), with
    ``bin_boundaries`` given or, for ``num_bins``, the approximate quantiles that
    ``adapt`` finds (Keras's summaries, precision ``epsilon``). ``output_mode``
    "int" (int32 ids) or "one_hot"/"multi_hot"/"count" over the bins.

    >>> Discretization(bin_boundaries=[0.0, 1.0])([[-0.5, 0.5, 2.0]])   # [[0, 1, 2]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if sparse:
            raise NotSupportedError("Discretization: sparse=True is not supported "
                                    "(retrograd has no sparse tensors)")
        _check_mode(output_mode, ("int", "one_hot", "multi_hot", "count"), "Discretization")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon, self.output_mode = num_bins, epsilon, output_mode
        self.sparse = False
        self.summary = None if self.bin_boundaries else np.array([[], []], np.float32)

    def adapt(self, data, steps=None):
        """The ``num_bins`` − 1 boundaries of equal-frequency bins of ``data`` (an
        array, or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been "
                             "initialized with `bin_boundaries`, use `num_bins` instead.")
        self.summary = np.array([[], []], np.float32)
        if isinstance(data, (np.ndarray, Tensor, list, tuple)) or np.isscalar(data):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch = np.array(_host(batch)).astype(np.float32)
            self.summary = _merge(_summarize(batch, self.epsilon), self.summary, self.epsilon)
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can "
                             "start using the `Discretization` layer.")
        x = _host(inputs).astype(np.float32)
        ids = np.digitize(x, np.asarray(self.bin_boundaries, np.float32)).astype(np.int32)
        if self.output_mode == "int":
            return Tensor(ids)
        return Tensor(encode(ids, self.output_mode, len(self.bin_boundaries) + 1,
                             who="Discretization"))

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else \
            self.num_bins
        return _encoded_shape(input_shape, self.output_mode, depth)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        num_bins = config.pop("num_bins", None)
        if config.get("bin_boundaries") is None:        # not adapted yet
            return cls(num_bins=num_bins, **config)
        layer = cls(**config)                           # adapted: its boundaries
        layer.num_bins = num_bins
        return layer

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}


# -- lookups ------------------------------------------------------------------------------
class _IndexLookup(_Preprocessing):
    _strings = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, sparse, pad_to_max_tokens, who,
                 vocabulary_size=None, **kwargs):
        kwargs.pop("dtype", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(**kwargs)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode,
                                                                     output_mode)
        _check_mode(output_mode, _MODES, who)
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise NotSupportedError(f"{who}: sparse=True is not supported (retrograd has "
                                    "no sparse tensors)")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        if isinstance(vocabulary, str):
            raise NotSupportedError(f"{who}: a vocabulary file ({vocabulary!r}) is not "
                                    "supported; give the vocabulary as a list")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode, self.sparse = bool(invert), output_mode, False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.input_vocabulary = None if vocabulary is None else list(
            np.asarray(vocabulary).tolist())
        self.input_idf_weights = None if idf_weights is None else \
            np.asarray(idf_weights).tolist()
        self._tokens = None             # the vocabulary proper, without special tokens
        self.idf_weights = None
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                             "mode, the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # The index layout.
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _token(self, value):
        return str(value) if self._strings else int(value)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list or 1-D array; it may begin with the special
        tokens in their order) and, for "tf_idf", its idf weights."""
        who = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is "
                             f"`'tf_idf'`. Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        vocab = [self._token(v) for v in np.asarray(vocabulary).reshape(-1).tolist()]
        if not vocab:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={vocabulary}")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        found = vocab[:start] == special
        tokens = vocab[start:] if found else vocab
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. "
                             f"Please uniquify your dataset. The repeated terms are: "
                             f"{repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{who}: Found reserved mask token at unexpected location in "
                             f"`vocabulary`. Either remove all mask and OOV tokens, or "
                             f"include them only at the start of the vocabulary in "
                             f"precisely this order: {special}. Received: "
                             f"mask_token={self.mask_token}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(f"{who}: Found reserved OOV token at unexpected location in "
                             f"`vocabulary`. Received: oov_token={self.oov_token}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is {start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            w = np.asarray(idf_weights, np.float32)
            if len(w) != len(vocab):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(w)}; len(vocabulary) is "
                                 f"{len(vocab)}")
            front = 0 if found else start
            back = self.max_tokens - front - len(w) if self.pad_to_max_tokens else 0
            self.idf_weights = np.pad(w, (front, back), constant_values=(
                np.average(w) if front else 0, 0)).astype(np.float32)

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}

    def vocabulary_size(self):
        """The number of ids: special tokens and vocabulary."""
        return self._token_start_index() + len(self._tokens or ())

    def get_vocabulary(self, include_special_tokens=True):
        """The token of each id (the mask token at 0 in int mode, the OOV token at the
        OOV ids), or the vocabulary proper."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens or ())
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def adapt(self, data, steps=None):
        """Learn the vocabulary from ``data`` (an array or list of tokens, or an
        iterable of batches): by decreasing count, ties by decreasing token."""
        if self.input_vocabulary is not None:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        counts, documents, n_docs = collections.Counter(), collections.Counter(), 0
        batches = [data] if isinstance(data, (np.ndarray, Tensor, list, tuple)) else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            rows = self._adapt_rows(batch)
            for row in rows:
                counts.update(row)
                documents.update(set(row))
            n_docs += len(rows)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        tokens = sorted(counts, key=lambda t: (counts[t], _order_key(t)), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            df = np.array([documents[t] for t in tokens], np.float64)
            idf = np.log(1 + n_docs / (1 + df)).astype(np.float32)
            idf = np.pad(idf, (self._token_start_index(), 0),
                         constant_values=idf.mean() if len(idf) else 0)
            if self.pad_to_max_tokens:
                idf = np.pad(idf, (0, self.max_tokens - len(idf)))
            self.idf_weights = idf.astype(np.float32)

    def _adapt_rows(self, batch):
        """The tokens of each document of a batch (a row of a 2-D batch, a token of
        a 1-D one: Keras makes 1-D data a column; TextVectorization's token lists as
        they are)."""
        if hasattr(batch, "rows"):
            return [[self._token(v) for v in row] for row in batch.rows]
        a = _host(batch)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a[:, None]
        return [[self._token(v) for v in row] for row in a.reshape(len(a), -1).tolist()]

    def _lookup(self, a):
        """Token ids of an array of tokens (Keras's int mode)."""
        who = type(self).__name__
        if self._tokens is None:
            raise ValueError(f"{who} {self.name!r}: no vocabulary: pass `vocabulary=` or "
                             "call adapt() first")
        flat = a.reshape(-1).tolist()
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        ids = np.array([self._index.get(self._token(v), default) for v in flat],
                       np.int64).reshape(a.shape)
        if self.num_oov_indices == 0 and np.any(ids == -1):
            oov = [v for v, i in zip(flat, ids.reshape(-1)) if i == -1]
            raise ValueError(f"When `num_oov_indices=0` all inputs should be in "
                             f"vocabulary, found OOV values {oov}, consider setting "
                             f"`num_oov_indices=1`.")
        if self.num_oov_indices > 1 and np.any(ids == -1):
            if self._strings or getattr(self, "oov_method", "floormod") == "farmhash":
                raise NotSupportedError(     # only when an unknown token must be hashed
                    f"{who}: num_oov_indices={self.num_oov_indices} hashes OOV tokens "
                    "with TensorFlow's FarmHash, which retrograd cannot reproduce (the "
                    "buckets would differ); use num_oov_indices=1")
            oov = ids == -1
            ids[oov] = a[oov].astype(np.int64) % self.num_oov_indices + \
                self._oov_start_index()
        if self.mask_token is not None:
            mask = a == self.mask_token
            ids[mask] = 0 if self.output_mode == "int" else np.iinfo(np.int64).max
        return ids

    def call(self, inputs):
        a = _host(inputs)
        if self.invert:
            return self._invert(a)
        ids = self._lookup(a)
        if self.output_mode == "int":
            return Tensor(ids)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        out = encode(ids, "count" if self.output_mode == "tf_idf" else self.output_mode,
                     depth, who=type(self).__name__)
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights
        return Tensor(out.astype(np.float32))

    def _invert(self, a):
        vocab = self.get_vocabulary()
        tokens = [vocab[i] if 0 <= i < len(vocab) else self.oov_token
                  for i in a.astype(np.int64).reshape(-1).tolist()]
        return np.array(tokens, dtype=object if self._strings else np.int64).reshape(a.shape)

    def compute_output_shape(self, input_shape):
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return _encoded_shape(input_shape, self.output_mode, depth)

    def get_config(self):
        vocabulary = self.input_vocabulary
        if vocabulary is None and self._tokens is not None:
            vocabulary = list(self._tokens)      # adapted: kept in the config (see below)
        idf = self.input_idf_weights
        if idf is None and self.idf_weights is not None and vocabulary is not None:
            start = self._token_start_index()
            idf = self.idf_weights[start:start + len(vocabulary)].tolist()
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": vocabulary, "idf_weights": idf,
                "vocabulary_size": self.vocabulary_size() if self._tokens is not None
                else None}


def _order_key(token):
    """Keras sorts string tokens as UTF-8 bytes."""
    return token.encode("utf-8") if isinstance(token, str) else token


class StringLookup(_IndexLookup):
    """Strings → int64 ids through a vocabulary (given, or learnt by ``adapt``);
    unknown strings → the OOV id (1 with a mask token, else 0); ``output_mode``
    "one_hot", "multi_hot", "count" or "tf_idf" encode the ids over the vocabulary;
    ``invert=True`` maps ids back to strings (a NumPy object array). An adapted
    vocabulary is kept in ``get_config()["vocabulary"]`` (Keras keeps it in the
    model file's assets), so a saved model reloads with it.

    >>> StringLookup(vocabulary=["a", "b", "c"])(np.array([["a", "x"]]))   # [[1, 0]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         "StringLookup", name=name, **kwargs)

    def _token(self, value):
        if isinstance(value, bytes):
            return value.decode(self.encoding)
        return str(value)

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding,
                "vocabulary_dtype": "string"}


class IntegerLookup(_IndexLookup):
    """Integers → int64 ids through a vocabulary (given, or learnt by ``adapt``), as
    ``StringLookup`` for strings; ``oov_token`` defaults to −1; with
    ``num_oov_indices`` > 1 an unknown value v goes to OOV id
    (v mod num_oov_indices) + first OOV id (Keras's "floormod").

    >>> IntegerLookup(vocabulary=[12, 36])(np.array([[12, 5]]))   # [[1, 0]]
    """
    _strings = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", sparse=False, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, pad_to_max_tokens=False, name=None,
                 oov_method="floormod", salt=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"IntegerLookup: oov_method must be 'floormod' or 'farmhash'. "
                             f"Received: oov_method={oov_method!r}")
        if salt is not None and oov_method != "farmhash":
            raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. "
                             f"Received: oov_method={oov_method}")
        self.vocabulary_dtype, self.oov_method, self.salt = "int64", oov_method, salt
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         "IntegerLookup", name=name, **kwargs)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": "int64",
                "oov_method": self.oov_method, "salt": self.salt}
