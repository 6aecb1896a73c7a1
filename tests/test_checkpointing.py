"""Checkpointed reverse mode: the same gradients as store-all to the last bit, Revolve's count of
steps run again, online schedules within a stated factor of it, and the memory a budget allows."""

import math
import os
import subprocess
import sys
import textwrap
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import srcad
from srcad.backend import schedules

import examples_checkpoint as ex
from fd import taped_reverse, plain
from random_programs import load_program, random_program
from random_recording_programs import random_recording_program
from srcad.api import Transformation

P = np.array([10.0, 28.0, 8.0 / 3.0])
GRID = np.linspace(0.1, 1.0, 8)

CASES = [
    (ex.lorenz_rk4, (P, np.array([1.0, 1.0, 1.0]), 40, 0.01), 0),
    (ex.lorenz_scalars, (P, 60, 0.01), 0),
    (ex.burgers, (np.sin(np.linspace(0.0, 6.0, 10)), 0.05, 25), (0, 1)),
    (ex.newton_sqrt, (2.0,), 0),
    (ex.damped_while, (0.4, 2.0), 0),
    (ex.broken_off, (0.7, 60), 0),
    (ex.returned_early, (0.95, 40), 0),
    (ex.returned_early, (0.2, 40), 0),
    (ex.nested_loops, (GRID[:5], 20), 0),
    (ex.matrix_state, (np.linspace(0.1, 0.6, 6).reshape(2, 3), 12), 0),
    (ex.two_loops, (0.3, 30), 0),
    (ex.loop_in_branch, (0.5, 30), 0),
    (ex.loop_in_branch, (-0.5, 30), 0),
    (ex.strided, (0.4, 41), 0),
    (ex.stepped, (0.4, 2, 50), 0),
    (ex.integrate, (0.8, 50), 0),
]
IDS = [f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)]


def revolve_steps(steps, snapshots):
    """Griewank and Walther's least number of forward steps to reverse ``steps`` steps with ``snapshots``."""
    reps = 0
    while math.comb(snapshots + reps, snapshots) < steps:
        reps += 1
    return reps * steps - math.comb(snapshots + reps, snapshots + 1)


@lru_cache(maxsize=None)
def fewest_steps(steps, snapshots):
    """The same optimum by dynamic programming over every first advance."""
    if steps <= 1:
        return 0
    if snapshots == 1:
        return steps * (steps - 1) // 2
    return min(m + fewest_steps(steps - m, snapshots - 1) + fewest_steps(m, snapshots) for m in range(1, steps))


def run_schedule(steps, snapshots, online):
    """Drive the controller through a loop of ``steps`` steps as generated code does, checking that each
    restore and advance lands where it must; (steps run forward in all, most snapshots held)."""
    state = np.zeros(schedules.checkpoint_size(snapshots), np.int64)
    schedules.checkpoint_begin(state, snapshots, -1 if online else steps, 8)
    stored = {}
    for step in range(steps):
        row = schedules.checkpoint_forward(state, step)
        if row >= 0:
            stored[row] = step
    schedules.checkpoint_end_forward(state, steps)
    for step in range(steps - 1, -1, -1):
        if step == steps - 1:
            continue      # recorded by the forward sweep
        row = schedules.checkpoint_restore(state, step)
        at = schedules.checkpoint_position(state, row)
        assert stored[row] == at <= step
        while at < step:
            to = schedules.checkpoint_advance_to(state, at, step)
            assert at < to <= step
            at = to
            if at < step:
                row = schedules.checkpoint_take(state, at)
                assert row >= 0
                stored[row] = at
    assert state[schedules.MOST_HELD] <= snapshots
    return steps - 1 + int(state[schedules.ADVANCED]), int(state[schedules.MOST_HELD])


# the controller -------------------------------------------------------------------------
def test_revolve_formula_is_the_optimum_and_the_split_reaches_it():
    for snapshots in range(1, 7):
        for steps in range(1, 70):
            assert fewest_steps(steps, snapshots) == revolve_steps(steps, snapshots)
            if steps >= 2 and snapshots >= 2:
                m = schedules.binomial_split(steps, snapshots)
                assert m + fewest_steps(steps - m, snapshots - 1) + fewest_steps(m, snapshots) \
                    == fewest_steps(steps, snapshots), (steps, snapshots, m)


@pytest.mark.parametrize("snapshots", [1, 2, 3, 4, 7, 10, 25, 100])
def test_offline_schedule_runs_revolves_number_of_steps(snapshots):
    for steps in (1, 2, 3, 5, 10, 37, 100, 1000, 5000):
        run, held = run_schedule(steps, snapshots, online=False)
        assert run == revolve_steps(steps, min(snapshots, steps)), (steps, snapshots)
        assert held <= snapshots


