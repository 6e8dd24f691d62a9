"""``model.summary()``: Keras 3's table, drawn as its ``rich`` table is drawn.

The default width is Keras's, min(88, terminal columns − 4) — 76 when the output
is not a terminal — with columns at 45 % / 80 % / 100 % of it::

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ fc1 (Dense)                     │ (None, 10)             │         7,850 │
    ├─────────────────────────────────┼────────────────────────┼───────────────┤
    │ activation (Activation)         │ (None, 10)             │             0 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 7,850 (30.66 KB)
     Trainable params: 7,850 (30.66 KB)
     Non-trainable params: 0 (0.00 B)
"""
import shutil


def readable_size(nbytes):
    """Keras's memory sizes: 31400 → ``30.66 KB``."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes / 1024 < 1:
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} PB"


def column_widths(line_length, positions=(0.45, 0.80, 1.0)):
    """Widths of the cells (padding included) in a table of ``line_length``
    characters, borders included: the requested widths, then rich's even
    reduction of the excess."""
    widths, current = [], 0
    for pos in positions:
        w = int(pos * line_length) - current if pos <= 1 else int(pos) - current
        if w < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(w + 2)
        current += w
    excess = sum(widths) + len(widths) + 1 - line_length
    if excess > 0:      # rich's ratio_reduce with equal ratios
        remaining, ratio_left, out = excess, len(widths), []
        for w in widths:
            cut = min(w, round(remaining / ratio_left))
            out.append(w - cut)
            remaining -= cut
            ratio_left -= 1
        widths = out
    return widths


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split(" "):
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")" if shape is not None else "?"


def format_shapes(shapes, keys=None):
    """One output's shape, or Keras 3's cell for several: ``[(None, 3), (None, 2)]``,
    ``{cls: (None, 3), reg: (None, 2)}`` for a dict."""
    if len(shapes) == 1:
        return format_shape(shapes[0])
    cells = [format_shape(s) for s in shapes]
    if keys is not None:
        return "{" + ", ".join(f"{k}: {c}" for k, c in zip(keys, cells)) + "}"
    return "[" + ", ".join(cells) + "]"


def render(model_name, rows, trainable, non_trainable, itemsize=4, optimizer_count=None,
           line_length=None, positions=None, connections=False):
    """The summary's lines. ``rows``: (name (type), output shape, params) strings, and
    with ``connections`` a fourth, "Connected to" (Keras 3 adds it for a functional
    model that is not a plain chain, with a default width of 108, not 88)."""
    if line_length is None:
        line_length = min(108 if connections else 88, shutil.get_terminal_size().columns - 4)
    header = ("Layer (type)", "Output Shape", "Param #") + (("Connected to",) if connections
                                                              else ())
    default = (0.3, 0.56, 0.74, 1.0) if connections else (0.45, 0.80, 1.0)
    widths = column_widths(line_length, positions or default)
    inner = [w - 2 for w in widths]
    align = ("<", "<", ">", "<")

    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    def row(cells, bar):
        wrapped = [_wrap(c, w) for c, w in zip(cells, inner)]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = [f" {(c[i] if i < len(c) else ''):{a}{w}} "
                     for c, w, a in zip(wrapped, inner, align)]
            out.append(bar + bar.join(parts) + bar)
        return out

    lines = [f'Model: "{model_name}"', rule("┏", "┳", "┓", "━")]
    lines += row(header, "┃")
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, cells in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines += row(cells, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    total = trainable + non_trainable + (optimizer_count or 0)
    lines.append(f" Total params: {total:,} ({readable_size(total * itemsize)})")
    lines.append(f" Trainable params: {trainable:,} ({readable_size(trainable * itemsize)})")
    lines.append(f" Non-trainable params: {non_trainable:,} "
                 f"({readable_size(non_trainable * itemsize)})")
    if optimizer_count is not None:
        lines.append(f" Optimizer params: {optimizer_count:,} "
                     f"({readable_size(optimizer_count * itemsize)})")
    return lines
