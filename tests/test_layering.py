"""The package imports in one direction (issue 20): no module's top-level imports lead
back to itself, so a reader meets the core floor by floor — backend → tensor →
function → engine → ops → methods → nn → optim → data → keras / course / viz / cli."""
import ast
import pathlib

import retrograd

ROOT = pathlib.Path(retrograd.__file__).parent


def modules():
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def top_level_imports(name, path, known):
    """The retrograd modules that ``name`` imports when it is itself imported."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            deps.update(subs if len(subs) == len(node.names) else subs + [target])
        elif isinstance(node, ast.Import):
            deps.update(a.name for a in node.names)
    return {d for d in deps if d in known and d != name}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    known = modules()
    graph = {name: top_level_imports(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_the_core_imports_downwards():
    known = modules()
    core = ["retrograd.backend", "retrograd.printing", "retrograd.tensor", "retrograd.function",
            "retrograd.engine"]
    for i, name in enumerate(core):
        deps = top_level_imports(name, known[name], known)
        assert deps <= set(core[:i]), (name, deps - set(core[:i]))


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
