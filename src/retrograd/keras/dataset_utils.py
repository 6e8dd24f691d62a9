"""Keras's ``image_dataset_from_directory`` and ``text_dataset_from_directory``: a
folder with one subfolder per class becomes a dataset of (inputs, labels) batches
that ``fit``, ``evaluate`` and ``predict`` read.

The files are listed as Keras does: class subfolders in sorted order (hidden ones
skipped; ``class_names`` picks and orders them), each walked recursively in sorted
order, files kept by suffix (.bmp .gif .jpeg .jpg .png for images, .txt for texts).
``shuffle`` permutes them once with ``numpy.random.RandomState(seed)`` (seed None: a
random one), then ``validation_split`` keeps the first (1 − v) for "training" and the
last ⌊v·n⌋ for "validation" ("both": the two) — so the same seed on both calls gives
disjoint subsets; a shuffled dataset reorders its files at every pass too (Keras's
``tf.data`` shuffle), from the same seed. Labels: "int" (int32 class ids),
"categorical" (float32 one-hot), "binary" (float32 (batch, 1), two classes), None
(inputs only). Images are decoded by Pillow (``pip install pillow``) and resized to
``image_size`` as ``keras.layers.Resizing`` does (float32); texts are the files'
UTF-8 contents (str; Keras gives ``tf.string`` bytes), cut to ``max_length``
characters. Keras returns a ``tf.data.Dataset``; this returns a ``FolderDataset``
(iterable, ``len`` = batches, ``class_names``, ``file_paths``, and ``map``,
``prefetch``, ``cache``, ``take`` for the tf.data calls tutorials chain).
"""
import os

import numpy as np
from ..missing import NotSupportedError
from ..tensor import Tensor

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False):
    """(file paths, labels or None, class names), in Keras's order."""
    if not os.path.isdir(directory):
        raise ValueError(f"The `directory` argument should point to a directory, got "
                         f"directory={directory!r}")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: "
                                 f"{subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
        class_names = subdirs
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                             "be specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted "
                             "list of labels).")
        subdirs = [""]
    paths, ids = [], []
    for k, sub in enumerate(subdirs):
        root_dir = os.path.join(directory, sub)
        walk = os.walk(root_dir, followlinks=follow_links)
        for root, _, files in sorted(walk, key=lambda w: w[0]):
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(root, name))
                    ids.append(k)
    if labels == "inferred":
        label_array = np.asarray(ids, np.int32)
    elif labels is None:
        label_array = None
    else:
        label_array = np.asarray(labels)
        if len(label_array) != len(paths):
            raise ValueError(f"Expected the lengths of `labels` to match the number of "
                             f"files in the target directory. len(labels) is "
                             f"{len(label_array)} while we found {len(paths)} files in "
                             f"directory {directory}.")
        class_names = [str(c) for c in sorted(set(label_array.tolist()))]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)
        paths = [paths[i] for i in order]
        if label_array is not None:
            label_array = label_array[order]
    return paths, label_array, class_names, seed


def _check_split(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must "
                         "provide a `seed` argument, to make sure that there is no overlap "
                         "between the training and validation subset.")


def _split(paths, labels, validation_split, subset):
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    cut = slice(None, len(paths) - n_val) if subset == "training" else \
        slice(len(paths) - n_val, None)
    return paths[cut], None if labels is None else labels[cut]


def _encode_labels(labels, label_mode, num_classes):
    if label_mode == "int":
        return labels.astype(np.int32)
    if label_mode == "binary":
        return labels.astype(np.float32).reshape(-1, 1)
    return np.eye(num_classes, dtype=np.float32)[labels]


