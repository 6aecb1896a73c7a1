"""User-supplied derivative rules: srcad.rule and srcad.register_rule."""

import math
import os
import pathlib
import subprocess
import sys

import numba
import numpy as np
import pytest

import srcad
from srcad.rules import registry

import examples_custom as ex
from fd import assert_close, directional, gradient

HERE = pathlib.Path(__file__).parent


# ---------------------------------------------------------------- derivatives
@pytest.mark.parametrize("func, args, wrt", [
    (ex.uses_root, (0.7, 1.3), (0, 1)),
    (ex.uses_root, (-2.0, 0.4), (0, 1)),
    (ex.uses_gamma, (2.5,), 0),
    (ex.uses_gamma, (0.3,), 0),
    (ex.uses_scaled, (0.8, 1.1, 3), (0, 1)),
    (ex.in_loop, (0.8, 4), 0),
    (ex.everything, (1.5, 2.5), (0, 1)),
])
def test_grad_against_finite_differences(func, args, wrt):
    assert_close(srcad.grad(func, wrt=wrt)(*args), gradient(func, args, wrt), what=func.__name__)


def test_the_rule_is_used_not_the_body():
    # The Newton loop stops at a tolerance: differentiating through it would
    # need the loop; the rule gives 1 / (3 x**2 + 1) at the converged root.
    x = ex.root(2.0)
    assert x == pytest.approx(1.0, abs=1e-14)
    assert srcad.grad(ex.root)(2.0) == pytest.approx(0.25, rel=1e-14)


def test_jvp_and_vjp():
    args = (0.7, 1.3)
    tangents = (0.25, -1.5)
    value, derivative = srcad.jvp(ex.uses_root, wrt=(0, 1))(*args, *tangents)
    assert value == pytest.approx(ex.uses_root(*args), rel=1e-14)
    assert derivative == pytest.approx(directional(ex.uses_root, args, (0, 1), tangents), rel=1e-7)
    value, cotangents = srcad.vjp(ex.uses_gamma)(2.5, 3.0)
    assert value == pytest.approx(ex.uses_gamma(2.5), rel=1e-14)
    assert cotangents == pytest.approx(3.0 * gradient(ex.uses_gamma, (2.5,)), rel=1e-7)


def test_integer_argument_with_no_partial():
    g = srcad.grad(ex.uses_scaled, wrt=(0, 1))
    x, y, n = 0.8, 1.1, 3
    assert_close(g(x, y, n), (n * (x * y) ** (n - 1) * y, n * (x * y) ** (n - 1) * x + 1.0))
    assert "_fn_examples_custom_scaled_slope(" in srcad.source(g)


def test_array_elements_through_a_rule():
    def sum_roots(v):
        s = 0.0
        for i in range(len(v)):
            s += ex.root(v[i]) * v[i]
        return s

    v = np.array([0.5, -1.0, 2.0, 3.5])
    assert_close(srcad.grad(sum_roots)(v), gradient(sum_roots, (v,)))


def test_called_from_njit_code():
    g = srcad.grad(ex.uses_root)

    @numba.njit
    def descend(a, b, steps):
        for _ in range(steps):
            a -= 0.1 * g(a, b)
        return a

    a = 0.7
    for _ in range(5):
        a -= 0.1 * g(a, 1.3)
    assert descend(0.7, 1.3, 5) == pytest.approx(a, rel=1e-14)


def test_generated_source_calls_the_function():
    text = srcad.source(ex.uses_root)
    assert "_rule_examples_custom_root(_t" in text
    assert "_rule_examples_custom_root = _srcad_bound('_rule_examples_custom_root')" in text
    header = next(line for line in text.splitlines() if line.startswith("# Custom rules"))
    assert "_rule_examples_custom_root" in header
    assert "_rule_examples_custom_gamma" not in text  # only the rules this derivative uses are bound
    def no_rules(x):
        return math.sin(x) * x

    plain = srcad.source(no_rules)
    assert "_srcad_bound" not in plain and "Custom rules" not in plain


def test_plain_python_function_and_decorator_order():
    def cube(x):
        return x * x * x

    assert srcad.register_rule(cube, ("3.0 * x * x",)) is cube
    jitted = numba.njit(cube)  # njit above the rule: the dispatcher shares it

    def user(x):
        return cube(x) + jitted(x)

    assert srcad.grad(user)(2.0) == pytest.approx(24.0)
    assert "_t" in srcad.source(user) and "def cube" not in srcad.source(user)


def test_registering_again_replaces_the_rule():
    @numba.njit
    def twice(x):
        return 2.0 * x

    def user(x):
        return twice(x) * x

    srcad.register_rule(twice, ("3.0",))   # wrong on purpose
    assert srcad.grad(user)(1.5) == pytest.approx(3.0 * 1.5 + 3.0)
    srcad.register_rule(twice, ("2.0",))
    assert srcad.grad(user)(1.5) == pytest.approx(6.0)


