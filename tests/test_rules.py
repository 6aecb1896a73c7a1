"""Derivative rules of every supported primitive, checked three ways.

Each primitive is wrapped in a small function of two float arguments
``f(x, y)`` and differentiated with ``wrt=(0, 1)``:

* reverse mode (``grad``) against finite differences,
* forward mode (``jvp``) against finite differences, along the coordinate
  axes and along a general direction,
* forward against reverse: ``w * (J v) == <w J, v>`` with ``vjp``.

The derivative objects are built once per function and shared by all points.
"""

import math
from math import cos, exp, pi, sin, sqrt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcad

try:
    from . import fd
except ImportError:
    import fd


# ---------------------------------------------------------------- functions
# One-argument primitives p, as p(x) * y.
def u_sin(x, y):
    return math.sin(x) * y


def u_cos(x, y):
    return math.cos(x) * y


def u_tan(x, y):
    return math.tan(x) * y


def u_asin(x, y):
    return math.asin(x) * y


def u_acos(x, y):
    return math.acos(x) * y


def u_atan(x, y):
    return math.atan(x) * y


def u_sinh(x, y):
    return math.sinh(x) * y


def u_cosh(x, y):
    return math.cosh(x) * y


def u_tanh(x, y):
    return math.tanh(x) * y


def u_exp(x, y):
    return math.exp(x) * y


def u_expm1(x, y):
    return math.expm1(x) * y


def u_log(x, y):
    return math.log(x) * y


def u_log1p(x, y):
    return math.log1p(x) * y


def u_log2(x, y):
    return math.log2(x) * y


def u_log10(x, y):
    return math.log10(x) * y


def u_sqrt(x, y):
    return math.sqrt(x) * y


def u_erf(x, y):
    return math.erf(x) * y


def u_erfc(x, y):
    return math.erfc(x) * y


def u_fabs(x, y):
    return math.fabs(x) * y


def u_floor(x, y):
    return math.floor(x) * y + x


def u_ceil(x, y):
    return math.ceil(x) * y - x


def u_abs(x, y):
    return abs(x) * y


def u_neg(x, y):
    return -x * y


def u_neg_expr(x, y):
    return -(x - y) * x


# Names imported with ``from math import ...`` and math constants.
def u_from_import(x, y):
    return sin(x) * exp(y) + cos(x * y) + sqrt(x * x + 1.0)


def u_constants(x, y):
    return math.pi * x * y + math.e * x + pi * sin(x) - math.tau * y


# Two-argument primitives.
def b_add(x, y):
    return x + y


def b_add_consts(x, y):
    return x + 3 + y * 2 + 0.5


def b_sub(x, y):
    return x - y


def b_rsub(x, y):
    return 1 - x * y - y


def b_mul(x, y):
    return x * y


def b_mul_same(x, y):
    return x * x * y


def b_div(x, y):
    return x / y


def b_div_const(x, y):
    return 3.0 / (x * y) + x / 4


def b_pow(x, y):
    return x ** y


def b_pow_int(x, y):
    return x ** 3 * y


def b_pow_float_const(x, y):
    return x ** 2.5 + y ** 0.5


def b_pow_negative(x, y):
    return x ** -2 * y


def b_pow_const_base(x, y):
    return 2.0 ** x + 3 ** y


def b_builtin_pow(x, y):
    return pow(x, y)


def b_builtin_pow_int(x, y):
    return pow(x, 2) * y


