"""L-BFGS: a quasi-Newton method that re-evaluates the loss through a closure."""
import numpy as np

from ..backend import array_module
from ..function import enable_grad, mark_modified, no_grad, now
from .optimizer import Optimizer, check_lr


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), kept in
    ``bounds`` (default: between x1 and x2); their middle if the cubic has none."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square ** 0.5
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A step t along d meeting the strong Wolfe conditions (sufficient decrease
    f(x + t d) ≤ f + c₁ t gᵀd and curvature |∇f(x + t d)ᵀd| ≤ c₂ |gᵀd|): bracket, then
    zoom by cubic interpolation (Nocedal & Wright, alg. 3.5–3.6, as minFunc and
    PyTorch). Returns (f_new, g_new, t, evaluations)."""
    d_norm = float(abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
        bracket_gtd = [gtd, gtd_new]
    # zoom
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # A step too close to a bracket end makes no progress: move it 10% inside.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    """L-BFGS (Nocedal), as ``torch.optim.LBFGS``: ``step(closure)`` runs up to
    ``max_iter`` iterations, each a direction d = −H g from the last
    ``history_size`` pairs (s = Δθ, y = Δg) by the two-loop recursion, then a step
    of ``lr`` along it, or of the strong-Wolfe line search's length with
    ``line_search_fn="strong_wolfe"``. ``closure()`` clears the gradients,
    computes the loss, calls ``backward`` and returns the loss; it is called
    several times per step. One parameter group only.

    >>> opt = LBFGS([img], lr=1, line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad(); loss = f(img); loss.backward(); return loss
    >>> opt.step(closure)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options "
                             "(parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check(self, group):
        check_lr(group["lr"], "LBFGS")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported as "
                               f"line_search_fn, got {group['line_search_fn']!r}")
        for name in ("max_iter", "max_eval", "history_size"):
            v = group[name]
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"LBFGS: {name} must be an integer >= 1, got {name}={v!r}")

    def add_param_group(self, group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options "
                             "(parameter groups)")
        super().add_param_group(group)

    def _gather_flat_grad(self):
        xp = array_module(self._params[0].array)
        return xp.concatenate([xp.zeros(p.array.size, p.array.dtype) if p.grad is None
                               else p.grad.array.reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update):
        offset, when = 0, now()
        for p in self._params:
            n = p.array.size
            p.array += (update[offset:offset + n] * step_size).reshape(p.array.shape) \
                .astype(p.array.dtype, copy=False)
            mark_modified(p, when)
            offset += n

    def _set_param(self, params_data):
        when = now()
        for p, data in zip(self._params, params_data):
            p.array[...] = data
            mark_modified(p, when)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` iterations; returns the loss of the first
        ``closure()`` call (as PyTorch)."""
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that re-evaluates the model "
                               "and returns the loss (step(closure))")
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if abs(flat_grad).max() <= tolerance_grad:      # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)                          # yᵀs > 0 keeps H positive definite
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)             # the initial Hessian's scale
                # two-loop recursion: d = −H g
                num_old = len(old_dirs)
                al = [None] * num_old
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q = q - old_dirs[i] * al[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += old_stps[i] * (al[i] - be_i)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:                # not a descent direction
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = [p.array.copy() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    def state_dict(self):
        """``{"state": {0: the history}, "param_groups": [...]}``, as PyTorch's, with the
        history's lists stacked into arrays (s and y as rows) so that checkpoints
        store it as arrays; copies."""
        groups = [{**{n: v for n, v in g.items() if n != "params"},
                   "params": list(range(len(g["params"])))} for g in self.param_groups]
        state = {}
        s = self.state.get(self._params[0])
        if s is not None:
            out = {}
            xp = array_module(self._params[0].array)
            dtype = self._params[0].array.dtype
            n = sum(p.array.size for p in self._params)
            for key, value in s.items():
                if key in ("old_dirs", "old_stps"):
                    out[key] = xp.stack(value) if value else xp.zeros((0, n), dtype)
                elif key == "ro":
                    out[key] = xp.asarray([float(r) for r in value], dtype=np.float64)
                elif hasattr(value, "shape") and value.shape != ():
                    out[key] = value.copy()
                elif value is not None and not isinstance(value, int):
                    out[key] = float(value)
                else:
                    out[key] = value
            state[0] = out
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict`` returned (the history and hyper-parameters),
        all checked before anything changes."""
        self.assign_state(self.checked_state(state_dict))

    def assign_state(self, checked):
        saved, restored = checked
        self.param_groups[0].update(saved)
        self.state = {} if restored is None else {self._params[0]: restored}

    def checked_state(self, state_dict):
        """``state_dict`` checked as ``load_state_dict`` does, without changing anything."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or \
                "param_groups" not in state_dict or len(state_dict["param_groups"]) != 1:
            raise ValueError("LBFGS.load_state_dict: expected a dict with 'state' and one "
                             "parameter group")
        saved = {n: v for n, v in state_dict["param_groups"][0].items() if n != "params"}
        self._check({**self.param_groups[0], **saved})
        xp = array_module(self._params[0].array)
        dtype = self._params[0].array.dtype
        n = sum(p.array.size for p in self._params)
        s = state_dict["state"].get(0, state_dict["state"].get("0")) \
            if state_dict["state"] else None
        restored = None
        if s is not None:
            restored = {}
            for key, value in s.items():
                if key in ("old_dirs", "old_stps"):
                    rows = [xp.asarray(r, dtype=dtype) for r in value]
                    if any(r.shape != (n,) for r in rows):
                        raise ValueError(f"LBFGS.load_state_dict: {key} holds vectors of "
                                         f"another size than the parameters' {n}")
                    restored[key] = [r.copy() for r in rows]
                elif key == "ro":
                    restored[key] = [float(r) for r in value]
                elif key in ("d", "prev_flat_grad") and value is not None:
                    restored[key] = xp.array(value, dtype=dtype, copy=True)
                    if restored[key].shape != (n,):
                        raise ValueError(f"LBFGS.load_state_dict: {key} has shape "
                                         f"{restored[key].shape}, expected ({n},)")
                else:
                    restored[key] = value
        return saved, restored