def test_online_schedule_stays_within_a_factor_of_the_offline_optimum():
    """While loops learn their trip count as they run: at most 2x Revolve's optimum for the trip count
    that ran, and at most 1.5x once the loop runs four times as many steps as there are snapshots."""
    for snapshots in (2, 3, 4, 6, 10, 20, 50):
        for steps in (2, 3, 5, 10, 17, 50, 100, 333, 1000, 5000, 20000):
            run, held = run_schedule(steps, snapshots, online=True)
            best = revolve_steps(steps, min(snapshots, steps))
            assert held <= snapshots
            assert run <= 2 * best + 1, (steps, snapshots, run, best)
            if steps >= 4 * snapshots:
                assert run <= 1.5 * best, (steps, snapshots, run, best)


def test_schedule_matches_checkpoint_schedules_package():
    """The same count as the Revolve schedule of the ``checkpoint_schedules`` package, where installed."""
    package = pytest.importorskip("checkpoint_schedules")
    for steps, snapshots in ((10, 3), (50, 4), (200, 6), (600, 10)):
        advanced = 0
        for action in package.Revolve(steps, snapshots):
            if isinstance(action, package.Forward) and not action.write_adj_deps:
                advanced += action.n1 - action.n0     # steps run without recording
            if isinstance(action, package.EndReverse):
                break
        assert run_schedule(steps, snapshots, online=False)[0] == advanced, (steps, snapshots)


# gradients ------------------------------------------------------------------------------
def _gradient(func, args, wrt, checkpoint):
    g = srcad.value_and_grad(func, wrt=wrt, checkpoint=checkpoint)
    return g(*[a.copy() if isinstance(a, np.ndarray) else a for a in args]), g


def _same(a, b):
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("func, args, wrt", CASES, ids=IDS)
def test_checkpointed_gradient_equals_store_all_to_the_last_bit(func, args, wrt):
    expected, _ = _gradient(func, args, wrt, None)
    for snapshots in (1, 3):
        got, g = _gradient(func, args, wrt, snapshots)
        assert _same(got, expected), (snapshots, got, expected)
        report = srcad.tape_report(g)
        assert report.strategy == "binomial"
        for loop in report.loops:
            assert loop.snapshots <= snapshots and loop.most_held <= snapshots
    expected_value = func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    assert got[0] == pytest.approx(expected_value, rel=1e-12)


def test_report_counts_revolves_steps_for_a_compiled_loop():
    for steps in (7, 100, 1000):
        for snapshots in (1, 2, 5, 20):
            g = srcad.grad(ex.lorenz_scalars, checkpoint=snapshots)
            g(P, steps, 0.001)
            loop, = srcad.tape_report(g).loops
            assert loop.trips == steps and not loop.online
            assert steps - 1 + loop.recomputed == revolve_steps(steps, min(snapshots, steps))
            assert loop.snapshot_bytes == loop.snapshots * 8 * 4   # x, y, z and the step


def test_while_loop_report_is_online_and_within_the_factor():
    g = srcad.grad(ex.damped_while, checkpoint=4)
    g(0.4, 2.0)
    loop, = srcad.tape_report(g).loops
    assert loop.online and loop.trips > 50
    assert loop.trips - 1 + loop.recomputed <= 1.5 * revolve_steps(loop.trips, 4)


def test_second_order_and_jacobians_through_a_checkpointed_loop():
    args = (P, 30, 0.01)
    v = np.array([1.0, 0.5, -0.2])
    for make in (lambda c: srcad.hessian(ex.lorenz_scalars, checkpoint=c)(*args),
                 lambda c: srcad.hvp(ex.lorenz_scalars, checkpoint=c)(*args, v),
                 lambda c: srcad.jvp(srcad.grad(ex.lorenz_scalars, checkpoint=c))(*args, v)):
        assert _same(make(2), make(None))
    burgers_args = (np.sin(np.linspace(0.0, 6.0, 6)), 0.05, 10)

    def step_map(u0, nu, n):
        u = u0.copy()
        for t in range(n):
            for j in range(1, u.shape[0] - 1):
                u[j] = u[j] + nu * (u[j - 1] - 2.0 * u[j] + u[j + 1]) * u[j]
        return u

    with_checkpoints = srcad.jacobian(step_map, mode="reverse", checkpoint=2)
    assert _same(with_checkpoints(*burgers_args), srcad.jacobian(step_map, mode="reverse", checkpoint=None)(*burgers_args))
    assert "checkpoint_restore" in srcad.source(with_checkpoints)


def test_checkpointed_derivative_called_from_njit_code():
    import numba

    g = srcad.grad(ex.lorenz_scalars, checkpoint=3)

    @numba.njit
    def caller(p, n):
        return g(p, n, 0.01)

    assert np.array_equal(caller(P, 50), srcad.grad(ex.lorenz_scalars, checkpoint=None)(P, 50, 0.01))


def test_auto_switches_to_checkpoints_when_the_tape_would_exceed_the_budget():
    store_all = srcad.grad(ex.lorenz_scalars, checkpoint=None)
    expected = store_all(P, 5000, 0.001)
    assert srcad.tape_report(store_all).strategy == "store-all"
    assert srcad.tape_report(store_all).tape_bytes >= 8 * 3 * 5000
    small = srcad.grad(ex.lorenz_scalars, memory="4KB")
    assert np.array_equal(small(P, 5000, 0.001), expected)
    report = srcad.tape_report(small)
    assert report.strategy == "binomial" and report.total_bytes <= 4000
    assert "checkpoint_restore" in srcad.source(small)
    short = srcad.grad(ex.lorenz_scalars)          # the default budget: short loops record everything
    assert np.array_equal(short(P, 5000, 0.001), expected)
    assert srcad.tape_report(short).strategy == "store-all"


