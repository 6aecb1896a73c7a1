"""target="cuda" under Numba's CUDA simulator, against the CPU derivative.

The simulator replaces ``numba.cuda`` for the whole process, so this file runs in a
process of its own and is skipped otherwise:

    NUMBA_ENABLE_CUDASIM=1 python3 -m pytest tests/test_cuda_simulator.py

The simulator runs device functions as Python, so it accepts code that real CUDA
rejects; tests/test_cuda_ptx.py compiles the same derivatives to PTX.
"""

import importlib.util
import math
import os

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("NUMBA_ENABLE_CUDASIM") != "1" or importlib.util.find_spec("numba_cuda") is None,
    reason="runs in its own process: NUMBA_ENABLE_CUDASIM=1 python3 -m pytest tests/test_cuda_simulator.py")

import srcad  # noqa: E402

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    from numba import cuda   # a global: the simulator gives each kernel's thread its own view of it

from cuda_programs import (call_price, lorenz, newton_root, pair_energy, polynomial, smooth_energy,  # noqa: E402
                           trajectory_loss)

RTOL = 1e-12   # the simulator runs Python's math, the CPU derivative LLVM's: they may differ in the last bits


def test_black_scholes_greeks_in_a_users_kernel():
    greeks = srcad.grad(call_price, wrt=(0, 3), target="cuda")
    cpu = srcad.grad(call_price, wrt=(0, 3))

    @cuda.jit
    def kernel(spots, vols, out):
        i = cuda.grid(1)
        if i < spots.shape[0]:
            delta, vega = greeks(spots[i], 100.0, 0.03, vols[i], 0.75)
            out[i, 0] = delta
            out[i, 1] = vega

    spots, vols = np.linspace(70.0, 130.0, 24), np.linspace(0.1, 0.5, 24)
    for dtype in (np.float64, np.float32):
        out = np.zeros((24, 2))
        kernel[1, 32](spots.astype(dtype), vols.astype(dtype), out)
        expected = np.array([cpu(float(dtype(s)), 100.0, 0.03, float(dtype(v)), 0.75) for s, v in zip(spots, vols)])
        # the simulator computes float32 items in float32 (NumPy's rules), compiled code promotes them to float64
        assert np.allclose(out, expected, rtol=RTOL if dtype is np.float64 else 1e-3, atol=0.0)


def test_lorenz_value_and_gradient_with_local_tapes_in_a_users_kernel():
    vg = srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda")
    cpu = srcad.value_and_grad(lorenz, wrt=(0, 1, 2))

    @cuda.jit
    def kernel(rhos, steps, out):
        i = cuda.grid(1)
        if i < rhos.shape[0]:
            value, (dsigma, drho, dbeta) = vg(10.0, rhos[i], 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, steps)
            out[i, 0] = value
            out[i, 1] = dsigma
            out[i, 2] = drho
            out[i, 3] = dbeta

    rhos = np.linspace(20.0, 30.0, 8)
    out = np.zeros((8, 4))
    kernel[1, 8](rhos, 30, out)   # 30 steps record 30 * 12 floats: within the 1024 of the local tape
    for i, rho in enumerate(rhos):
        value, grads = cpu(10.0, rho, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, 30)
        assert np.allclose(out[i], (value,) + grads, rtol=RTOL, atol=0.0)
    # 200 steps need more than the local tapes hold: every float of the result is NaN, never a wrong number
    kernel[1, 8](rhos, 200, out)
    assert np.isnan(out).all()


def test_tapes_sized_ahead_by_tape_size_hold_a_long_run():
    cpu = srcad.value_and_grad(lorenz, wrt=(0, 1, 2))
    floats, ints = srcad.tape_size(cpu, 10.0, 30.0, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, 200)
    vg = srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda", tape=(floats, ints))
    assert srcad.tape_size(vg, 10.0, 30.0, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, 200) == (floats, ints)

    @cuda.jit
    def kernel(rhos, steps, out):
        i = cuda.grid(1)
        if i < rhos.shape[0]:
            value, (dsigma, drho, dbeta) = vg(10.0, rhos[i], 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, steps)
            out[i, 0] = value
            out[i, 1] = drho

    rhos = np.linspace(20.0, 30.0, 4)
    out = np.zeros((4, 2))
    kernel[1, 4](rhos, 200, out)
    for i, rho in enumerate(rhos):
        value, grads = cpu(10.0, rho, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, 200)
        assert np.allclose(out[i], (value, grads[1]), rtol=RTOL, atol=0.0)
    # one step more than measured: NaN
    kernel[1, 4](rhos, 201, out)
    assert np.isnan(out).all()
    with pytest.raises(srcad.SrcadError, match="local memory"):
        srcad.grad(lorenz, target="cuda", tape=100000)


