"""docs/interop.md's examples run as printed (each block in a fresh namespace, in a
temporary folder; the blocks assert their own results)."""
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "interop.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_its_examples():
    assert len(BLOCKS) == 5
    assert "## Keras 3 `.keras` files" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_doc_example_runs(index, tmp_path, monkeypatch):
    block = BLOCKS[index]
    monkeypatch.setenv("KERAS_BACKEND", "torch")    # before importorskip imports Keras
    for module in re.findall(r"^(?:import|from) (\w+)", block, re.M):
        if module not in ("numpy", "retrograd"):
            pytest.importorskip(module, reason=f"docs/interop.md block {index + 1} needs "
                                               f"{module}")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, f"docs/interop.md block {index + 1}", "exec"), {})