def b_floordiv(x, y):
    return (x // y) * x + y * y


def b_min(x, y):
    return min(x, y)


def b_max(x, y):
    return max(x, y)


def b_max_const(x, y):
    return max(x, 0) * y + min(y, 1.0) * x


def b_atan2(x, y):
    return math.atan2(x, y)


def b_hypot(x, y):
    return math.hypot(x, y)


def b_copysign(x, y):
    return math.copysign(x, y) * y


def b_log_base(x, y):
    return math.log(x, y)


def b_compare(x, y):
    r = 0.0
    if x < y:
        r += x * y
    if x <= y:
        r += x
    if x > y:
        r -= y * y
    if x >= y:
        r += 2.0 * x
    if x == y:
        r += 100.0
    if x != y:
        r += y
    if x > 0:
        r = r * x
    if 0.0 < x < y:
        r += math.sin(x)
    return r


# ------------------------------------------------------------------- points
_Y = (0.7, -1.3, 2.1)


def _with_y(xs):
    return [(x, _Y[i % len(_Y)]) for i, x in enumerate(xs)]


WIDE = (-1.7, -0.4, 0.3, 1.9)
CASES = {
    u_sin: _with_y(WIDE),
    u_cos: _with_y(WIDE),
    u_tan: _with_y((-1.2, 0.3, 1.4)),
    u_asin: _with_y((-0.8, 0.1, 0.6)),
    u_acos: _with_y((-0.8, 0.1, 0.6)),
    u_atan: _with_y((-3.0, 0.2, 5.0)),
    u_sinh: _with_y(WIDE),
    u_cosh: _with_y(WIDE),
    u_tanh: _with_y(WIDE),
    u_exp: _with_y((-3.0, 0.2, 2.5)),
    u_expm1: _with_y((-2.0, 1e-3, 0.7)),
    u_log: _with_y((0.05, 1.5, 40.0)),
    u_log1p: _with_y((-0.6, 0.2, 3.0)),
    u_log2: _with_y((0.05, 1.5, 40.0)),
    u_log10: _with_y((0.05, 1.5, 40.0)),
    u_sqrt: _with_y((0.04, 2.0, 90.0)),
    u_erf: _with_y((-1.5, 0.3, 2.2)),
    u_erfc: _with_y((-1.5, 0.3, 2.2)),
    u_fabs: _with_y((-1.5, 0.8, 3.0)),
    u_floor: _with_y((-2.6, 0.3, 4.7)),
    u_ceil: _with_y((-2.6, 0.3, 4.7)),
    u_abs: _with_y((-1.5, 0.8, 3.0)),
    u_neg: _with_y((-1.5, 0.8)),
    u_neg_expr: _with_y((-1.5, 0.8)),
    u_from_import: _with_y((-1.1, 0.6)),
    u_constants: _with_y((-1.1, 0.6)),
    b_add: [(0.3, -1.2), (2.0, 5.0)],
    b_add_consts: [(0.3, -1.2)],
    b_sub: [(0.3, -1.2), (2.0, 5.0)],
    b_rsub: [(0.3, -1.2), (2.0, 5.0)],
    b_mul: [(0.3, -1.2), (-2.0, 5.0)],
    b_mul_same: [(0.3, -1.2), (-2.0, 5.0)],
    b_div: [(0.3, -1.2), (-2.0, 5.0), (7.0, 0.25)],
    b_div_const: [(0.3, -1.2), (-2.0, 5.0)],
    b_pow: [(0.5, 1.7), (2.3, -0.6), (1.5, 3.0)],
    b_pow_int: [(-1.3, 0.7), (0.8, -2.0)],
    b_pow_float_const: [(0.4, 2.0), (3.0, 0.2)],
    b_pow_negative: [(-1.3, 0.7), (0.8, -2.0)],
    b_pow_const_base: [(-1.3, 0.7), (0.8, -2.0)],
    b_builtin_pow: [(0.5, 1.7), (2.3, -0.6)],
    b_builtin_pow_int: [(-1.3, 0.7), (0.8, -2.0)],
    b_floordiv: [(7.3, 2.1), (-3.4, 1.5), (5.5, -2.2)],
    b_min: [(0.3, 1.2), (1.2, 0.3), (-2.0, -5.0)],
    b_max: [(0.3, 1.2), (1.2, 0.3), (-2.0, -5.0)],
    b_max_const: [(0.3, 1.2), (-1.2, 0.3), (2.0, -5.0)],
    b_atan2: [(1.0, 2.0), (1.0, -2.0), (-0.5, -1.5), (-0.5, 1.5)],
    b_hypot: [(3.0, 4.0), (-0.2, 1.5), (0.7, -0.1)],
    b_copysign: [(1.5, 2.0), (1.5, -2.0), (-0.5, 0.7), (-0.5, -0.7)],
    b_log_base: [(3.0, 2.0), (0.4, 10.0)],
    b_compare: [(0.5, 1.5), (1.5, 0.5), (-2.0, -1.0), (-1.0, -2.0)],
}

POINTS = [
    pytest.param(f, x, y, id=f"{f.__name__}({x},{y})") for f, pts in CASES.items() for x, y in pts
]

WRT = (0, 1)
V = (0.3, -0.7)  # tangent direction
W = 1.7  # output cotangent

_built = {}


def ad(kind, f, wrt=WRT):
    """The srcad transform ``kind`` of ``f``, built once per module."""
    key = (kind, f, wrt)
    if key not in _built:
        _built[key] = getattr(srcad, kind)(f, wrt=wrt)
    return _built[key]


# -------------------------------------------------------------------- tests
@pytest.mark.parametrize("f, x, y", POINTS)
def test_reverse_vs_fd(f, x, y):
    got = ad("grad", f)(x, y)
    assert isinstance(got, tuple) and len(got) == 2
    for g in got:
        assert isinstance(g, float), f"gradient of a float argument should be a Python float, got {type(g)}"
    fd.assert_close(got, fd.gradient(f, (x, y), WRT), what=f"grad {f.__name__}({x}, {y})")


@pytest.mark.parametrize("f, x, y", POINTS)
def test_forward_vs_fd(f, x, y):
    jvp = ad("jvp", f)
    ref = fd.gradient(f, (x, y), WRT)
    value = f(x, y)
    val, tx = jvp(x, y, 1.0, 0.0)
    fd.assert_close(val, value, rtol=1e-12, atol=1e-14, what="jvp value")
    fd.assert_close(tx, ref[0], what=f"d{f.__name__}/dx")
    val, ty = jvp(x, y, 0.0, 1.0)
    fd.assert_close(ty, ref[1], what=f"d{f.__name__}/dy")
    val, tv = jvp(x, y, *V)
    fd.assert_close(tv, ref[0] * V[0] + ref[1] * V[1], what=f"{f.__name__} along {V}")


@pytest.mark.parametrize("f, x, y", POINTS)
def test_forward_vs_reverse(f, x, y):
    val_f, t = ad("jvp", f)(x, y, *V)
    val_r, cot = ad("vjp", f)(x, y, W)
    assert isinstance(cot, tuple) and len(cot) == 2
    value = f(x, y)
    fd.assert_close(val_r, value, rtol=1e-12, atol=1e-14, what="vjp value")
    fd.assert_close(val_f, val_r, rtol=1e-12, atol=1e-14, what="jvp value vs vjp value")
    fd.assert_close(W * t, fd.dot(cot, V), rtol=1e-10, atol=1e-12, what="w.(J v) vs (w J).v")
    # The cotangent is w times the gradient.
    g = ad("grad", f)(x, y)
    fd.assert_close(cot, (W * g[0], W * g[1]), rtol=1e-12, atol=1e-14, what="vjp vs w * grad")


def test_floor_ceil_have_zero_derivative():
    gx, gy = ad("grad", u_floor)(2.5, 3.0)
    assert gx == 1.0 and gy == 2.0
    gx, gy = ad("grad", u_ceil)(2.5, 3.0)
    assert gx == -1.0 and gy == 3.0


def test_abs_derivative_is_sign():
    for x, y in ((-1.5, 2.0), (0.75, 2.0)):
        gx, gy = ad("grad", u_abs)(x, y)
        assert gx == math.copysign(2.0, x)
        assert gy == abs(x)


def test_value_and_grad_matches_grad():
    vg = ad("value_and_grad", b_hypot)
    value, (gx, gy) = vg(3.0, 4.0)
    fd.assert_close(value, 5.0, rtol=1e-15, atol=0.0)
    fd.assert_close((gx, gy), (0.6, 0.8), rtol=1e-14, atol=1e-15)


def smooth_at_zero(x, y):
    return x * abs(x) + x ** 2 * y + math.hypot(x, 1.0) + x ** 1 + x ** 2.0 + pow(x, 3) + y * math.atan2(x, 1.0)


def pow_both(x, y):
    return x ** y


def test_rules_at_zero_are_finite_and_exact():
    # Smooth at x = 0 although the pieces have special points there.
    g = ad("grad", smooth_at_zero)(0.0, 2.0)
    assert g == (3.0, 0.0)
    _, t = ad("jvp", smooth_at_zero)(0.0, 2.0, 1.0, 0.0)
    assert t == 3.0
    # d/dx x**y = y x**(y-1), d/dy x**y = x**y log x -> 0 as x -> 0+ for y > 0.
    assert ad("grad", pow_both)(0.0, 2.0) == (0.0, 0.0)
    assert ad("grad", pow_both)(0.0, 1.0) == (1.0, 0.0)
    assert ad("jvp", pow_both)(0.0, 2.0, 1.0, 1.0) == (0.0, 0.0)


# ---------------------------------------------------------- property tests
def poly(x):
    return ((3.0 * x - 2.0) * x + 1.0) * x - 5.0


def poly_prime(x):
    return (9.0 * x - 4.0) * x + 1.0


def trig(x):
    return math.sin(x) * math.cos(2.0 * x) + math.exp(-x * x / 2.0)


def trig_prime(x):
    return (
        math.cos(x) * math.cos(2.0 * x)
        - 2.0 * math.sin(x) * math.sin(2.0 * x)
        - x * math.exp(-x * x / 2.0)
    )


def mixed(x, y):
    return math.tanh(x * y) + x ** 2 / (1.0 + y * y) - math.atan2(y, 2.0 + x * x)


_reals = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(x=_reals)
def test_property_poly_and_trig(x):
    fd.assert_close(ad("grad", poly, 0)(x), poly_prime(x), rtol=1e-11, atol=1e-11, what=f"poly'({x})")
    fd.assert_close(ad("grad", trig, 0)(x), trig_prime(x), rtol=1e-11, atol=1e-12, what=f"trig'({x})")
    val, t = ad("jvp", trig, 0)(x, 1.0)
    fd.assert_close(val, trig(x), rtol=1e-13, atol=1e-15, what="trig value")
    fd.assert_close(t, trig_prime(x), rtol=1e-11, atol=1e-12, what=f"trig'({x}) forward")


@settings(max_examples=40, deadline=None)
@given(x=_reals, y=_reals, vx=_reals, vy=_reals, w=_reals)
def test_property_forward_reverse_adjoint(x, y, vx, vy, w):
    val_f, t = ad("jvp", mixed)(x, y, vx, vy)
    val_r, cot = ad("vjp", mixed)(x, y, w)
    fd.assert_close(val_f, mixed(x, y), rtol=1e-13, atol=1e-14)
    fd.assert_close(val_r, mixed(x, y), rtol=1e-13, atol=1e-14)
    scale = abs(w) * (abs(vx) + abs(vy)) * 10.0
    fd.assert_close(w * t, fd.dot(cot, (vx, vy)), rtol=1e-10, atol=1e-13 * scale + 1e-300)