def test_functions_with_the_same_name_keep_their_own_rules():
    def make(c):
        @srcad.rule(partials=("out / x",))   # closure variables cannot appear in a partial
        @numba.njit
        def linear(x):
            return c * x

        return linear

    two, three = make(2.0), make(3.0)

    def user(x):
        return two(x) + three(x)

    assert srcad.grad(user)(1.5) == pytest.approx(5.0)
    text = srcad.source(user)
    header = next(line for line in text.splitlines() if line.startswith("# Custom rules"))
    assert header.count("make_locals_linear") == 2


def test_a_builtin_can_be_overridden():
    def user(x):
        return math.erf(x)

    builtin = registry.lookup_call(registry.rule_for_object(math.erf))
    try:
        srcad.register_rule(math.erf, ("0.0",))
        assert srcad.grad(user)(0.5) == 0.0
    finally:
        registry.register([math.erf], builtin.name, builtin.params, builtin.partials, builtin.result)
    assert srcad.grad(user)(0.5) == pytest.approx(2 / math.sqrt(math.pi) * math.exp(-0.25))


def test_a_registered_function_is_not_inlined():
    @numba.njit
    def not_differentiable(x):
        while x > 1.0:       # srcad would differentiate this loop if it read the body
            x = x / 2.0
        return x

    srcad.register_rule(not_differentiable, ("out / x",))

    def user(x):
        return not_differentiable(x)

    text = srcad.source(user)
    assert "while x > 1.0" not in text.split("def user_vjp")[0]


# ---------------------------------------------------------------- refusals
@numba.njit
def _two(a, b):
    return a * b


_NOT_A_FUNCTION = 3.0


@pytest.mark.parametrize("func, partials, kwargs, message", [
    (_two, ("b",), {}, "1 partial(s) for 2 parameter(s)"),
    (_two, ("b", "a", "1.0"), {}, "3 partial(s) for 2 parameter(s)"),
    (_two, ("b +", "a"), {}, "is not a Python expression"),
    (_two, ("b", "nowhere(a)"), {}, "unknown name 'nowhere'"),
    (_two, ("b", "_NOT_A_FUNCTION * a"), {}, "only @numba.njit functions and plain Python functions"),
    (_two, ("b", "np.no_such_function(a)"), {}, "'np.no_such_function', which does not exist"),
    (_two, ("b", "(lambda t: t)(a)"), {}, "uses Lambda"),
    (_two, ("b", "'text'"), {}, "only numbers are allowed"),
    (_two, ("b", 2.0), {}, "must be a string or None"),
    (_two, ("b", "a"), {"result": "array"}, "result must be one of"),
    (3.0, ("1.0",), {}, "expected a @numba.njit function"),
    (np.float64, ("1.0",), {}, "expected a @numba.njit function"),
    (lambda x, y=1.0: x, ("1.0", None), {}, "has a default value"),
    (lambda *xs: xs[0], ("1.0",), {}, "is not supported"),
    (lambda out: out, ("1.0",), {}, "a parameter named 'out'"),
])
def test_bad_registrations_are_refused(func, partials, kwargs, message):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.register_rule(func, partials, **kwargs)
    assert message in str(info.value)


def test_an_unregistered_binding_is_reported():
    from srcad.rules.custom import bound

    with pytest.raises(srcad.SrcadError, match="not registered in this process"):
        bound("_rule_nowhere_f")


# ---------------------------------------------------------------- the cache
def _run(cache_dir, scale="1.0"):
    env = dict(os.environ, SRCAD_CACHE_DIR=str(cache_dir), SRCAD_TEST_SCALE=scale,
               PYTHONPATH=os.pathsep.join([str(HERE), *sys.path]))
    proc = subprocess.run([sys.executable, "-c", "import examples_custom; examples_custom.main()"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    value, g0, g1, hits, misses = proc.stdout.split()
    return (float(value), float(g0), float(g1)), int(hits), int(misses)


def test_a_second_process_loads_from_the_cache_and_a_changed_rule_does_not(tmp_path):
    first, hits, misses = _run(tmp_path)
    assert misses >= 1 and hits == 0
    second, hits, misses = _run(tmp_path)
    assert second == first
    assert hits >= 1 and misses == 0
    # SCALE is a global number the rule's function reads; Numba freezes it, so
    # the fingerprint must change with it.
    scaled, hits, misses = _run(tmp_path, scale="2.0")
    assert misses >= 1 and hits == 0
    assert len(list(tmp_path.glob("srcad_*.py"))) == 2
    a = 1.5
    assert scaled[0] - first[0] == pytest.approx(a ** 3, rel=1e-12)
    assert scaled[1] - first[1] == pytest.approx(3 * a ** 2, rel=1e-12)
    assert scaled[2] == first[2]
