"""Keras's ``TextVectorization``: strings → token ids or bag-of-words vectors.

Each string is standardized ("lower_and_strip_punctuation": ASCII letters lowered,
as ``tf.strings.lower``, and the characters !"#$%&()*+,-./:;<=>?@[\\]^_`{|}~' removed;
"lower", "strip_punctuation", None or a callable on a NumPy str array, as Keras's
non-TensorFlow backends give it), split into tokens ("whitespace": runs of ASCII
whitespace; "character"; None: the whole string; or a callable taking the batch as a
NumPy str array and returning a list of tokens per text, e.g.
``lambda t: np.char.split(t, "|")``), optionally extended by
its n-grams (``ngrams`` = n: widths 1…n; a tuple: those widths; each width's n-grams
joined by " ", in order of width), then looked up in a ``StringLookup`` whose mask
token is "" (id 0, the padding) and OOV token "[UNK]" (id 1). ``output_mode``: "int"
(int64 ids, padded with 0 to the longest text of the batch or to
``output_sequence_length``, longer texts cut), "multi_hot", "count", "tf_idf" (one
vector per text, of the vocabulary's size or ``max_tokens`` with
``pad_to_max_tokens``). ``adapt`` learns the vocabulary as ``StringLookup`` does (by
decreasing frequency, ties by decreasing token).

>>> vectorize = TextVectorization(max_tokens=20000, output_sequence_length=200)
>>> vectorize.adapt(train_texts); ids = vectorize(["the movie was great"])
"""
import re

import numpy as np

from ...missing import NotSupportedError
from ...tensor import Tensor
from .lookup import StringLookup, _host, _Preprocessing

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")


class TextVectorization(_Preprocessing):
    """Strings → token ids or vectors (see the module docstring).

    >>> TextVectorization(output_mode="multi_hot", ngrams=2)
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        if sparse or ragged:
            raise NotSupportedError("TextVectorization: sparse=True and ragged=True are not "
                                    "supported (retrograd has no sparse or ragged tensors)")
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"The `standardize` argument of TextVectorization must be one "
                             f"of {_STANDARDIZE}, None or a callable. Received: "
                             f"standardize={standardize!r}")
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError(f"The `split` argument of TextVectorization must be one of "
                             f"('whitespace', 'character'), None or a callable. Received: "
                             f"split={split!r}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"TextVectorization: Unknown value for `output_mode`. Allowed "
                             f"values are ['int', 'one_hot', 'multi_hot', 'count', "
                             f"'tf_idf']. Received: output_mode={output_mode!r}")
        if not (ngrams is None or isinstance(ngrams, int) or isinstance(ngrams, tuple) and
                all(isinstance(n, int) for n in ngrams)):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or
                                         isinstance(output_sequence_length, int)):
            raise ValueError(f"`output_sequence_length` must be either None or an integer "
                             f"when `output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is "
                             f"not 'int'. Received output_sequence_length="
                             f"{output_sequence_length}.")
        self.standardize, self.split, self.ngrams_arg = standardize, split, ngrams
        self.ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            encoding=encoding, vocabulary_size=vocabulary_size)

    # -- text → tokens ------------------------------------------------------------------
    def _standardized(self, texts):
        if callable(self.standardize):     # a NumPy str array, as Keras's non-TF backends
            return [str(t) for t in np.asarray(self.standardize(np.asarray(texts, dtype=str)))
                    .reshape(-1).tolist()]
        out = []
        for t in texts:
            if self.standardize in ("lower", "lower_and_strip_punctuation"):
                t = t.translate(_ASCII_LOWER)
            if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
                t = _PUNCTUATION.sub("", t)
            out.append(t)
        return out

    def _tokens(self, inputs):
        """The token list of each text of ``inputs`` (texts of shape (n,) or (n, 1))."""
        a = _host(inputs)
        if a.ndim == 0:
            a = a.reshape(1)
        if a.ndim > 1:
            if a.shape[-1] != 1 or a.ndim > 2:
                raise ValueError(f"When using `TextVectorization` to tokenize strings, the "
                                 f"input rank must be 1 or the last shape dimension must be "
                                 f"1. Received: inputs.shape={a.shape} with rank={a.ndim}")
            a = a[:, 0]
        texts = [v.decode(self.encoding) if isinstance(v, bytes) else str(v)
                 for v in a.tolist()]
        texts = self._standardized(texts)
        if self.split is None:
            rows = [[t] for t in texts]
        elif self.split == "whitespace":
            rows = [[w for w in _WHITESPACE.split(t) if w] for t in texts]
        elif self.split == "character":
            rows = [list(t) for t in texts]
        else:           # the batch as a NumPy str array → one token list per text
            rows = [[str(w) for w in row] for row in self.split(np.asarray(texts, dtype=str))]
        if self.ngrams is not None and self.split is not None:
            rows = [[" ".join(row[i:i + n]) for n in self.ngrams
                     for i in range(len(row) - n + 1)] for row in rows]
        return rows

    # -- the vocabulary -----------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learn the vocabulary from texts: an array or list of strings, or an
        iterable of batches of them."""
        if isinstance(data, (np.ndarray, Tensor, list, tuple, str)):
            batches = [np.asarray(data, dtype=object).reshape(-1)]
        else:
            batches = data
        rows = []
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            if isinstance(batch, tuple):        # an (x, y) batch
                batch = batch[0]
            rows.extend(self._tokens(batch))
        self._lookup_layer.adapt(_Rows(rows))

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # -- calling ------------------------------------------------------------------------
    def call(self, inputs):
        rows = self._tokens(inputs)
        lookup = self._lookup_layer
        if self.output_mode != "int":
            # One document per text: its tokens as a row, padded with the mask token
            # (which counts nowhere).
            width = max([len(r) for r in rows] + [1])
            grid = np.array([r + [""] * (width - len(r)) for r in rows], dtype=object)
            return lookup.call(grid)
        length = self.output_sequence_length
        width = max([len(r) for r in rows] + [0]) if length is None else length
        ids = np.zeros((len(rows), width), np.int64)
        for k, row in enumerate(rows):
            row = row[:width]
            if row:
                ids[k, :len(row)] = lookup._lookup(np.array(row, dtype=object))
        return Tensor(ids)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        depth = self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens \
            else self.vocabulary_size()
        return (input_shape[0], depth)

    def get_config(self):
        lookup = self._lookup_layer
        if callable(self.standardize) or callable(self.split):
            raise NotSupportedError("TextVectorization.get_config: a callable standardize= "
                                    "or split= cannot be saved (retrograd's model files "
                                    "hold no code)")
        vocabulary, idf = lookup.input_vocabulary, lookup.input_idf_weights
        config = lookup.get_config()
        if vocabulary is None:          # adapted: kept in the config (StringLookup's note)
            vocabulary, idf = config["vocabulary"], config["idf_weights"]
        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": self.standardize, "split": self.split,
                "ngrams": self.ngrams_arg, "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False,
                "ragged": False, "vocabulary": vocabulary, "idf_weights": idf,
                "encoding": self.encoding, "vocabulary_size": self.vocabulary_size()}


class _Rows:
    """Token lists of different lengths handed to ``StringLookup.adapt`` as one batch
    of documents (an iterable of one batch)."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        yield self