def test_generated_source_shows_the_schedule():
    text = srcad.source(srcad.grad(ex.lorenz_scalars, checkpoint=3), args=(P, 10, 0.01))
    for part in ("checkpoint_forward(", "checkpoint_restore(", "checkpoint_advance_to(", "checkpoint_take("):
        assert text.count(part) == 1, part


def test_memory_stays_within_the_budget_in_a_large_run(tmp_path):
    """A million steps: the checkpointed call's peak of traced memory stays within a 64 KB budget while the
    store-all call's tape holds 24 MB (measured with tracemalloc in a fresh process)."""
    script = tmp_path / "large.py"
    script.write_text(textwrap.dedent(f"""
        import sys, tracemalloc
        sys.path[:0] = [{os.path.dirname(__file__)!r}, {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))!r}]
        import numpy as np, srcad
        import examples_checkpoint as ex
        p = np.array([10.0, 28.0, 8.0 / 3.0])
        results = []
        for options, warm_up in (({{"checkpoint": None}}, 10), ({{"memory": 64000}}, 10**6)):
            g = srcad.grad(ex.lorenz_scalars, **options)
            g(p, warm_up, 1e-6)               # compile (auto: both builds), tapes of the warm-up's size
            tracemalloc.start()
            grad = g(p, 10**6, 1e-6)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append((grad, peak, srcad.tape_report(g)))
        (g0, peak0, r0), (g1, peak1, r1) = results
        assert np.array_equal(g0, g1)
        assert peak0 > 24 * 10**6, peak0
        assert r1.total_bytes <= 64000 and peak1 < 64000, (peak1, r1)
        print("ok", peak0, peak1)
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "ok" in done.stdout, done.stdout + done.stderr


def test_refuses_state_a_snapshot_cannot_hold():
    def carries_tuple(x, n):
        pair = (x, 2.0 * x)
        for i in range(n):
            pair = (math.sin(pair[0]) * pair[1], pair[0])
        return pair[0] + pair[1]

    try:
        value = srcad.grad(carries_tuple, checkpoint=2)(0.3, 10)
    except srcad.UnsupportedError as error:
        assert "checkpoint" in str(error)
    else:
        assert value == srcad.grad(carries_tuple, checkpoint=None)(0.3, 10)


# random programs: forward, reverse and checkpointed reverse in one property test ------------------
def _plain_value_and_grad(func, args, wrt, checkpoint):
    transformation = Transformation(func, "value_and_grad", wrt, checkpoint=checkpoint)
    types = transformation.split_args(tuple(args), 0)[2]
    reverse = taped_reverse(transformation.specialize(types))
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    value, grads, fneeded, ineeded = reverse(*copies, 1.0, np.empty(2), np.empty(2, np.int64))
    if fneeded > 2 or ineeded > 2:
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        value, grads, _, _ = reverse(*copies, 1.0, np.empty(fneeded), np.empty(ineeded + 64, np.int64))
    return value, grads


@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), a=st.floats(-1.5, 1.5), b=st.floats(-1.5, 1.5), n=st.integers(0, 6),
       snapshots=st.integers(1, 4))
def test_random_programs_forward_reverse_and_checkpointed_reverse_agree(tmp_path_factory, seed, a, b, n, snapshots):
    text = random_program(seed)
    program, _ = load_program(tmp_path_factory.mktemp("programs"), text, f"checkpointed_{seed}")
    expected = _plain_value_and_grad(program, (a, b, n), (0, 1), None)
    got = _plain_value_and_grad(program, (a, b, n), (0, 1), snapshots)
    assert _same(got, expected), f"{text}\na={a!r} b={b!r} n={n} snapshots={snapshots}: {got} != {expected}"
    forward = plain(Transformation(program, "jvp", (0, 1)).specialize(("float", "float", "int")).functions["main"])
    _, directional = forward(a, b, n, 0.3, -0.7)
    assert math.isclose(directional, 0.3 * got[1][0] - 0.7 * got[1][1], rel_tol=1e-9, abs_tol=1e-9), text


@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), p=st.lists(st.integers(0, 3), min_size=4, max_size=4),
       snapshots=st.integers(1, 3))
def test_random_array_programs_checkpointed_equal_store_all(tmp_path_factory, seed, p, snapshots):
    text = random_recording_program(seed)
    program, _ = load_program(tmp_path_factory.mktemp("programs"), text, f"checkpointed_arrays_{seed}")
    args = (np.array([0.3, -0.8, 1.1, 0.5]), np.array(p))
    try:
        expected = _plain_value_and_grad(program, args, 0, None)
    except srcad.UnsupportedError:
        return
    got = _plain_value_and_grad(program, args, 0, snapshots)
    assert _same(got, expected), f"{text}\np0 = {p} snapshots={snapshots}: {got} != {expected}"
