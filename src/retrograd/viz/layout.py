"""A layered drawing of a graph, for machines without Graphviz.

The classic recipe (Sugiyama's), in its simplest form:

1. **layers** — longest path to the output: a node sits one layer before the
   latest of its consumers, so inputs sit next to the op that uses them;
2. **dummies** — an edge that spans several layers gets one invisible point per
   layer crossed, so it bends around the nodes instead of through them;
3. **order** — within a layer, nodes are sorted by the barycentre (mean
   position) of their neighbours in the previous layer, sweeping forwards and
   backwards and keeping the order with the fewest edge crossings;
4. **coordinates** — each node is pulled towards the mean position of its
   neighbours, subject to keeping its layer's order and a minimum gap (an
   isotonic regression, solved by pooling adjacent violators).

Positions are computed along the layers ("along") and across them ("across")
and mapped to x, y at the end, so left-to-right and top-to-bottom share code.
The result is a ``Scene`` of primitives (boxes, ellipses, text, curves, arrow
heads) that ``to_svg`` writes as text and ``to_png`` paints with matplotlib.
"""
from collections import namedtuple
from xml.sax.saxutils import escape

FONT_PX = 12            # label font size, in pixels
CHAR_W = 0.62 * FONT_PX  # monospace advance (DejaVu Sans Mono: 0.602 em) plus margin
LINE_H = 1.35 * FONT_PX
PAD = 8                 # text to border
LAYER_GAP = 46          # free space between two layers
NODE_GAP = 18           # free space between two nodes of a layer
MARGIN = 12
ARROW_LEN, ARROW_W = 9, 7
FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, monospace"
EDGE_COLOR = "#555555"
SWEEPS = 8
MAX_PIXELS = 25e6         # PNG size cap
MAX_DUMMIES = 20000

Scene = namedtuple("Scene", "width height items")
# items: ("box", cx, cy, w, h, fill, dashed) | ("ellipse", cx, cy, rx, ry, fill)
#        ("text", cx, cy, lines) | ("curve", start, [(c1, c2, end), ...])
#        ("arrow", (tip, left, right))


def _size(node):
    """Width and height of a node's shape in pixels, from its label."""
    w = max(len(s) for s in node.lines) * CHAR_W + 2 * PAD
    h = len(node.lines) * LINE_H + 2 * PAD
    if node.kind == "op":  # an ellipse holding the text's box: × √2, slightly flattened
        return w * 1.3 + 4, h * 1.25
    return w, h


def layers(n, edges):
    """Layer of each of ``n`` nodes (given in topological order) by longest path
    to a sink, numbered from the inputs: every edge goes to a later layer."""
    succ = [[] for _ in range(n)]
    for a, b in edges:
        succ[a].append(b)
    depth = [0] * n
    for v in range(n - 1, -1, -1):
        if succ[v]:
            depth[v] = max(depth[s] for s in succ[v]) + 1
    top = max(depth, default=0)
    return [top - d for d in depth]


def _crossings(order_a, order_b, pairs):
    """Number of crossing edges between two consecutive layers: with the edges
    sorted by their start, the pairs that arrive in the opposite order."""
    if len(pairs) < 2:
        return 0
    pos_a = {v: i for i, v in enumerate(order_a)}
    pos_b = {v: i for i, v in enumerate(order_b)}
    ends = [hi for _, hi in sorted((pos_a[a], pos_b[b]) for a, b in pairs)]
    tree, count, seen = [0] * (len(order_b) + 1), 0, 0
    for hi in ends:  # a Fenwick tree counts the earlier edges arriving further on
        k, below = hi + 1, 0
        while k > 0:
            below += tree[k]
            k -= k & -k
        count += seen - below
        seen += 1
        k = hi + 1
        while k < len(tree):
            tree[k] += 1
            k += k & -k
    return count


