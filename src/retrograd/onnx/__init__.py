"""``retrograd.onnx``: models exported to ONNX, to run them with onnxruntime, in a
browser, on a phone, or in any framework that reads ONNX (docs/interop.md).

``export(model, args, path)`` traces one forward pass of an ``nn.Module`` or a
``retrograd.keras`` model (``export.py``) and writes each op through its converter
(``converters.py``). Needs the optional ``onnx`` library (pip install
retrograd[interop]); it is imported at the first export, not with retrograd.

>>> retrograd.onnx.export(model, rg.randn(1, 4), "model.onnx")
"""
from ..missing import NotSupportedError
from .converters import converts
from .export import export

__all__ = ["export", "converts", "NotSupportedError"]
