"""retrograd.viz.graph: the graph behind a tensor as DOT, SVG and PNG; and the
runnable snippets of docs/autodiff.md and docs/extending.md."""
import importlib
import importlib.util
import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import retrograd as rg
from retrograd import viz
from retrograd.viz import layout

# The module, not the function `viz.graph` that the package re-exports under its name.
graph_module = importlib.import_module("retrograd.viz.graph")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HAS_DOT = graph_module.shutil.which("dot") is not None
COURSE = ["q = 3", "f = -12", "∂f/∂x = -4", "∂f/∂y = -4", "∂f/∂z = 3", "∂f/∂q = -4"]
SVG_NS = "{http://www.w3.org/2000/svg}"


def course_example(retain_q=True, capture_first=True):
    """f = (x + y) · z at x=−2, y=5, z=−4, named; returns (graph, tensors)."""
    x = rg.tensor(-2.0, requires_grad=True)
    y = rg.tensor(5.0, requires_grad=True)
    z = rg.tensor(-4.0, requires_grad=True)
    q = x + y
    if retain_q:
        q.retain_grad()
    f = q * z
    for t, name in ((x, "x"), (y, "y"), (z, "z"), (q, "q"), (f, "f")):
        t.name = name
    if capture_first:
        g = viz.graph(f)
        f.backward()
    else:
        f.backward(retain_graph=True)
        g = viz.graph(f)
    return g, dict(x=x, y=y, z=z, q=q, f=f)


def dot_nodes_and_edges(source):
    """{id: label} and [(src_label, dst_label)] parsed from our DOT source."""
    labels = dict(re.findall(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"', source, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+);", source, re.M)
    return labels, [(labels[a], labels[b]) for a, b in edges]


def svg_texts(svg):
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(SVG_NS + "text")]


# -- capture and DOT --------------------------------------------------------------
@pytest.mark.parametrize("capture_first", [True, False], ids=["captured", "retain_graph"])
def test_course_example_numbers_in_dot(capture_first):
    g, _ = course_example(capture_first=capture_first)
    src = g.source
    assert src.startswith("digraph")
    for text in COURSE:
        assert text in src, text
    labels, edges = dot_nodes_and_edges(src)
    assert sorted(labels.values()) == sorted([
        "x = -2\\n∂f/∂x = -4", "y = 5\\n∂f/∂y = -4", "z = -4\\n∂f/∂z = 3",
        "q = 3\\n∂f/∂q = -4", "f = -12", "Add", "Mul"])
    # Edges follow the data: inputs → op → output.
    assert sorted(edges) == sorted([
        ("x = -2\\n∂f/∂x = -4", "Add"), ("y = 5\\n∂f/∂y = -4", "Add"),
        ("Add", "q = 3\\n∂f/∂q = -4"), ("q = 3\\n∂f/∂q = -4", "Mul"),
        ("z = -4\\n∂f/∂z = 3", "Mul"), ("Mul", "f = -12")])


def test_gradients_appear_once_computed():
    x = rg.tensor(-2.0, requires_grad=True); x.name = "x"
    f = x * 3.0; f.name = "f"
    g = viz.graph(f)
    assert "∂" not in g.source            # nothing computed yet
    f.backward()
    assert "∂f/∂x = 3" in g.source        # read from x.grad when asked


def test_freed_graph_raises_clear_error():
    x = rg.tensor(2.0, requires_grad=True)
    f = (x * x).exp()
    f.backward()
    with pytest.raises(RuntimeError, match=r"Exp was freed by backward.*retain_graph=True"):
        viz.graph(f)


def test_intermediate_gradient_only_with_retain_grad():
    g, _ = course_example(retain_q=False)
    assert "q = 3" in g.source and "∂f/∂q" not in g.source
    assert "∂f/∂x = -4" in g.source


def test_show_grad_false_and_unnamed_labels():
    g, t = course_example(capture_first=False)     # backward(retain_graph=True)
    assert "∂" not in viz.graph(t["f"], show_grad=False).source
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    out = (a * a).sum()
    out.backward(retain_graph=True)
    labels, _ = dot_nodes_and_edges(viz.graph(out).source)
    assert "(2,)\\n[1, 2]\\ngrad = [2, 4]" in labels.values()   # unnamed: "grad"
    assert "5" in labels.values()                             # scalar output: its value