class FolderDataset:
    """Batches read from files on demand: iterating yields (inputs, labels) (or the
    inputs alone without labels), in the file order, reshuffled each pass when
    ``shuffle``."""

    def __init__(self, paths, labels, load, batch_size, shuffle, seed, class_names):
        self.file_paths, self.labels = list(paths), labels
        self._load, self.batch_size = load, batch_size
        self.shuffle, self._seed, self.class_names = shuffle, seed, class_names
        self._passes = 0
        self._maps = []

    def __len__(self):
        if self.batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self.batch_size)

    def _order(self):
        order = np.arange(len(self.file_paths))
        if self.shuffle and self._passes:
            np.random.RandomState((self._seed + self._passes) % 2**32).shuffle(order)
        self._passes += 1
        return order

    def __iter__(self):
        order = self._order()
        step = self.batch_size or 1
        for start in range(0, len(order), step):
            rows = order[start:start + step]
            x = self._load([self.file_paths[i] for i in rows])
            item = x if self.labels is None else (x, self.labels[rows])
            if self.batch_size is None:
                item = x[0] if self.labels is None else (x[0], self.labels[rows][0])
            for fn in self._maps:
                item = fn(*item) if isinstance(item, tuple) else fn(item)
            yield item

    # tf.data's chainable calls that tutorials use.
    def map(self, fn, num_parallel_calls=None, deterministic=None):
        """A dataset yielding fn(x, y) (fn(x) without labels) for each batch."""
        out = FolderDataset(self.file_paths, self.labels, self._load, self.batch_size,
                            self.shuffle, self._seed, self.class_names)
        out._maps = self._maps + [fn]
        return out

    def prefetch(self, buffer_size=None):
        return self

    def cache(self, filename=""):
        return self

    def take(self, count):
        """The first ``count`` batches, as a list."""
        out = []
        for item in self:
            if len(out) >= count:
                break
            out.append(item)
        return out

    def __repr__(self):
        return (f"<FolderDataset {len(self.file_paths)} files, {len(self)} batches, "
                f"class_names={self.class_names}>")


def _datasets(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
              validation_split, subset, follow_links, formats, load, who, verbose):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f'`labels` argument should be a list/tuple of integer labels, of '
                         f'the same size as the number of files in the target directory. '
                         f'If you wish to infer the labels from the subdirectory names in '
                         f'the target directory, pass `labels="inferred"`. If you wish to '
                         f'get a dataset that only contains images (no labels), pass '
                         f'`labels=None`. Received: labels={labels}')
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split(validation_split, subset, shuffle, seed)
    paths, ids, names, seed = index_directory(directory, labels, formats, class_names,
                                              shuffle, seed, follow_links)
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f'class_names. Received: class_names={names}')
    if verbose:
        print(f"Found {len(paths)} files" + ("." if ids is None else
                                             f" belonging to {len(names)} classes."))

    def make(part):
        p, y = _split(paths, ids, validation_split, part)
        if not p:
            raise ValueError(f"{who}: no {' '.join(formats)} files found in directory "
                             f"{directory}" + (f" for subset {part!r}" if part else ""))
        if verbose and validation_split:
            print(f"Using {len(p)} files for {part}.")
        y = None if y is None else _encode_labels(y, label_mode, len(names))
        return FolderDataset(p, y, load, batch_size, shuffle, seed or 0, names)

    if subset == "both":
        return [make("training"), make("validation")]
    return make(subset)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Batches of images (float32 (batch, H, W, C), resized to ``image_size``) and
    their labels, from a folder of class subfolders (see the module docstring).

    >>> train = image_dataset_from_directory("pets", validation_split=0.2,
    ...                                      subset="training", seed=1337,
    ...                                      image_size=(180, 180), batch_size=32)
    """
    from .image_utils import load_img, pil_image
    from .layers.image_preprocessing import resize
    pil_image()             # the clear error now, not at the first batch
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. '
                         f"Received: color_mode={color_mode}")
    if interpolation not in ("bilinear", "nearest"):
        raise NotSupportedError(f"image_dataset_from_directory: interpolation="
                                f"{interpolation!r} is not supported (retrograd resizes "
                                "with 'bilinear' or 'nearest')")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` or `pad_to_aspect_ratio` can "
                         "be set to `True`.")
    if data_format not in (None, "channels_last"):
        raise NotSupportedError("image_dataset_from_directory: only channels_last images")
    height, width = (int(s) for s in image_size)

    def load(paths):
        images = []
        for p in paths:
            a = np.asarray(load_img(p, color_mode=color_mode), np.float32)
            a = a.reshape(a.shape[:2] + (channels,))
            t = resize(Tensor(a[None]), height, width, interpolation, crop_to_aspect_ratio,
                       pad_to_aspect_ratio)
            images.append(t.numpy()[0])
        return np.stack(images).astype(np.float32)

    return _datasets(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                     validation_split, subset, follow_links, IMAGE_FORMATS, load,
                     "image_dataset_from_directory", verbose)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """Batches of texts (a NumPy array of str) and their labels, from a folder of
    class subfolders of .txt files (see the module docstring).

    >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32,
    ...                                     validation_split=0.2, subset="training",
    ...                                     seed=1337)
    """
    def load(paths):
        texts = []
        for p in paths:
            with open(p, "rb") as f:
                t = f.read().decode("utf-8", errors="replace")
            texts.append(t if max_length is None else t[:max_length])
        return np.array(texts, dtype=object)

    return _datasets(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                     validation_split, subset, follow_links, (".txt",), load,
                     "text_dataset_from_directory", verbose)
