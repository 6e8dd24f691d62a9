"""``plot_lr_schedule``: the learning rate η_t against the step t."""
import numpy as np

from .figure import new_figure, to_numpy


def schedule_values(schedule, steps, **args):
    """η_t for t in ``steps`` (an int n for 0…n−1, or the steps themselves).

    ``schedule``: a function ``f(t, **args)`` (e.g. ``optim.schedules.exponential``
    with ``eta0=0.1, lam=0.1``; a Keras ``LearningRateSchedule``), or a driver with
    ``step()`` and ``get_last_lr()`` (``optim.LRScheduler``), which is stepped —
    and so changes its optimiser's learning rate."""
    t = np.arange(steps) if np.ndim(steps) == 0 else np.asarray(steps)
    if hasattr(schedule, "step") and hasattr(schedule, "get_last_lr"):
        if args:
            raise TypeError("plot_lr_schedule: a scheduler takes no extra arguments")
        values, done = [], 0
        for target in t:
            while done < target:
                schedule.step()
                done += 1
            values.append(schedule.get_last_lr()[0])
        return t, np.asarray(values, dtype=np.float64)
    if not callable(schedule):
        raise TypeError(f"plot_lr_schedule: schedule must be a function of the step or an "
                        f"LRScheduler, got {type(schedule).__name__}")
    return t, np.array([float(to_numpy(schedule(int(s), **args))) for s in t])


def plot_lr_schedule(schedule, steps, ax=None, label=None, logy=False, **args):
    """Plot η_t of ``schedule`` (see ``schedule_values``) for ``steps``; draws into
    ``ax`` if given (to compare schedules). Returns the Figure.

    >>> plot_lr_schedule(schedules.step_decay, 60, eta0=0.1, r=0.5, t_u=10)
    """
    t, v = schedule_values(schedule, steps, **args)
    if ax is None:
        fig, ax = new_figure(width=4.5, height=3.0)
    else:
        fig = ax.figure
    if label is None:
        name = getattr(schedule, "__name__", type(schedule).__name__)
        label = name + ("(" + ", ".join(f"{k}={a}" for k, a in args.items()) + ")"
                        if args else "")
    # η is constant between two steps: draw it as such (a step at each t).
    ax.plot(t, v, drawstyle="steps-post", marker="." if len(t) <= 100 else None, ms=3,
            label=label)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\eta_t$")
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig
