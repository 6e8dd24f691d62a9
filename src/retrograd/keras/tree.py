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


class MAP_TO_NONE:
    """What ``traverse``'s function returns to put None in place of a node (its own
    None means "keep going")."""


def traverse(func, structure, top_down=True):
    """Every node of ``structure`` (containers and leaves) passed to ``func``.
    Top-down: a node for which ``func`` returns None is kept and its children
    traversed; any other result replaces the node (its children unvisited);
    ``MAP_TO_NONE`` replaces it by None. Bottom-up: the children first, then
    ``func`` on the node rebuilt from them (None keeps it)."""
    def children():
        if not is_nested(structure):
            return structure
        return _rebuild(structure, [traverse(func, c, top_down) for c in _children(structure)])

    if top_down:
        ret = func(structure)
        if ret is None:
            return children()
    else:
        done = children()
        ret = func(done)
        if ret is None:
            return done
    return None if ret is MAP_TO_NONE else ret


def map_structure_up_to(shallow_structure, func, *structures):
    """``func`` applied to the subtrees of ``structures`` found at the leaves of
    ``shallow_structure`` (whose nesting each structure must start with)."""
    if not structures:
        raise ValueError("Must provide at least one structure")

    def walk(shallow, subs):
        if not is_nested(shallow):
            return func(*subs)
        for s in subs:
            if not is_nested(s) or isinstance(s, dict) != isinstance(shallow, dict) or \
                    len(s) != len(shallow) or (isinstance(s, dict) and set(s) != set(shallow)):
                raise ValueError(f"map_structure_up_to: the structure {s!r} does not start "
                                 f"with the nesting of the shallow structure {shallow!r}")
        columns = zip(*(_children(s) for s in subs))
        return _rebuild(shallow, [walk(c, sub) for c, sub in zip(_children(shallow), columns)])
    return walk(shallow_structure, structures)


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(
        isinstance(e, int) or e is None for e in x)


def map_shape_structure(func, structure):
    """``func`` applied to each shape of a structure of shapes (a tuple or list of
    ints/None is a leaf, not a container), in that structure."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])


def assert_same_paths(a, b):
    """ValueError unless ``a`` and ``b`` have the same set of leaf paths (the
    containers' kinds may differ: a list and a tuple of the same length match)."""
    a_paths = {p for p, _ in flatten_with_path(a)}
    b_paths = {p for p, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        msg = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            msg += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            msg += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(msg)


__all__ = ["is_nested", "flatten", "flatten_with_path", "map_structure", "pack_sequence_as",
           "assert_same_structure", "lists_to_tuples", "MAP_TO_NONE", "traverse",
           "map_structure_up_to", "map_shape_structure", "assert_same_paths"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
