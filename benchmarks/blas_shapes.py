"""The BLAS products of a training step at its own shapes, in every orientation.

    python benchmarks/blas_shapes.py            # OpenBLAS threads: 1 and 2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/blas_shapes.py

For each layer shape of the mlp and deep workloads (batch 128): the three products
of a step as retrograd computes them (x Wᵀ, G W, Gᵀ X, W stored (out, in)) and with
the activations kept transposed (W Xᵀ, Wᵀ Gᵀ, Gᵀ X); then the online step's
matrix-vector product and rank-one update (does OpenBLAS use both threads?), the SGD
update through BLAS axpy against NumPy, ReLU against a row of zeros or the scalar 0, and
the forward product at four alignments of its operands. Best of 9 × 100 calls, µs.
"""
import os
import subprocess
import sys
import timeit


def child(threads):
    import numpy as np
    from retrograd.backend import axpy, ger
    rng = np.random.default_rng(0)

    def best(stmt, n=100, **names):
        return min(timeit.repeat(stmt, globals=names, number=n, repeat=9)) / n * 1e6

    print(f"== {threads} thread(s)")
    for i, o in ((784, 512), (512, 512), (500, 500)):
        w = rng.standard_normal((o, i)).astype(np.float32)
        x = rng.standard_normal((128, i)).astype(np.float32)
        g = rng.standard_normal((128, o)).astype(np.float32)
        xt, gt = np.ascontiguousarray(x.T), np.ascontiguousarray(g.T)
        now = [best(s, w=w, x=x, g=g) for s in ("x @ w.T", "g @ w", "g.T @ x")]
        tr = [best(s, w=w, xt=xt, gt=gt) for s in ("w @ xt", "w.T @ gt", "gt @ xt.T")]
        print(f"{i}->{o}, batch 128: x Wᵀ {now[0]:.0f}, G W {now[1]:.0f}, Gᵀ X {now[2]:.0f} "
              f"= {sum(now):.0f} | transposed: W Xᵀ {tr[0]:.0f}, Wᵀ Gᵀ {tr[1]:.0f}, "
              f"Gᵀ X {tr[2]:.0f} = {sum(tr):.0f}")
    w = rng.standard_normal((512, 784)).astype(np.float32)
    u, v = rng.standard_normal(512).astype(np.float32), rng.standard_normal(784).astype(np.float32)
    print(f"online, 512×784: W v {best('w @ v', n=2000, w=w, v=v):.1f}, "
          f"ger {best('ger(-0.01, u, v, w)', n=2000, ger=ger, u=u, v=v, w=w):.1f}")
    g = rng.standard_normal((512, 784)).astype(np.float32)
    print(f"SGD update of 512×784: BLAS axpy {best('axpy(-0.01, g, w)', axpy=axpy, g=g, w=w):.1f}, "
          f"NumPy w += -0.01 g {best('np.add(w, np.float32(-0.01) * g, out=w)', np=np, g=g, w=w):.1f}")
    s = rng.standard_normal((128, 512)).astype(np.float32)
    print(f"ReLU of 128×512: maximum(s, zeros row) "
          f"{best('np.maximum(s, z)', np=np, s=s, z=np.zeros(512, np.float32)):.1f}, "
          f"maximum(s, 0) {best('np.maximum(s, 0)', np=np, s=s):.1f}")
    for off in (0, 16, 32, 48):
        def at(shape):
            n = shape[0] * shape[1]
            buf = np.empty(n + 64, np.float32)
            k = (-buf.ctypes.data % 64) // 4 + off // 4
            a = buf[k:k + n].reshape(shape)
            a[...] = rng.standard_normal(shape)
            return a
        print(f"x Wᵀ (784->512) with operands {off} bytes off a cache line: "
              f"{best('x @ w.T', x=at((128, 784)), w=at((512, 784))):.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(int(sys.argv[1]))
    else:
        for threads in (1, 2):
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
            subprocess.run([sys.executable, __file__, str(threads)], env=env, check=True)