def test_gradients_with_respect_to_arrays_carve_a_workspace():
    x = np.linspace(-1.0, 1.0, 5)
    vg = srcad.value_and_grad(smooth_energy, wrt=(0, 1), target="cuda")
    cpu = srcad.value_and_grad(smooth_energy, wrt=(0, 1))
    size = srcad.workspace_size(vg, x, 0.7)
    assert size == 1 + 3 * x.size   # the count, tanh(w x), its adjoint and the adjoint of x

    @cuda.jit
    def kernel(X, weights, workspaces, out):
        i = cuda.grid(1)
        if i < X.shape[0]:
            value, (dx, dw) = vg(X[i], weights[i], workspaces[i])
            out[i, 0] = value
            out[i, 1] = dw
            out[i, 2] = dx.shape[0]
            for k in range(dx.shape[0]):
                out[i, 3 + k] = dx[k]

    X = np.stack([x, 2.0 * x, x[::-1]])
    weights = np.array([0.7, -0.3, 1.1])
    out = np.zeros((3, 3 + x.size))
    kernel[1, 3](X, weights, np.zeros((3, size)), out)
    for i in range(3):
        value, (dx, dw) = cpu(X[i], weights[i])
        assert np.allclose(out[i, :3], (value, dw, x.size), rtol=RTOL, atol=0.0)
        assert np.allclose(out[i, 3:], dx, rtol=RTOL, atol=0.0)
    # one entry short: NaN in the floats, empty arrays; the workspace tells what the run needed
    out[:] = 0.0
    small = np.zeros((3, size - 1))
    kernel[1, 3](X, weights, small, out)
    assert np.isnan(out[:, :2]).all() and (out[:, 2] == 0).all() and (out[:, 3:] == 0).all()
    assert (small[:, 0] == size).all()


def test_arrays_copied_and_updated_in_a_recorded_loop():
    params, x0 = np.array([0.9, 0.4]), np.array([0.2, 0.5, 0.1])
    g = srcad.grad(trajectory_loss, wrt=(0, 1), target="cuda")
    cpu = srcad.grad(trajectory_loss, wrt=(0, 1))
    size = srcad.workspace_size(g, params, x0, 0.05, 20)
    assert size > 0

    @cuda.jit
    def kernel(P, x0, workspaces, out):
        i = cuda.grid(1)
        if i < P.shape[0]:
            dp, dx0 = g(P[i], x0, 0.05, 20, workspaces[i])
            out[i, 0] = dp[0]
            out[i, 1] = dp[1]
            for k in range(dx0.shape[0]):
                out[i, 2 + k] = dx0[k]

    P = np.array([[0.9, 0.4], [1.2, 0.1]])
    out = np.zeros((2, 5))
    kernel[1, 2](P, x0, np.zeros((2, size)), out)
    for i in range(2):
        dp, dx0 = cpu(P[i], x0, 0.05, 20)
        assert np.allclose(out[i], np.concatenate([dp, dx0]), rtol=RTOL, atol=0.0)


def test_batches_of_gradients_with_respect_to_arrays():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.0, 1.0, (37, 5))
    for shared in ((1,), ()):
        args = (X, 0.7) if shared else (X, np.linspace(0.2, 1.0, 37))
        vg = srcad.value_and_grad(smooth_energy, wrt=(0, 1))
        device = srcad.batch(vg, shared=shared, target="cuda")(*args)
        host = srcad.batch(vg, shared=shared, target="cpu")(*args)
        assert np.allclose(device[0], host[0], rtol=RTOL, atol=0.0)
        assert np.allclose(device[1][0], host[1][0], rtol=RTOL, atol=1e-15)
        assert np.allclose(device[1][1], host[1][1], rtol=1e-10, atol=0.0)   # summed by atomics in another order
    # a shared array argument: its adjoint, an array, summed over the items; recorded arrays in a loop
    P = np.stack([np.linspace(0.8, 1.2, 11), np.linspace(0.1, 0.5, 11)], axis=1)
    x0 = np.array([0.2, 0.5, 0.1])
    g = srcad.grad(trajectory_loss, wrt=(0, 1))
    run = srcad.batch(g, shared=(1, 2, 3), target="cuda")
    dP, dx0 = run(P, x0, 0.05, 20)
    host_dP, host_dx0 = srcad.batch(g, shared=(1, 2, 3), target="cpu")(P, x0, 0.05, 20)
    assert dP.shape == P.shape and dx0.shape == x0.shape
    assert np.allclose(dP, host_dP, rtol=RTOL, atol=0.0) and np.allclose(dx0, host_dx0, rtol=1e-10, atol=0.0)
    # an argument copied and overwritten in place: the copy's adjoint is added into the argument's
    from examples_arrays import overwrite
    rows = rng.uniform(-1.0, 1.0, (9, 4))
    device = srcad.batch(srcad.value_and_grad(overwrite), shared=(1,), target="cuda")(rows, 3)
    host = srcad.batch(srcad.value_and_grad(overwrite), shared=(1,), target="cpu")(rows, 3)
    assert np.allclose(device[0], host[0], rtol=RTOL, atol=0.0) and np.allclose(device[1], host[1], rtol=RTOL)
    # more steps: the workspace and tapes grow, and the sizes are kept
    dP, _ = run(P, x0, 0.05, 60)
    assert np.allclose(dP, srcad.batch(g, shared=(1, 2, 3), target="cpu")(P, x0, 0.05, 60)[0], rtol=RTOL, atol=0.0)


