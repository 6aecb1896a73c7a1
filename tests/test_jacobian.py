"""Jacobians: jacfwd, jacrev and jacobian(mode="auto") against finite differences and each other."""

import types

import numba
import numpy as np
import pytest

import srcad

import examples_jacobian as ex
from fd import step_for

RNG = np.random.default_rng(7)
X = RNG.normal(size=5)
W1 = RNG.normal(size=(4, 5))
W2 = RNG.normal(size=(3, 4))


def finite_jacobian(f, args, index):
    """d f(*args) / d args[index] by fourth-order central differences, shape out.shape + in.shape."""
    arg = args[index]
    base = np.array(arg, dtype=float)
    value = np.asarray(f(*args), dtype=float)

    def at(k, t):
        moved = base.copy()
        moved.flat[k] = t
        changed = list(args)
        changed[index] = moved if np.ndim(arg) else float(moved)
        return np.ravel(np.asarray(f(*changed), dtype=float))

    columns = []
    for k in range(base.size):
        x = base.flat[k]
        h = step_for(x)
        columns.append((at(k, x - 2 * h) - 8 * at(k, x - h) + 8 * at(k, x + h) - at(k, x + 2 * h)) / (12 * h))
    return np.stack(columns, axis=-1).reshape(value.shape + base.shape)


def plain(J):
    """``J`` run as plain Python: its generated functions from their ``py_func``, calling each other
    uncompiled (cheap to test); mode="auto" takes the mode its plan function gives."""
    t = J.__srcad__

    def call(*args):
        spec = t._resolve(args)[0]
        namespace = dict(vars(spec.module))
        for key, value in vars(spec.module).items():
            if hasattr(value, "py_func"):
                namespace[key] = types.FunctionType(value.py_func.__code__, namespace, key)
        functions = {key: namespace[getattr(f, "py_func", f).__name__] for key, f in spec.functions.items()}
        if "plan" in functions:
            n, m, forward, reverse = functions["plan"](*args)
            return functions["forward" if forward <= reverse else "reverse"](*args)
        return functions["jacobian"](*args)

    return call


CASES = [
    (ex.two_layers, (X, W1, W2), 0),
    (ex.iterate_until_small, (X, 0.8), 0),
    (ex.iterate_until_small, (X, 0.8), 1),
    (ex.running_products, (np.array([0.5, 1.2, -0.3, 2.0, 0.7]),), 0),
    (ex.running_products, (np.array([3.0, 4.0, 2.0, 1.5, 0.7]),), 0),   # leaves the loop early
    (ex.outer_square, (X[:3],), 0),
    (ex.energy, (X, 0.6), 0),
    (ex.energy, (X, 0.6), 1),
    (ex.scalar_pair, (0.4, -0.9), 1),
    (ex.matrix_input, (W1, X), 0),
    (ex.sized_by_value, (X, 7), 0),
    (ex.long_recurrence, (X[:3], 500), 0),
    (ex.ignores_first, (X, X[:2]), 0),
]


@pytest.mark.parametrize("func, args, wrt", CASES)
def test_forward_and_reverse_match_finite_differences(func, args, wrt):
    expected = finite_jacobian(func, args, wrt)
    for transform in (srcad.jacfwd, srcad.jacrev, srcad.jacobian):
        J = plain(transform(func, wrt=wrt))(*args)
        assert np.shape(J) == np.shape(expected), transform.__name__
        np.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-8, err_msg=transform.__name__)
    np.testing.assert_allclose(plain(srcad.jacfwd(func, wrt=wrt))(*args), plain(srcad.jacrev(func, wrt=wrt))(*args),
                               rtol=1e-12, atol=1e-13)


