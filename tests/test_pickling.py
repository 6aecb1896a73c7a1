"""Derivatives pickle by reference to their function and options, and run in worker processes."""

import multiprocessing
import os
import pathlib
import pickle

import numpy as np
import pytest

import srcad

from examples_pickling import call, decorated, energy, field, oscillator_loss, scaled, with_aux

X = np.array([0.3, -1.2, 0.7])
PARAMS = [np.array([k, c]) for k, c in ((1.0, 0.1), (2.0, 0.3), (0.5, 0.05), (3.0, 0.0), (1.5, 0.2))]
STEPS = 40

CASES = {
    "grad": (lambda: srcad.grad(scaled), (0.4, 1.5)),
    "grad wrt (0, 1)": (lambda: srcad.grad(scaled, wrt=(0, 1)), (0.4, 1.5)),
    "value_and_grad": (lambda: srcad.value_and_grad(scaled, wrt=1), (0.4, 1.5)),
    "jvp": (lambda: srcad.jvp(scaled, wrt=(0, 1)), (0.4, 1.5, 1.0, -0.5)),
    "vjp": (lambda: srcad.vjp(field), (X, np.array([1.0, 2.0, -1.0]))),
    "hessian": (lambda: srcad.hessian(energy), (X,)),
    "hvp": (lambda: srcad.hvp(energy), (X, np.array([1.0, 0.0, 2.0]))),
    "jacobian": (lambda: srcad.jacobian(field), (X,)),
    "jacobian reverse": (lambda: srcad.jacobian(field, mode="reverse"), (X,)),
    "jvp of grad": (lambda: srcad.jvp(srcad.grad(scaled)), (0.4, 1.5, 1.0)),
    "has_aux": (lambda: srcad.value_and_grad(with_aux, has_aux=True), (X,)),
    "checkpoint=3": (lambda: srcad.value_and_grad(oscillator_loss, checkpoint=3), (PARAMS[1], STEPS)),
    "memory": (lambda: srcad.grad(oscillator_loss, checkpoint="auto", memory="1MB"), (PARAMS[1], STEPS)),
    "forward_grad seeded": (lambda: srcad.forward_grad(scaled, wrt=(0, 1), seed=3), (0.4, 1.5)),
}


def _round_trip(derivative):
    data = pickle.dumps(derivative)
    assert len(data) < 1000, "a derivative pickles by reference, not as its generated code"
    return pickle.loads(data)


def _assert_same(got, expected):
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for a, b in zip(got, expected):
            _assert_same(a, b)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", CASES)
def test_a_loaded_derivative_gives_the_same_numbers(name):
    make, args = CASES[name]
    original = make()
    loaded = _round_trip(original)
    assert loaded is not original and type(loaded) is type(original)
    assert loaded.__srcad__.kind == original.__srcad__.kind
    assert loaded.__srcad__.wrt == original.__srcad__.wrt
    assert loaded.__srcad__.options == original.__srcad__.options
    _assert_same(loaded(*args), original(*args))


def test_the_options_travel_with_the_derivative():
    g = _round_trip(srcad.grad(oscillator_loss, checkpoint=3, cache=False))
    assert g.__srcad__.options["checkpoint"] == 3 and g.__srcad__.options["cache"] is False
    g(PARAMS[0], STEPS)
    report = srcad.tape_report(g)
    assert report.loops and report.loops[0].snapshots == 3
    j = _round_trip(srcad.jacobian(field, wrt=0, mode="forward"))
    assert j.__srcad__.kind == "jacfwd"
    fg = _round_trip(srcad.forward_grad(scaled, seed=1, k=4))
    assert fg.__srcad__.direction_count == 4


def test_loading_twice_in_one_process_gives_one_derivative():
    data = pickle.dumps(srcad.grad(scaled, wrt=1))
    assert pickle.loads(data) is pickle.loads(data)


def test_a_decorated_module_level_function():
    # the module's attribute is the derivative itself: the pickle finds the function under it
    loaded = _round_trip(decorated)
    assert loaded.__srcad__.primal is decorated.__srcad__.primal
    assert loaded(0.4, 1.5) == decorated(0.4, 1.5)
    outer = srcad.jvp(decorated, wrt=1)
    _assert_same(_round_trip(outer)(0.4, 1.5, 1.0), outer(0.4, 1.5, 1.0))


def test_copies_are_the_derivative_itself():
    import copy

    g = srcad.grad(scaled)
    assert copy.copy(g) is g and copy.deepcopy([g])[0] is g


def test_a_local_function_cannot_be_pickled_and_the_error_says_why():
    def local(x):
        return x * x

    for derivative in (srcad.grad(local), srcad.jvp(srcad.grad(local))):
        with pytest.raises(pickle.PicklingError, match=r"local.*defined inside another function.*import"):
            pickle.dumps(derivative)
    # a lambda never becomes a derivative: srcad reads the function's def
    with pytest.raises(srcad.SrcadError, match="def"):
        srcad.grad(lambda x: x * x)


def test_a_gradient_sweep_in_a_spawn_pool():
    g = srcad.value_and_grad(oscillator_loss)
    arguments = [(p, STEPS) for p in PARAMS]
    serial = [g(*args) for args in arguments]
    # spawned workers start from sys.path and the environment of this process: tests/ (conftest.py)
    # and SRCAD_CACHE_DIR, where they find the generated module
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parallel = pool.starmap(g, arguments)
    _assert_same(parallel, serial)


def test_a_gradient_sweep_on_a_dask_local_cluster():
    distributed = pytest.importorskip("distributed")

    def local(x):
        return x * x

    g = srcad.grad(oscillator_loss)
    serial = [g(p, STEPS) for p in PARAMS]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        futures = client.map(g, PARAMS, [STEPS] * len(PARAMS))
        parallel = client.gather(futures)
        # Dask names the task by the derivative's pickle, so it tells why a derivative cannot travel
        with pytest.raises(pickle.PicklingError, match="local.*defined inside another function"):
            client.submit(srcad.grad(local), 1.0)
    _assert_same(parallel, serial)


def test_a_gradient_sweep_with_ray():
    ray = pytest.importorskip("ray")
    g = srcad.grad(oscillator_loss)
    serial = [g(p, STEPS) for p in PARAMS]
    # Ray's workers are processes of their own (its local mode is gone): they import srcad and
    # examples_pickling from these paths, and find the generated module in the same cache
    tests = pathlib.Path(__file__).resolve().parent
    path = os.pathsep.join(p for p in (str(tests), str(tests.parent), os.environ.get("PYTHONPATH")) if p)
    env = {"PYTHONPATH": path, "SRCAD_CACHE_DIR": os.environ["SRCAD_CACHE_DIR"]}
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": env})
    try:
        task = ray.remote(call)   # the derivative travels as an argument, pickled by reference
        parallel = ray.get([task.remote(g, p, STEPS) for p in PARAMS])
    finally:
        ray.shutdown()
    _assert_same(parallel, serial)