def test_large_tensors_show_shape_dtype_and_gradient_norm():
    w = rg.tensor(np.ones((3, 4)), requires_grad=True); w.name = "W"   # float64
    loss = (w * 2.0).sum(); loss.name = "loss"
    g = viz.graph(loss)
    loss.backward()
    labels, _ = dot_nodes_and_edges(g.source)
    assert "W (3, 4) float64\\n‖∂loss/∂W‖ = 6.928" in labels.values()  # ‖2·1‖ over 12 = √48


def test_constants_and_repeated_inputs():
    x = rg.tensor(3.0, requires_grad=True); x.name = "x"
    y = x * x * 2.0
    src = viz.graph(y).source
    labels, edges = dot_nodes_and_edges(src)
    assert edges.count(("x = 3", "Mul")) == 2                # x·x: two edges
    const = [i for i, lab in labels.items() if lab == "2"]
    assert len(const) == 1
    assert re.search(rf'{const[0]} \[.*style="filled,dashed"', src)  # no grad: dashed


def test_shared_subexpressions_are_one_node():
    x = rg.tensor(0.5, requires_grad=True); x.name = "x"
    a = x * 2.0
    b = a + a.exp()           # a feeds two ops, x reaches b along two paths
    g = viz.graph(b * a)
    tensors = [n.tensor for n in g.nodes if n.kind == "tensor"]
    assert len(tensors) == len({id(t) for t in tensors}) == 6   # x, 2, a, exp(a), b, b·a
    assert [n.op_name for n in g.nodes if n.kind == "op"].count("Mul") == 2
    # nodes come inputs first: every edge points to a later node
    pos = {n.id: i for i, n in enumerate(g.nodes)}
    assert all(pos[u] < pos[v] for u, v in g.edges)


def test_leaf_only_graph_and_bad_arguments():
    t = rg.tensor([1.0, 2.0])
    g = viz.graph(t)
    assert len(g.nodes) == 1 and g.edges == []
    with pytest.raises(TypeError, match="expected a Tensor, got ndarray"):
        viz.graph(np.ones(2))
    with pytest.raises(ValueError, match="rankdir must be 'LR' or 'TB', got 'RL'"):
        viz.graph(t, rankdir="RL")


def test_deep_chain_does_not_recurse():
    x = rg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(30_000):
        y = y * 1.0
    g = viz.graph(y)
    assert len(g.nodes) == 1 + 30_000 * 3   # x, and per Mul: its constant, the op, its output
    assert len(g.edges) == 30_000 * 3


def test_dot_escapes_quotes():
    x = rg.tensor(1.0, requires_grad=True); x.name = 'say "hi" \\ bye'
    src = viz.graph(x + 1.0).source
    assert 'say \\"hi\\" \\\\ bye = 1' in src



# -- fused nodes drawn as the course's ops -----------------------------------------------
def drawn(g):
    """What the picture shows, whatever order the nodes were visited in: the node
    labels and the labelled edges, sorted."""
    labels, edges = dot_nodes_and_edges(g.source)
    return sorted(labels.values()), sorted(edges)


def course_mlp():
    """The course's two-layer perceptron; one sample, so that most values fit on
    their node (at most 4 numbers are shown)."""
    rg.manual_seed(0)
    model = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.Tanh(), rg.nn.Linear(3, 1))
    for p, name in zip(model.parameters(), ("W1", "b1", "W2", "b2")):
        p.name = name
    x = rg.tensor([[0.5, -1.0]]); x.name = "x"
    return model, x


def test_sequential_is_drawn_as_its_layers_ops_not_one_chain():
    """nn.Sequential runs Linear → Tanh → Linear as one Chain node (ops/chain.py);
    the drawing shows the ops inside it, each Linear as x Wᵀ + b, W and b as leaves."""
    model, x = course_mlp()
    out = model(x)
    assert out._op.name == "Chain(Linear → Tanh → Linear)"   # what the graph holds
    g = viz.graph(out)
    ops = [n.op_name for n in g.nodes if n.kind == "op"]
    assert ops == ["Transpose", "MatMul", "Add", "Tanh", "Transpose", "MatMul", "Add"]
    assert not any("Chain" in line for n in g.labelled_nodes() for line in n.lines)
    labels, edges = dot_nodes_and_edges(g.source)
    w1, b1 = model[0].weight.numpy(), model[0].bias.numpy()
    h = np.tanh(np.array([[0.5, -1.0]], np.float32) @ w1.T + b1)
    assert graph_module._fmt(h) in [lab.split("\\n")[-1] for lab in labels.values()]
    assert ("b1 (3,)\\n" + graph_module._fmt(b1), "Add") in edges
    # fused=True draws the nodes the engine runs
    fused = [n.op_name for n in viz.graph(out, fused=True).nodes if n.kind == "op"]
    assert fused == ["Chain(Linear → Tanh → Linear)"]


