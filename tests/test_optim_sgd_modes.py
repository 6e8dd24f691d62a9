"""The course's claim, on the example: at an equal number of per-sample gradient
computations, online and mini-batch SGD reach a lower loss than full-batch GD."""
import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sgd_modes.py"


def load_example():
    spec = importlib.util.spec_from_file_location("sgd_modes", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sgd_beats_full_batch_at_equal_computations(tmp_path):
    out = tmp_path / "modes.png"
    results = load_example().main(["--data", "synthetic", "--n", "240", "--epochs", "3",
                                   "--batch-size", "16", "--out", str(out)])
    assert out.stat().st_size > 1000 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (full_c, full), (online_c, online), (mini_c, mini) = results.values()
    budget = 3 * 240
    # Every mode spent exactly the same budget, counted sample by sample.
    assert full_c[-1] == online_c[-1] == mini_c[-1] == budget
    assert full[0] == online[0] == mini[0]                  # same start (θ = 0)
    assert online[-1] < full[-1] and mini[-1] < full[-1]
    # And at each full pass over the data, not only at the end.
    for c, l in ((online_c, online), (mini_c, mini)):
        for k in (1, 2):
            at = np.interp(k * 240, c, l)
            assert at < full[list(full_c).index(k * 240)]
