"""Containers: ``Sequential`` (a chain of layers, the course's MLP) and ``ModuleList``."""
from ..function import state
from ..ops.chain import Chain
from ..tensor import Tensor
from .module import Module, as_input


def _check_module(owner, index, m):
    if not isinstance(m, Module):
        hint = " (wrap a function with nn.Activation(fn))" if callable(m) else ""
        raise TypeError(f"{owner}: element {index} is a {type(m).__name__}, not a "
                        f"Module{hint}")


class _Editable:
    """List editing shared by Sequential and ModuleList, as PyTorch's: ``insert``,
    ``pop``, ``del m[i]`` (or a slice), ``m += modules``, ``m + other``; after a change
    the sub-modules are renamed 0, 1, … (their positions), as PyTorch renames them."""

    def _renumber(self, items):
        self._modules.clear()
        for k, m in enumerate(items):
            self._modules[str(k)] = m

    def _index(self, index, who):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}.{who}: index {index} is out of range "
                             f"for {n} modules")
        return index % n

    def insert(self, index, module):
        """``module`` before position ``index`` (as list.insert); returns self."""
        _check_module(f"{type(self).__name__}.insert", index, module)
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)
        return self

    def pop(self, index=-1):
        items = list(self._modules.values())
        module = items.pop(self._index(index, "pop"))
        self._renumber(items)
        return module

    def __delitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[self._index(index, "__delitem__")]
        self._renumber(items)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return self._of([*self, *other])


class Sequential(_Editable, Module):
    """Layers applied one after the other: y = f_L(… f_2(f_1(x))).

    ``Sequential(*modules)`` or ``Sequential(dict_of_named_modules)``; indexable
    (``model[0]``, ``model[-1]``, a slice gives a Sequential) and editable as a list
    (``append``, ``insert``, ``pop``, ``del``, ``+``).

    >>> mlp = Sequential(Linear(2, 4), Tanh(), Linear(4, 1))
    >>> mlp[0].weight.shape
    (4, 2)
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, m in modules[0].items():
                _check_module("Sequential", name, m)
                self.add_module(str(name), m)
        else:
            for i, m in enumerate(modules):
                _check_module("Sequential", i, m)
                self.add_module(str(i), m)

    def forward(self, x):
        if state.anomaly:   # one node per layer, so that an anomaly names its op
            for m in self._modules.values():
                x = m(x)
            return x
        run = []   # consecutive plain layers, run as one node (ops/chain.py)
        for m in self._modules.values():
            if "_fused_op" in m.__class__.__dict__:
                run.append(m)
                continue
            if run:
                x = _chained(run, x)
                run = []
            x = m(x)
        return _chained(run, x) if run else x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def _key(self, index):
        keys = list(self._modules)
        try:
            return keys[index]
        except IndexError:
            raise IndexError(f"Sequential index {index} out of range for "
                             f"{len(keys)} layers") from None

    @staticmethod
    def _of(modules):
        return Sequential(*modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential({k: self._modules[k] for k in list(self._modules)[index]})
        return self._modules[self._key(index)]

    def __setitem__(self, index, module):
        _check_module("Sequential", index, module)
        setattr(self, self._key(index), module)

    def append(self, module):
        """Add ``module`` at the end (named by its position); returns self."""
        _check_module("Sequential.append", len(self), module)
        name = str(len(self))
        while name in self._modules:   # after a deletion, positions and names differ
            name = str(int(name) + 1)
        self.add_module(name, module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self


def _chained(run, x):
    """The layers of ``run`` applied to ``x`` as one ``Chain`` node: the same ops
    and values as calling them in turn, with the graph's bookkeeping paid once."""
    if len(run) == 1:
        return run[0](x)
    if x.__class__ is not Tensor and not isinstance(x, Tensor):
        x = as_input(x, type(run[0]).__name__, floating=True)
    links, params = [], []
    for m in run:
        op, ps = m._fused_op()
        links.append((op, len(ps)))
        params += ps
    try:
        return Chain(links).apply(x, *params)
    except (ValueError, TypeError, IndexError):
        for m in run:   # bad input: let the layers themselves say which and why
            x = m(x)
        return x


class ModuleList(_Editable, Module):
    """A list of sub-modules, registered so their parameters are found."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    _of = staticmethod(lambda modules: ModuleList(modules))

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        return items[index]

    def __setitem__(self, index, module):
        _check_module("ModuleList.__setitem__", index, module)
        self._modules[str(self._index(index, "__setitem__"))] = module

    def append(self, module):
        _check_module("ModuleList.append", len(self), module)
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self