def _isotonic(y):
    """The non-decreasing sequence closest to ``y`` in least squares (PAV)."""
    blocks = []  # [mean, weight]
    for v in y:
        blocks.append([v, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    out = []
    for m, w in blocks:
        out.extend([m] * w)
    return out


def _place(desired, ext):
    """Across-positions closest to ``desired`` that keep the order and leave
    ``NODE_GAP`` between neighbours of extents ``ext``."""
    offs = [0.0]
    for i in range(1, len(ext)):
        offs.append(offs[-1] + (ext[i - 1] + ext[i]) / 2 + NODE_GAP)
    z = _isotonic([d - o for d, o in zip(desired, offs)])
    return [o + zi for o, zi in zip(offs, z)]


def scene(nodes, edges, rankdir="LR"):
    """Lay out ``nodes`` (topological order, each with ``id``, ``kind``, ``lines``,
    ``fill``, ``dashed``) and ``edges`` (id pairs) as a ``Scene``."""
    lr = rankdir == "LR"
    index = {n.id: i for i, n in enumerate(nodes)}
    e_idx = [(index[a], index[b]) for a, b in edges]
    n = len(nodes)
    sizes = [_size(v) for v in nodes]
    along_ext = [w if lr else h for w, h in sizes]
    across_ext = [h if lr else w for w, h in sizes]
    layer = layers(n, e_idx)

    # 2. dummies: each edge becomes a chain of virtual nodes, one per layer crossed.
    # A tensor used all along a deep graph would need (depth²) of them: past
    # MAX_DUMMIES, long edges are drawn straight over the layers instead.
    dummies = sum(layer[b] - layer[a] - 1 for a, b in e_idx) <= MAX_DUMMIES
    chains = []
    for a, b in e_idx:
        chain = [a]
        for lv in range(layer[a] + 1, layer[b]) if dummies else ():
            layer.append(lv)
            along_ext.append(0.0)
            across_ext.append(2.0)
            chain.append(len(layer) - 1)
        chain.append(b)
        chains.append(chain)
    total = len(layer)
    pred = [[] for _ in range(total)]
    succ = [[] for _ in range(total)]
    for chain in chains:
        for u, v in zip(chain, chain[1:]):
            succ[u].append(v)
            pred[v].append(u)
    n_layers = max(layer, default=0) + 1
    rows = [[] for _ in range(n_layers)]
    for v in range(total):  # real nodes in topological (DFS) order, then dummies
        rows[layer[v]].append(v)

    # 3. order by barycentres, keeping the best sweep.
    def cross_all(rs):
        return sum(_crossings(rs[i], rs[i + 1], [(u, v) for u in rs[i] for v in succ[u]
                                                 if layer[v] == i + 1])
                   for i in range(len(rs) - 1))

    best, best_c = [r[:] for r in rows], cross_all(rows)
    for sweep in range(SWEEPS if best_c else 0):
        down = sweep % 2 == 0
        seq = range(1, n_layers) if down else range(n_layers - 2, -1, -1)
        for li in seq:
            ref = rows[li - 1] if down else rows[li + 1]
            pos = {v: i for i, v in enumerate(ref)}
            cur = {v: i for i, v in enumerate(rows[li])}

            def key(v):
                nb = [pos[u] for u in (pred[v] if down else succ[v]) if u in pos]
                return sum(nb) / len(nb) if nb else cur[v]
            rows[li].sort(key=key)
        c = cross_all(rows)
        if c < best_c:
            best, best_c = [r[:] for r in rows], c
        if best_c == 0:
            break
    rows = best

    # 4. coordinates: layers along, nodes across, pulled towards their neighbours.
    layer_ext = [max((along_ext[v] for v in r), default=0.0) for r in rows]
    layer_pos, a = [], MARGIN
    for ext in layer_ext:
        layer_pos.append(a + ext / 2)
        a += ext + LAYER_GAP
    across = [0.0] * total
    for r in rows:
        for v, c in zip(r, _place([0.0] * len(r), [across_ext[u] for u in r])):
            across[v] = c
    for sweep in range(2 * SWEEPS):
        down = sweep % 2 == 0
        seq = range(n_layers) if down else range(n_layers - 1, -1, -1)
        for li in seq:
            r = rows[li]
            desired = []
            for v in r:
                nb = pred[v] + succ[v]
                desired.append(sum(across[u] for u in nb) / len(nb) if nb else across[v])
            for v, c in zip(r, _place(desired, [across_ext[u] for u in r])):
                across[v] = c
    lo = min(across[v] - across_ext[v] / 2 for v in range(total))
    across = [c - lo + MARGIN for c in across]
    along = [layer_pos[layer[v]] for v in range(total)]
    span_along = a - LAYER_GAP + MARGIN
    span_across = max(across[v] + across_ext[v] / 2 for v in range(total)) + MARGIN

    def xy(al, ac):
        return (al, ac) if lr else (ac, al)

    items = []
    # Edges first, so that the shapes are drawn over their ends.
    incoming, outgoing = [[] for _ in range(n)], [[] for _ in range(n)]
    for k, chain in enumerate(chains):
        incoming[chain[-1]].append(k)
        outgoing[chain[0]].append(k)

    def port(v, edges_here, k, neighbour):
        """Across-offset where edge k meets node v: a node's edges are spread
        along its side in the order of their other ends, so that x·x shows two
        edges and the inputs of an op do not meet in one point."""
        ks = sorted(edges_here, key=lambda j: (across[chains[j][neighbour]], j))
        slot = (ks.index(k) + 1) / (len(ks) + 1) - 0.5
        return slot * across_ext[v] * (0.7 if nodes[v].kind == "op" else 0.8)

    for k, chain in enumerate(chains):
        src, dst = chain[0], chain[-1]
        out_off = port(src, outgoing[src], k, 1)
        in_off = port(dst, incoming[dst], k, -2)
        start = (along[src] + _half_along(nodes[src], along_ext[src], out_off,
                                          across_ext[src]), across[src] + out_off)
        end_along = along[dst] - _half_along(nodes[dst], along_ext[dst], in_off,
                                             across_ext[dst])
        end = (end_along - ARROW_LEN, across[dst] + in_off)
        pts = [start] + [(along[v], across[v]) for v in chain[1:-1]] + [end]
        segs = []
        for (a0, c0), (a1, c1) in zip(pts, pts[1:]):
            m = (a1 - a0) / 2
            segs.append((xy(a0 + m, c0), xy(a1 - m, c1), xy(a1, c1)))
        items.append(("curve", xy(*start), segs))
        tip = xy(end_along, end[1])
        items.append(("arrow", (tip, xy(end[0], end[1] - ARROW_W / 2),
                                xy(end[0], end[1] + ARROW_W / 2))))
    for v, node in enumerate(nodes):
        cx, cy = xy(along[v], across[v])
        w, h = sizes[v]
        if node.kind == "op":
            items.append(("ellipse", cx, cy, w / 2, h / 2, node.fill))
        else:
            items.append(("box", cx, cy, w, h, node.fill, node.dashed))
        items.append(("text", cx, cy, list(node.lines)))
    width, height = xy(span_along, span_across)
    return Scene(width, height, items)


def _half_along(node, ext_along, off_across, ext_across):
    """Distance from a node's centre to its border along the layers, at an
    offset ``off_across`` from its centre line (an ellipse narrows off-centre)."""
    if node.kind != "op":
        return ext_along / 2
    r = min(abs(off_across) / (ext_across / 2), 1.0)
    return ext_along / 2 * (1 - r * r) ** 0.5


# -- writers ----------------------------------------------------------------------
def _n(v):
    return f"{v:.1f}".rstrip("0").rstrip(".")


def to_svg(scene):
    """The scene as a standalone SVG document (a string)."""
    w, h = scene.width, scene.height
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}" height="{_n(h)}" '
           f'viewBox="0 0 {_n(w)} {_n(h)}" font-family="{FONT_FAMILY}" '
           f'font-size="{FONT_PX}">',
           f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" fill="white"/>']
    for item in scene.items:
        kind = item[0]
        if kind == "curve":
            _, (x0, y0), segs = item
            d = f"M{_n(x0)},{_n(y0)}" + "".join(
                f" C{_n(a[0])},{_n(a[1])} {_n(b[0])},{_n(b[1])} {_n(c[0])},{_n(c[1])}"
                for a, b, c in segs)
            out.append(f'<path d="{d}" fill="none" stroke="{EDGE_COLOR}" '
                       'stroke-width="1.3"/>')
        elif kind == "arrow":
            pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in item[1])
            out.append(f'<polygon points="{pts}" fill="{EDGE_COLOR}"/>')
        elif kind == "box":
            _, cx, cy, bw, bh, fill, dashed = item
            dash = ' stroke-dasharray="4,3"' if dashed else ""
            out.append(f'<rect x="{_n(cx - bw / 2)}" y="{_n(cy - bh / 2)}" width="{_n(bw)}" '
                       f'height="{_n(bh)}" rx="3" fill="{fill}" stroke="#333333"{dash}/>')
        elif kind == "ellipse":
            _, cx, cy, rx, ry, fill = item
            out.append(f'<ellipse cx="{_n(cx)}" cy="{_n(cy)}" rx="{_n(rx)}" ry="{_n(ry)}" '
                       f'fill="{fill}" stroke="#333333"/>')
        else:
            _, cx, cy, lines = item
            y = cy - (len(lines) - 1) * LINE_H / 2
            for k, s in enumerate(lines):
                out.append(f'<text x="{_n(cx)}" y="{_n(y + k * LINE_H)}" text-anchor="middle" '
                           f'dominant-baseline="central">{escape(s)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(scene, path, dpi=150):
    """Paint the scene into a PNG file with matplotlib (Agg, no display needed)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Ellipse, FancyBboxPatch, PathPatch, Polygon
        from matplotlib.path import Path
    except ImportError:
        raise ImportError("viz.render: a PNG without Graphviz needs matplotlib "
                          "(pip install 'retrograd[plot]'); SVG needs nothing") from None
    px = 100.0  # scene pixels per inch
    # A huge graph would need gigabytes of pixels (and Agg refuses more than 2**16 a
    # side): lower its resolution to at most MAX_PIXELS; its SVG stays sharp.
    dpi = min(dpi, 60000 / max(scene.width, scene.height) * px,
              (MAX_PIXELS / (scene.width * scene.height)) ** 0.5 * px)
    fig = Figure(figsize=(scene.width / px, scene.height / px))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, scene.width)
    ax.set_ylim(scene.height, 0)
    ax.axis("off")
    pt = FONT_PX * 72 / px  # pixels → points at `px` pixels per inch
    add = ax.add_artist     # not add_patch: the limits are set, no need to recompute them
    for item in scene.items:
        kind = item[0]
        if kind == "curve":
            _, start, segs = item
            verts, codes = [start], [Path.MOVETO]
            for a, b, c in segs:
                verts += [a, b, c]
                codes += [Path.CURVE4] * 3
            add(PathPatch(Path(verts, codes), fill=False, edgecolor=EDGE_COLOR,
                                   linewidth=1.3 * 72 / px))
        elif kind == "arrow":
            add(Polygon(item[1], closed=True, facecolor=EDGE_COLOR,
                                 edgecolor="none"))
        elif kind == "box":
            _, cx, cy, w, h, fill, dashed = item
            add(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                                        boxstyle="round,pad=0,rounding_size=3",
                                        facecolor=fill, edgecolor="#333333",
                                        linewidth=72 / px, linestyle="--" if dashed else "-"))
        elif kind == "ellipse":
            _, cx, cy, rx, ry, fill = item
            add(Ellipse((cx, cy), 2 * rx, 2 * ry, facecolor=fill,
                                 edgecolor="#333333", linewidth=72 / px))
        else:
            _, cx, cy, lines = item
            ax.text(cx, cy, "\n".join(lines), ha="center", va="center", fontsize=pt,
                    family="DejaVu Sans Mono", linespacing=LINE_H / FONT_PX)
    fig.savefig(path, format="png", dpi=dpi, facecolor="white")