def test_tuple_wrt_gives_a_tuple_of_jacobians():
    args = (X, 0.6)
    for transform in (srcad.jacfwd, srcad.jacrev, srcad.jacobian):
        Jx, Jc = plain(transform(ex.iterate_until_small, wrt=(0, 1)))(*args)
        np.testing.assert_allclose(Jx, finite_jacobian(ex.iterate_until_small, args, 0), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(Jc, finite_jacobian(ex.iterate_until_small, args, 1), rtol=1e-6, atol=1e-8)
    da, db = plain(srcad.jacrev(ex.scalar_pair, wrt=(0, 1)))(0.4, -0.9)
    assert isinstance(da, float) and da == pytest.approx(np.exp(-0.9))
    assert db == pytest.approx(0.4 * np.exp(-0.9) - 1.8)


def test_more_directions_than_one_block():
    # n = 70 inputs and m = 70 outputs: two blocks in either mode
    x = RNG.normal(size=70)
    W = RNG.normal(size=(70, 70))
    expected = W * np.cos(x)[None, :]
    np.testing.assert_allclose(plain(srcad.jacfwd(ex.wide))(x, W), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(plain(srcad.jacrev(ex.wide))(x, W), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, m, mode", [(4, 256, "forward"), (256, 4, "reverse")])
def test_auto_takes_the_cheap_mode(n, m, mode):
    J = srcad.jacobian(ex.wide)
    x, W = RNG.normal(size=n), RNG.normal(size=(m, n))
    np.testing.assert_allclose(plain(J)(x, W), W * np.cos(x)[None, :], rtol=1e-12, atol=1e-12)
    text = srcad.explain(J, x, W)
    assert f"n (inputs) = {n}, m (outputs) = {m}" in text
    assert f"mode: {mode}" in text


def test_explain_and_source():
    J = srcad.jacobian(ex.sized_by_value)
    assert "from a run of the function" in srcad.explain(J, X, 6)
    text = srcad.source(J)
    for name in ("sized_by_value_jvp_block", "sized_by_value_rev_block", "sized_by_value_jacobian_plan",
                 "sized_by_value_primal"):
        assert f"def {name}(" in text
    forward = srcad.jacfwd(ex.energy)
    assert "fixed by jacfwd" in srcad.explain(forward)
    forward.__srcad__._resolve((X, 0.5))   # builds the source; nothing is compiled before a call
    assert "def energy_jacfwd(" in srcad.source(forward) and "energy_rev_block" not in srcad.source(forward)


def test_refusals():
    with pytest.raises(srcad.UnsupportedError, match="tuple"):
        srcad.jacobian(ex.pair)(X)
    with pytest.raises(srcad.SrcadError, match="mode"):
        srcad.jacobian(ex.energy, mode="sideways")
    with pytest.raises(srcad.SrcadError, match="check=True"):
        srcad.jacfwd(ex.energy, check=True)
    with pytest.raises(srcad.SrcadError, match="explain takes"):
        srcad.explain(srcad.grad(ex.energy))


def test_compiled_and_from_numba():
    J = srcad.jacobian(ex.two_layers)

    @numba.njit
    def from_numba(x, W1, W2):
        return J(x, W1, W2)

    expected = finite_jacobian(ex.two_layers, (X, W1, W2), 0)
    np.testing.assert_allclose(from_numba(X, W1, W2), expected, rtol=1e-6, atol=1e-8)
    # both modes are compiled into the same module: call each, and the Python entry
    functions = J.__srcad__.built.last.functions
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(functions[mode](X, W1, W2), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(J(X, W1, W2), expected, rtol=1e-6, atol=1e-8)
    assert "mode: " in srcad.explain(J)


def test_generated_source_matches_golden():
    """The vector-mode sweeps and drivers of a small function, kept as a golden file
    (SRCAD_UPDATE_GOLDEN=1 rewrites it; then read the diff)."""
    import os
    import pathlib

    from examples_golden import poly_sin

    J = srcad.jacobian(poly_sin, wrt=(0, 1))
    J.__srcad__._resolve((0.5, 1.5))
    text = srcad.source(J)
    path = pathlib.Path(__file__).parent / "golden" / "poly_sin_jacobian.py"
    if os.environ.get("SRCAD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
    dx, dy = plain(J)(0.5, 1.5)
    z = 0.5 * 1.5 + np.sin(0.5)
    assert dx == pytest.approx(2 * z * (1.5 + np.cos(0.5))) and dy == pytest.approx(2 * z * 0.5)


def wide(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = np.sin(x[0] * (i + 1)) + x[1] * x[1]
    return out


def test_auto_from_python_compiles_only_the_mode_it_takes():
    """The plan picks the mode and only that driver runs: the other mode's sweeps are never compiled."""
    jacobian = srcad.jacobian(wide)
    x = np.array([0.3, 0.7])
    got = jacobian(x)
    spec = jacobian.__srcad__.built.last
    taken = jacobian.__srcad__.form.plan(spec, (x,))[4]
    other = "reverse" if taken == "forward" else "forward"
    assert spec.functions[taken].signatures and not spec.functions[other].signatures
    assert np.allclose(got, srcad.jacobian(wide, mode=other)(x))


def fixed_pair(a, b, c):
    out = np.zeros(2)
    out[0] = a * b
    out[1] = np.sin(c) * a
    return out


def test_auto_from_numba_compiles_only_the_mode_the_types_decide():
    """Three scalars in, two outputs of a constant shape: n and m are known from the types, so an
    @njit caller calls the taken mode's driver and the other mode (and the plan) is never compiled."""
    J = srcad.jacobian(fixed_pair, wrt=(0, 1, 2))

    @numba.njit
    def from_numba(a, b, c):
        return J(a, b, c)

    got = from_numba(0.5, 2.0, 1.5)
    spec = J.__srcad__.built.last
    assert J.__srcad__.built.jacobian_builds[id(spec.program)].decided == "forward"
    assert spec.functions["forward"].signatures
    assert not spec.functions["reverse"].signatures and not spec.functions["plan"].signatures
    expected = ((2.0, np.sin(1.5)), (0.5, 0.0), (0.0, np.cos(1.5) * 0.5))
    for part, want in zip(got, expected):
        np.testing.assert_allclose(part, want, rtol=1e-15)
    assert "the argument types decide it" in srcad.explain(J, 0.5, 2.0, 1.5)
    # an array argument leaves n to its size: the plan decides in compiled code
    t = srcad.jacobian(ex.two_layers).__srcad__
    spec = t._resolve((X, W1, W2))[0]   # builds the source, compiles nothing
    assert t.built.jacobian_builds[id(spec.program)].decided is None


def reprojection(p, feat):
    """Two residuals of a point seen by a camera (a bundle-adjustment block, simplified)."""
    x0 = p[3] - p[0]
    x1 = p[4] - p[1]
    x2 = p[5] - p[2]
    u = x0 / x2
    v = x1 / x2
    scale = p[6] * (1.0 + p[7] * (u * u + v * v))
    err = np.zeros(2)
    err[0] = p[8] * (u * scale - feat[0])
    err[1] = p[8] * (v * scale - feat[1])
    return err


def test_few_outputs_known_from_the_types_are_taken_by_scalar_sweeps():
    """m = 2 fixed by the function: the reverse Jacobian is two scalar adjoint sweeps (the vjp loop a user
    would write), with no vector-mode adjoint generated, from Python and from @njit code."""
    p = np.array([0.1, -0.2, 0.3, 1.0, 0.5, 4.0, 2.0, 0.01, 0.9])
    feat = np.array([0.3, 0.1])
    J = srcad.jacrev(reprojection)
    expected = finite_jacobian(reprojection, (p, feat), 0)
    np.testing.assert_allclose(J(p, feat), expected, rtol=1e-6, atol=1e-8)
    text = srcad.source(J)
    assert "def reprojection_rev(" in text and "rev_block" not in text

    @numba.njit
    def from_numba(p, feat):
        return J(p, feat)

    np.testing.assert_allclose(from_numba(p, feat), expected, rtol=1e-6, atol=1e-8)
    assert "(scalar, one a row of the Jacobian)" in srcad.explain(srcad.jacobian(reprojection), p, feat)
