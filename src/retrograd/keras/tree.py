"""``keras.tree``: nested structures (lists, tuples, namedtuples, dicts) of leaves,
as Keras 3's ``keras.tree``: a dict's leaves come in the sorted order of its keys,
None is a leaf, and anything else (an array, a tensor, a number) is a leaf.

>>> flatten({"b": [1, 2], "a": (3, None)})
[3, None, 1, 2]
>>> pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
{'a': 1, 'b': [2, 3]}
"""
import collections


def is_nested(structure):
    """True for a list, a tuple (namedtuples included) or a dict."""
    return isinstance(structure, (list, tuple, dict))


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:       # keys of mixed types: sorted by their text, as optree
        return sorted(d, key=repr)


def _children(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def _rebuild(structure, children):
    if isinstance(structure, dict):     # rebuilt in sorted key order, as Keras's
        items = zip(_sorted_keys(structure), children)
        if isinstance(structure, collections.defaultdict):
            return collections.defaultdict(structure.default_factory, items)
        return type(structure)(items)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):   # a namedtuple
        return type(structure)(*children)
    return type(structure)(children)


def flatten(structure):
    """The leaves of ``structure``, depth first (a dict's in sorted key order)."""
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def flatten_with_path(structure):
    """``[(path, leaf)]``: each leaf with the tuple of keys/indices that reach it."""
    if not is_nested(structure):
        return [((), structure)]
    keys = _sorted_keys(structure) if isinstance(structure, dict) else range(len(structure))
    return [((k,) + path, leaf) for k in keys
            for path, leaf in flatten_with_path(structure[k])]


def map_structure(func, *structures, none_is_leaf=True):
    """``func`` applied leaf by leaf to structures of the same shape, in that shape."""
    if not structures:
        raise ValueError("map_structure: give at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    if not none_is_leaf and structures[0] is None:
        return None
    if not is_nested(structures[0]):
        return func(*structures)
    columns = zip(*(_children(s) for s in structures))
    return _rebuild(structures[0], [map_structure(func, *c, none_is_leaf=none_is_leaf)
                                    for c in columns])


def pack_sequence_as(structure, flat_sequence):
    """``flat_sequence`` poured into the shape of ``structure``."""
    flat = list(flat_sequence)
    n = len(flatten(structure))
    if len(flat) != n:
        raise ValueError(f"pack_sequence_as: the structure has {n} leaves, the flat "
                         f"sequence {len(flat)} values")
    it = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])
    return build(structure)


def assert_same_structure(a, b, check_types=None):
    """ValueError unless ``a`` and ``b`` nest the same way (same kinds of containers,
    lengths and dict keys)."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: "
                         f"{a!r} and {b!r}")
    if not is_nested(a):
        return
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b) or (
            isinstance(a, dict) and set(a) != set(b)) or (
            not isinstance(a, dict) and isinstance(a, list) != isinstance(b, list)):
        raise ValueError(f"The two structures don't have the same nested structure: "
                         f"{a!r} and {b!r}")
    for x, y in zip(_children(a), _children(b)):
        assert_same_structure(x, y)


def lists_to_tuples(structure):
    """Every list of ``structure`` made a tuple."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(c) for c in _children(structure)]
    if isinstance(structure, list):
        return tuple(children)
    return _rebuild(structure, children)


__all__ = ["is_nested", "flatten", "flatten_with_path", "map_structure", "pack_sequence_as",
           "assert_same_structure", "lists_to_tuples"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