def test_sequential_drawn_as_without_fusion_and_as_written_by_hand():
    """The same picture, values and gradients included, for the fused Sequential,
    the Sequential with fusion off (anomaly mode runs one node per layer) and
    the formula written out: (x W1ᵀ + b1).tanh() W2ᵀ + b2."""
    model, x = course_mlp()
    w1, b1, w2, b2 = model.parameters()

    def picture(forward):
        model.zero_grad()
        loss = forward(x).sum(); loss.name = "loss"
        g = viz.graph(loss)
        loss.backward()
        assert "∂loss/∂W1" in g.source and "∂loss/∂b2 = [1]" in g.source
        return drawn(g)

    fused = picture(model)
    with rg.detect_anomaly():
        unfused = picture(model)
    by_hand = picture(lambda x: (x @ w1.T + b1).tanh() @ w2.T + b2)
    assert fused == unfused == by_hand



def test_chain_drawn_on_the_gpu(fake_cuda):
    """The values inside a chain are recomputed where the model lives (here the fake
    CuPy) and read back for the labels: the same picture as on the CPU."""
    model, x = course_mlp()
    on_cpu = drawn(viz.graph(model(x)))
    model.to("cuda")
    x = x.to("cuda"); x.name = "x"
    out = model(x)
    assert out.device == "cuda" and out._op.name.startswith("Chain")
    assert drawn(viz.graph(out)) == on_cpu

def test_dense_is_drawn_as_x_w_plus_b():
    rg.manual_seed(0)
    layer = rg.nn.Dense(2, input_dim=3)
    x = rg.tensor([[1.0, 2.0, 3.0]])
    assert drawn(viz.graph(layer(x))) == drawn(viz.graph(x @ layer.kernel + layer.bias))


def test_values_inside_a_chain_are_hidden_once_they_would_be_wrong():
    """The values inside a chain are recomputed from its inputs when the graph is
    captured; parameters changed since the forward pass would give other numbers
    than the ones computed: then only the shapes are shown."""
    model, x = course_mlp()
    out = model(x)
    model[0].bias.array += 1.0     # as an optimizer step would
    g = viz.graph(out)
    inner = [tuple(n.lines) for n in g.labelled_nodes()
             if n.kind == "tensor" and not isinstance(n.tensor, rg.Tensor)]
    # W1ᵀ, x W1ᵀ, + b1, tanh, W2ᵀ, h W2ᵀ: shapes alone
    assert sorted(inner) == [("(1, 1)",)] + [("(1, 3)",)] * 3 + [("(2, 3)",), ("(3, 1)",)]
    assert out.numpy().item() != 0 and graph_module._fmt(out.numpy()) in g.source
    # with the parameters as they were, the values show again
    model[0].bias.array -= 1.0
    assert not any(len(n.lines) == 1 and n.lines[0] == "(1, 3)"
                   for n in viz.graph(out).labelled_nodes())

# -- own layered layout ----------------------------------------------------------------
def test_layers_follow_edges():
    #  0 → 2 → 3 → 4, 1 → 4: 1 sits next to its consumer, not at the start
    assert layout.layers(5, [(0, 2), (2, 3), (3, 4), (1, 4)]) == [0, 2, 1, 2, 3]
    assert layout.layers(1, []) == [0]


def test_crossings_and_isotonic():
    assert layout._crossings([0, 1], [2, 3], [(0, 3), (1, 2)]) == 1
    assert layout._crossings([0, 1], [2, 3], [(0, 2), (1, 3)]) == 0
    assert layout._crossings([0, 1, 2], [3, 4, 5], [(0, 5), (1, 4), (2, 3)]) == 3
    assert layout._isotonic([3.0, 1.0, 2.0]) == [2.0, 2.0, 2.0]
    assert layout._isotonic([1.0, 3.0, 2.0, 4.0]) == [1.0, 2.5, 2.5, 4.0]
    pos = layout._place([0.0, 0.0, 100.0], [10.0, 10.0, 10.0])
    assert pos[1] - pos[0] >= 10 + layout.NODE_GAP - 1e-9 and pos[2] == pytest.approx(100)


