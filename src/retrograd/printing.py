"""How tensors print: ``retrograd.set_printoptions``, PyTorch's options over NumPy's
``array2string``.

``precision`` digits after the point, ``threshold`` elements before the middle is
summarised as ``...`` with ``edgeitems`` kept at each end, ``linewidth`` characters a
line, ``sci_mode`` True (always scientific), False (never) or None (NumPy's choice);
``profile`` "default", "short" or "full" sets the first three at once, as PyTorch's.
"""
import numpy as np

_DEFAULT = {"precision": 4, "threshold": 200, "edgeitems": 3, "linewidth": 80,
            "sci_mode": None}
_PROFILES = {"default": dict(_DEFAULT), "short": {"precision": 2, "threshold": 200,
                                                  "edgeitems": 2},
             "full": {"precision": 4, "threshold": float("inf"), "edgeitems": 3}}
OPTIONS = dict(_DEFAULT)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """PyTorch's ``torch.set_printoptions`` (retrograd's default threshold is 200
    elements, PyTorch's 1000)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of "
                             f"{sorted(_PROFILES)}, got {profile!r}")
        OPTIONS.update(_PROFILES[profile])
        if profile == "default":
            OPTIONS.update(_DEFAULT)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            OPTIONS[name] = value
    OPTIONS["sci_mode"] = sci_mode


def array_text(array, prefix):
    """The array as ``tensor(...)``'s body, under the options."""
    o = OPTIONS
    formatter = None
    if o["sci_mode"] and array.dtype.kind == "f":
        formatter = {"float_kind": lambda v: np.format_float_scientific(
            v, precision=o["precision"], unique=False)}
    threshold = o["threshold"]
    return np.array2string(array, separator=", ", precision=o["precision"], prefix=prefix,
                           threshold=threshold if threshold != float("inf") else
                           np.iinfo(np.int64).max, edgeitems=o["edgeitems"],
                           max_line_width=o["linewidth"], formatter=formatter,
                           suppress_small=o["sci_mode"] is False)
