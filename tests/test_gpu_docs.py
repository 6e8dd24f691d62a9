"""docs/gpu.md's examples run as printed, on device "cuda" (the fake CuPy on every
machine, the real one where CuPy sees a GPU)."""
import re
from pathlib import Path

import numpy as np

DOC = Path(__file__).resolve().parents[1] / "docs" / "gpu.md"


def test_gpu_doc_examples_run_on_the_device(gpu, capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    rng = np.random.default_rng(0)
    x_train = rng.random((256, 784), dtype=np.float32)
    y_train = rng.integers(0, 10, 256)
    ns = {"x_train": x_train, "y_train": y_train}
    exec(compile(blocks[0], "gpu.md block 1", "exec"), ns)   # the plain loop
    assert {p.device for p in ns["model"].parameters()} == {"cuda"}
    assert np.isfinite(float(capsys.readouterr().out))      # print(loss.item())
    from retrograd import keras
    model = keras.Sequential([keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    exec(compile(blocks[1], "gpu.md block 2", "exec"), {**ns, "model": model})
    assert {p.device for p in model.parameters()} == {"cuda"}