def shapes_of(scene):
    """(kind, x0, y0, x1, y1) bounding boxes of the node shapes."""
    out = []
    for item in scene.items:
        if item[0] == "box":
            _, cx, cy, w, h = item[:5]
            out.append(("box", cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        elif item[0] == "ellipse":
            _, cx, cy, rx, ry = item[:5]
            out.append(("ellipse", cx - rx, cy - ry, cx + rx, cy + ry))
    return out


def on_border(p, shape, tol=1.0):
    """Whether point p lies on the border of a shape from ``shapes_of``."""
    kind, x0, y0, x1, y1 = shape
    if kind == "ellipse":
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        return abs(((p[0] - cx) / rx) ** 2 + ((p[1] - cy) / ry) ** 2 - 1) < tol / min(rx, ry) * 2
    inside = x0 - tol <= p[0] <= x1 + tol and y0 - tol <= p[1] <= y1 + tol
    return inside and min(abs(p[0] - x0), abs(p[0] - x1), abs(p[1] - y0), abs(p[1] - y1)) < tol


def mlp_graph():
    rg.manual_seed(0)
    x = rg.randn(4, 3, requires_grad=True); x.name = "x"
    w = rg.randn(2, 3, requires_grad=True); w.name = "W"
    b = rg.zeros(2, requires_grad=True); b.name = "b"
    h = (x @ w.T + b).relu()
    loss = (h * h).sum() + (x.sum() * 0.5).exp() + (w * w).sum() * 0.01
    loss.name = "loss"
    return viz.graph(loss)


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_scene_is_readable(rankdir):
    """Nodes do not overlap, stay inside the canvas, and every arrow points the
    way the data flows (right in LR, down in TB), ending at its target."""
    g = mlp_graph()
    sc = layout.scene(g.labelled_nodes(), g.edges, rankdir)
    shapes = shapes_of(sc)
    assert len(shapes) == len(g.nodes)
    for i, a in enumerate(shapes):
        assert a[1] >= 0 and a[2] >= 0 and a[3] <= sc.width and a[4] <= sc.height
        for b in shapes[i + 1:]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, (a, b)
    curves = [it for it in sc.items if it[0] == "curve"]
    arrows = [it for it in sc.items if it[0] == "arrow"]
    assert len(curves) == len(arrows) == len(g.edges)
    k = 0 if rankdir == "LR" else 1
    for (_, start, segs), (_, (tip, _, _)) in zip(curves, arrows):
        assert tip[k] > start[k]
        # the curve leaves one node's border, its arrow head touches another's
        assert sum(on_border(start, s) for s in shapes) == 1, start
        assert sum(on_border(tip, s) for s in shapes) == 1, tip
        assert segs[-1][2][k] == pytest.approx(tip[k] - layout.ARROW_LEN)


def test_course_scene_layers_left_to_right():
    g, t = course_example()
    nodes = g.labelled_nodes()
    sc = layout.scene(nodes, g.edges, "LR")
    centre = {n.id: (it[1], it[2]) for n, it in
              zip(nodes, [it for it in sc.items if it[0] in ("box", "ellipse")])}
    ids = {n.tensor.name if n.tensor is not None else n.op_name: n.id for n in nodes}
    x_of = {k: centre[v][0] for k, v in ids.items()}
    assert x_of["x"] == x_of["y"] < x_of["Add"] < x_of["q"] == x_of["z"] < x_of["Mul"] < x_of["f"]


def test_layered_svg_is_valid_and_shows_the_numbers(tmp_path):
    g, _ = course_example()
    path = g.render(tmp_path / "bp.svg", engine="layered")
    svg = Path(path).read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    assert len(list(root.iter(SVG_NS + "ellipse"))) == 2                 # Add, Mul
    assert len(list(root.iter(SVG_NS + "rect"))) == 5 + 1                # tensors + background
    assert len(list(root.iter(SVG_NS + "polygon"))) == len(g.edges) == 6  # arrow heads
    texts = svg_texts(svg)
    for text in COURSE + ["Add", "Mul"]:
        assert text in texts, text
    assert g._repr_svg_() == svg


def test_layered_png_headless(tmp_path):
    pytest.importorskip("matplotlib")
    g = mlp_graph()
    path = g.render(tmp_path / "mlp.png", engine="layered")
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    sc = layout.scene(g.labelled_nodes(), g.edges, "LR")
    assert width == pytest.approx(sc.width * 1.5, abs=2)   # 150 dpi for 100 px/inch
    assert height == pytest.approx(sc.height * 1.5, abs=2)
    assert len(data) < 200_000


def test_png_without_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    g, _ = course_example()
    with pytest.raises(ImportError, match=r"needs matplotlib.*SVG needs nothing"):
        g.render(tmp_path / "bp.png", engine="layered")
    g.render(tmp_path / "bp.svg", engine="layered")   # SVG still works


def test_render_arguments(tmp_path, monkeypatch):
    g, _ = course_example()
    with pytest.raises(ValueError, match=r"format must be one of \('svg', 'png'\), got 'pdf'"):
        g.render(tmp_path / "bp.pdf")
    with pytest.raises(ValueError, match="engine must be one of .* got 'neato'"):
        g.render(tmp_path / "bp.svg", engine="neato")
    # format overrides the extension
    g.render(tmp_path / "bp.out", format="svg", engine="layered")
    assert ET.fromstring((tmp_path / "bp.out").read_text(encoding="utf-8")) is not None
    # without dot: "auto" falls back to the own layout, "dot" explains
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    g.render(tmp_path / "auto.svg")
    assert (tmp_path / "auto.svg").read_text(encoding="utf-8") == g._repr_svg_()
    with pytest.raises(RuntimeError, match="'dot' program is not on PATH"):
        g.render(tmp_path / "dot.svg", engine="dot")


def test_render_graph_shorthand(tmp_path):
    g, t = course_example(capture_first=False)
    path = viz.render_graph(t["f"], tmp_path / "f.svg", engine="layered")
    assert "∂f/∂z = 3" in svg_texts(Path(path).read_text(encoding="utf-8"))


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_dot_engine(tmp_path, fmt):
    g, _ = course_example()
    path = g.render(tmp_path / f"bp.{fmt}", engine="dot")
    data = Path(path).read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        svg = data.decode("utf-8")
        assert "graphviz" in svg.lower()
        texts = svg_texts(svg)   # one <text> per label line; "&#45;" is read as "-"
        for text in COURSE:
            assert text in texts, text


# -- the committed figure and the docs -------------------------------------------------------
def test_committed_figure_is_current(tmp_path):
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location(
        "make_backprop_graph", DOCS / "figures" / "make_backprop_graph.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    svg_path, png_path = script.make(str(tmp_path))
    fresh = Path(svg_path).read_text(encoding="utf-8")
    committed = (DOCS / "figures" / "backprop_graph.svg").read_text(encoding="utf-8")
    assert fresh == committed, "run python docs/figures/make_backprop_graph.py"
    texts = svg_texts(committed)
    for text in COURSE:
        assert text in texts, text
    png = (DOCS / "figures" / "backprop_graph.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 200_000
    assert struct.unpack(">II", png[16:24]) == struct.unpack(">II", Path(png_path).read_bytes()[16:24])


def run_python_blocks(md, tmp_path, monkeypatch):
    """Execute a document's ```python blocks in order, in one namespace."""
    text = (DOCS / md).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(Path(__file__).parent))   # for `from harness import`
    namespace = {"__name__": f"docs_{md}"}
    for k, block in enumerate(blocks):
        exec(compile(block, f"{md} block {k + 1}", "exec"), namespace)
    return namespace


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_autodiff_doc_snippets_run(tmp_path, monkeypatch):
    ns = run_python_blocks("autodiff.md", tmp_path, monkeypatch)
    assert (ns["fwd_calls"], ns["rev_calls"]) == (5, 1)
    assert (tmp_path / "backprop.svg").exists()
    assert "figures/backprop_graph.svg" in (DOCS / "autodiff.md").read_text(encoding="utf-8")


def test_extending_doc_example_runs(tmp_path, monkeypatch):
    ns = run_python_blocks("extending.md", tmp_path, monkeypatch)
    hypot = ns["hypot"]
    assert issubclass(ns["Hypot"], rg.Function)
    # the documented op works through the whole system: graph, anomaly mode
    a = rg.tensor([3.0], requires_grad=True); a.name = "a"
    y = hypot(a, rg.tensor(4.0))
    assert "Hypot" in viz.graph(y).source
    zero = rg.tensor([0.0], requires_grad=True)
    with pytest.raises(rg.AnomalyError, match="Hypot produced NaN/Inf in its backward"):
        with np.errstate(invalid="ignore"), rg.detect_anomaly():
            hypot(zero, rg.tensor(0.0)).sum().backward()