def test_workspace_refusals():
    x = np.linspace(-1.0, 1.0, 5)
    vg = srcad.value_and_grad(smooth_energy, wrt=(0, 1), target="cuda")

    @cuda.jit
    def without(X, out):
        i = cuda.grid(1)
        if i < X.shape[0]:
            value, _ = vg(X[i], 0.7)
            out[i] = value

    with pytest.raises(Exception, match="workspace"):
        without[1, 1](x[None, :], np.zeros(1))
    bare = srcad.grad(smooth_energy, target="cuda")

    @cuda.jit
    def alone(X, workspaces, out):
        i = cuda.grid(1)
        if i < X.shape[0]:
            dx = bare(X[i], 0.7, workspaces[i])
            out[i] = dx[0]

    with pytest.raises(Exception, match="tuple"):
        alone[1, 1](x[None, :], np.zeros((1, 64)), np.zeros(1))
    with pytest.raises(srcad.SrcadError, match="target='cuda'"):
        srcad.workspace_size(srcad.grad(smooth_energy), x, 0.7)
    assert srcad.workspace_size(srcad.grad(call_price, target="cuda"), 100.0, 95.0, 0.03, 0.25, 0.75) == 0


def test_jvp_vjp_and_scalar_hessian_in_a_users_kernel():
    jvp = srcad.jvp(pair_energy, wrt=(0, 1, 2), target="cuda")
    vjp = srcad.vjp(pair_energy, wrt=(0, 1, 2), target="cuda")
    hessian = srcad.hessian(newton_root, target="cuda")

    @cuda.jit
    def kernel(dx, out):
        i = cuda.grid(1)
        if i < dx.shape[0]:
            value, tangent = jvp(dx[i], 0.4, -0.3, 1.0, 1.1, 1.0, 0.5, 0.25)
            _, (fx, fy, fz) = vjp(dx[i], 0.4, -0.3, 1.0, 1.1, 2.0)
            out[i, 0] = value
            out[i, 1] = tangent
            out[i, 2] = fx + fy + fz
            out[i, 3] = hessian(dx[i] + 2.0, 3.0)

    dx = np.linspace(0.9, 1.6, 5)
    out = np.zeros((5, 4))
    kernel[1, 8](dx, out)
    cpu_jvp, cpu_vjp = srcad.jvp(pair_energy, wrt=(0, 1, 2)), srcad.vjp(pair_energy, wrt=(0, 1, 2))
    cpu_hessian = srcad.hessian(newton_root)
    for i, d in enumerate(dx):
        value, tangent = cpu_jvp(d, 0.4, -0.3, 1.0, 1.1, 1.0, 0.5, 0.25)
        assert np.allclose(out[i, :2], (value, tangent), rtol=RTOL)
        assert out[i, 2] == pytest.approx(sum(cpu_vjp(d, 0.4, -0.3, 1.0, 1.1, 2.0)[1]), rel=RTOL)
        assert out[i, 3] == pytest.approx(cpu_hessian(d + 2.0, 3.0), rel=1e-10)


def test_read_only_array_argument_on_the_device():
    dp = srcad.grad(polynomial, target="cuda")

    @cuda.jit
    def kernel(xs, coefficients, out):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i] = dp(xs[i], coefficients)

    xs, coefficients = np.linspace(-1.0, 1.0, 6), np.array([2.0, -1.0, 0.5, 3.0])
    out = np.zeros(6)
    kernel[1, 8](xs, coefficients, out)
    assert np.allclose(out, np.polyval(np.polyder(coefficients), xs), rtol=RTOL)


def test_batch_of_greeks_with_shared_arguments_against_the_cpu_batch():
    rng = np.random.default_rng(3)
    n = 300
    spots, vols = 80.0 + 40.0 * rng.random(n), 0.1 + 0.4 * rng.random(n)
    greeks = srcad.grad(call_price, wrt=(0, 2, 3))
    shared = ("strike", "rate", "maturity")
    on_gpu = srcad.batch(greeks, shared=shared, target="cuda")
    delta, rho, vega = on_gpu(spots, 100.0, 0.03, vols, 0.75)
    cpu_delta, cpu_rho, cpu_vega = srcad.batch(greeks, shared=shared, target="cpu")(spots, 100.0, 0.03, vols, 0.75)
    assert np.allclose(delta, cpu_delta, rtol=RTOL) and np.allclose(vega, cpu_vega, rtol=RTOL)
    assert isinstance(rho, float) and rho == pytest.approx(cpu_rho, rel=1e-12)   # atomics: any order
    assert "cuda.atomic.add" in on_gpu.source() and "@cuda.jit" in on_gpu.source()


def test_batch_of_lorenz_gradients_grows_its_slab_and_keeps_the_size():
    n, steps = 40, 60
    rng = np.random.default_rng(4)
    sigma, rho = 10.0 + rng.random(n), 28.0 + rng.random(n)
    vg = srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda")
    b = srcad.batch(vg, shared=(2, 3, 4, 5, 6, 7))
    value, (dsigma, drho, dbeta) = b(sigma, rho, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, steps)
    state = list(b.built.values())[0].state
    assert state["capacity"][0] >= 12 * steps   # sized by the first run's threads
    cpu = srcad.value_and_grad(lorenz, wrt=(0, 1, 2))
    each = [cpu(s, r, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, steps) for s, r in zip(sigma, rho)]
    assert np.allclose(value, [e[0] for e in each], rtol=RTOL)
    assert np.allclose(dsigma, [e[1][0] for e in each], rtol=RTOL)
    assert np.allclose(drho, [e[1][1] for e in each], rtol=RTOL)
    assert dbeta == pytest.approx(math.fsum(e[1][2] for e in each), rel=1e-11)
    again = b(sigma, rho, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, steps)
    assert np.array_equal(again[0], value)


def test_batch_with_a_while_loop_of_varying_trip_counts():
    a = np.linspace(0.5, 50.0, 33)
    g = srcad.grad(newton_root, wrt=(0, 1), target="cuda")
    da, dpower = srcad.batch(g, shared="power")(a, 3.0)
    cpu = srcad.grad(newton_root, wrt=(0, 1))
    each = [cpu(v, 3.0) for v in a]
    assert np.allclose(da, [e[0] for e in each], rtol=1e-10)
    assert dpower == pytest.approx(math.fsum(e[1] for e in each), rel=1e-10)


def test_batch_whose_tapes_exceed_the_memory_budget_names_the_loop():
    g = srcad.grad(lorenz, target="cuda", memory="4KB")
    with pytest.raises(srcad.SrcadError, match=r"the loop at line \d+ of lorenz\(\)"):
        srcad.batch(g, shared=(1, 2, 3, 4, 5, 6, 7))(np.full(8, 10.0), 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 100)


def _catalogue_scalar_cases():
    import catalogue

    out = []
    for entry in catalogue.ENTRIES:
        if "grad" in entry.modes and all(isinstance(a, (float, int)) for a in entry.example()) and \
                any(isinstance(a, float) for a in entry.example()):
            out.append(entry)
    return out


@pytest.mark.parametrize("entry", _catalogue_scalar_cases() if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" else [],
                         ids=lambda entry: entry.name)
def test_catalogue_functions_of_scalars_batched_on_the_device(entry):
    """Each catalogue function of scalars that the CUDA target builds, over three items, against the CPU."""
    args = entry.example()
    try:
        device = srcad.value_and_grad(entry.func, wrt=entry.wrt, target="cuda")
        srcad.source(device, args=args)
    except srcad.UnsupportedError:
        pytest.skip("refused by the CUDA target")
    batched = [k for k, a in enumerate(args) if isinstance(a, float)]
    items = [np.array([a, a * 1.001 + 1e-3, a * 0.999 - 1e-3]) if k in batched else a for k, a in enumerate(args)]
    shared = [k for k in range(len(args)) if k not in batched]
    value, grads = srcad.batch(device, shared=shared)(*items)
    cpu = srcad.value_and_grad(entry.func, wrt=entry.wrt)
    for i in range(3):
        expected_value, expected = cpu(*[a[i] if k in batched else a for k, a in enumerate(items)])
        assert value[i] == pytest.approx(expected_value, rel=1e-10, abs=1e-12)
        got = grads if isinstance(entry.wrt, tuple) else (grads,)
        want = expected if isinstance(entry.wrt, tuple) else (expected,)
        for k_wrt, g, w in zip(entry.indices, got, want):
            if k_wrt in batched:   # a shared wrt argument's gradient is the sum over the items
                assert g[i] == pytest.approx(w, rel=1e-9, abs=1e-12)
