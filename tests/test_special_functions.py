"""SciPy's special functions as rules: each partial against high-precision differences (mpmath), bindings of
the same C function recognised, partials without a closed form refused by name, and rules for the callables
compiled code calls directly (function addresses, cfuncs, vectorize ufuncs)."""

import math

import pytest
import scipy.special as sc

import srcad
from srcad.rules import special as special_rules

mpmath = pytest.importorskip("mpmath")
mpmath.mp.dps = 40

# name -> (a point, the same function in mpmath)
REFERENCE = {
    "ndtr": ((0.7,), lambda x: mpmath.ncdf(x)),
    "log_ndtr": ((-3.1,), lambda x: mpmath.log(mpmath.ncdf(x))),
    "ndtri": ((0.83,), lambda p: mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1)),
    "erfcx": ((1.4,), lambda x: mpmath.exp(x * x) * mpmath.erfc(x)),
    "erfinv": ((0.4,), lambda x: mpmath.erfinv(x)),
    "gammaln": ((3.3,), lambda x: mpmath.loggamma(x)),
    "psi": ((2.2,), lambda x: mpmath.digamma(x)),
    "expit": ((0.3,), lambda x: 1 / (1 + mpmath.exp(-x))),
    "logit": ((0.3,), lambda p: mpmath.log(p / (1 - p))),
    "xlogy": ((1.7, 2.3), lambda x, y: x * mpmath.log(y)),
    "xlog1py": ((1.7, 0.4), lambda x, y: x * mpmath.log1p(y)),
    "gammainc": ((2.5, 1.9), lambda a, x: mpmath.gammainc(a, 0, x, regularized=True)),
    "gammaincc": ((2.5, 1.9), lambda a, x: mpmath.gammainc(a, x, mpmath.inf, regularized=True)),
    "stdtr": ((4.5, 0.8), lambda df, t: mpmath.quad(
        lambda u: mpmath.gamma((df + 1) / 2) / (mpmath.sqrt(df * mpmath.pi) * mpmath.gamma(df / 2))
        * (1 + u * u / df) ** (-(df + 1) / 2), [-mpmath.inf, t])),
    "owens_t": ((0.6, 1.3), lambda h, a: mpmath.quad(
        lambda u: mpmath.exp(-h * h * (1 + u * u) / 2) / (1 + u * u), [0, a]) / (2 * mpmath.pi)),
    "kv": ((1.5, 0.9), lambda v, x: mpmath.besselk(v, x)),
    "iv": ((1.5, 0.9), lambda v, x: mpmath.besseli(v, x)),
    "ive": ((1.5, 0.9), lambda v, x: mpmath.besseli(v, x) * mpmath.exp(-abs(x))),
    "hyp2f1": ((0.5, 1.5, 2.5, 0.3), lambda a, b, c, z: mpmath.hyp2f1(a, b, c, z)),
    "betainc": ((2.5, 3.5, 0.3), lambda a, b, x: mpmath.betainc(a, b, 0, x, regularized=True)),
    "chndtr": ((2.3, 3.0, 1.5), lambda x, df, nc: mpmath.quad(
        lambda u: sum(mpmath.exp(-nc / 2) * (nc / 2) ** j / mpmath.factorial(j)
                      * mpmath.gammainc((df + 2 * j) / 2, 0, u / 2, regularized=True).__class__(1)
                      * u ** ((df + 2 * j) / 2 - 1) * mpmath.exp(-u / 2)
                      / (2 ** ((df + 2 * j) / 2) * mpmath.gamma((df + 2 * j) / 2)) for j in range(60)),
        [0, x])),
}


def _high_precision_partial(reference, point, index):
    args = [mpmath.mpf(a) for a in point]
    return float(mpmath.diff(lambda t: reference(*(args[:index] + [t] + args[index + 1:])), args[index]))


def test_every_special_rule_has_a_reference():
    assert set(REFERENCE) | {"voigt_profile"} == set(special_rules.SPECIAL)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_partials_against_high_precision_differences(name, tmp_path, monkeypatch):
    point, reference = REFERENCE[name]
    params, partials = special_rules.SPECIAL[name]
    assert float(reference(*[mpmath.mpf(a) for a in point])) == pytest.approx(getattr(sc, name)(*point), rel=1e-10)
    for index in range(len(params)):
        if isinstance(partials[index], special_rules.NoDerivative):
            continue
        source = tmp_path / f"special_{name}_{index}.py"
        others = [f"c{k}" for k in range(len(params)) if k != index]
        call = ", ".join("x" if k == index else f"c{k}" for k in range(len(params)))
        source.write_text("import scipy.special as sc\n\n\n"
                          f"def f({', '.join(['x'] + others)}):\n    return sc.{name}({call})\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        module = __import__(source.stem)
        fixed = [point[k] for k in range(len(params)) if k != index]
        got = srcad.grad(module.f)(point[index], *fixed)
        expected = _high_precision_partial(reference, point, index)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-13), (name, params[index])
        tangent = srcad.jvp(module.f)(point[index], *fixed, 1.0)[1]
        assert tangent == pytest.approx(expected, rel=1e-9, abs=1e-13)


def gammainc_in_a(a, x):
    return sc.gammainc(a * a, x)


def ive_in_v(v, x):
    return sc.ive(v * v, x)


def stdtr_in_df(df, t):
    return sc.stdtr(df * df, t)


def kv_in_v(v, x):
    return sc.kv(v * v, x)


@pytest.mark.parametrize("df, t", [(4.5, 0.8), (0.5, -2.0), (30.0, 1.3), (2.0, 5.0)])
def test_stdtr_in_df_against_high_precision(df, t):
    expected = _high_precision_partial(REFERENCE["stdtr"][1], (df, t), 0)
    assert srcad.grad(stdtr_in_df)(math.sqrt(df), t) == pytest.approx(2 * math.sqrt(df) * expected, rel=1e-9)


@pytest.mark.parametrize("v, x", [(1.5, 0.9), (0.3, 0.01), (2.2, 5.0), (4.0, 30.0)])
def test_kv_in_v_against_high_precision(v, x):
    expected = _high_precision_partial(REFERENCE["kv"][1], (v, x), 0)
    assert srcad.grad(kv_in_v)(math.sqrt(v), x) == pytest.approx(2 * math.sqrt(v) * expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("a, x", [(0.3, 0.2), (2.5, 1.9), (4.0, 30.0), (12.0, 7.5), (1.0, 80.0)])
def test_gammainc_in_a_against_high_precision(a, x):
    expected = _high_precision_partial(lambda a, x: mpmath.gammainc(a, 0, x, regularized=True), (a, x), 0)
    assert srcad.grad(gammainc_in_a)(math.sqrt(a), x) == pytest.approx(2 * math.sqrt(a) * expected, rel=1e-9,
                                                                       abs=1e-15)


def voigt(x, sigma, gamma):
    return sc.voigt_profile(x, sigma, gamma)


def test_partials_without_closed_form_are_refused_by_name():
    with pytest.raises(srcad.UnsupportedError, match="ive has no closed-form derivative with respect to 'v'"):
        srcad.grad(ive_in_v)(1.2, 0.5)
    assert srcad.grad(ive_in_v, wrt=1)(1.2, 0.5) == pytest.approx(
        0.5 * (sc.ive(0.44, 0.5) + sc.ive(2.44, 0.5)) - sc.ive(1.44, 0.5))
    with pytest.raises(srcad.UnsupportedError, match="second derivative of scipy.special.gammainc in 'a'"):
        srcad.hessian(gammainc_in_a)(1.2, 0.5)
    with pytest.raises(srcad.UnsupportedError, match="voigt_profile .* 'x'"):
        srcad.grad(voigt)(0.2, 1.0, 0.5)


def test_another_librarys_binding_of_the_same_function_is_recognised():
    pytest.importorskip("numba_stats")
    import examples_special
    got = srcad.grad(examples_special.with_numba_stats_bindings)(0.7, 1.3)
    assert got == pytest.approx(srcad.grad(examples_special.with_scipy)(0.7, 1.3), rel=1e-14)
    assert got == pytest.approx(_high_precision_partial(
        lambda x, a: mpmath.exp(x * x) * mpmath.erfc(x) * mpmath.gammainc(a, 0, x, regularized=True)
        + mpmath.log(mpmath.ncdf(x)), (0.7, 1.3), 0), rel=1e-9)


def test_rules_for_callables_that_compiled_code_calls():
    import examples_special as ex

    with pytest.raises(srcad.SrcadError, match="params"):
        srcad.register_rule(ex.c_square, ("2.0 * x",))
    srcad.register_rule(ex.c_square, ("2.0 * x",), params=("x",))
    srcad.register_rule(ex.v_cube, ("3.0 * x * x",), params=("x",))
    with pytest.raises(srcad.SrcadError, match="takes 1 argument"):
        srcad.register_rule(ex.v_cube, ("1.0", "1.0"), params=("x", "y"))
    x = 0.8
    expected = 2 * x + 3 * x * x - 0.5 * (sc.kv(0.5, x) + sc.kv(2.5, x))
    assert srcad.grad(ex.through_compiled_callables)(x) == pytest.approx(expected, rel=1e-12)


def test_every_special_function_in_one_derivative():
    import examples_special as ex

    x, c = 0.6, 2.5
    got = srcad.grad(ex.every_special)(x, c)
    h = 1e-6
    assert got == pytest.approx((ex.every_special(x + h, c) - ex.every_special(x - h, c)) / (2 * h), rel=1e-6)


def test_random_draws_inside_are_refused_with_the_advice_that_works():
    import examples_special as ex

    for func in (ex.noisy, ex.noisy_python):
        with pytest.raises(srcad.UnsupportedError, match="draws random numbers .* pass them in as an argument"):
            srcad.grad(func)(1.0)


def test_derivatives_in_shape_parameters():
    import examples_special as ex

    x, c = 1.7, 2.5
    got = srcad.grad(ex.in_shape_parameters, wrt=1)(x, c)
    h = 1e-6
    assert got == pytest.approx((ex.in_shape_parameters(x, c + h) - ex.in_shape_parameters(x, c - h)) / (2 * h),
                                rel=1e-6)
    with pytest.raises(srcad.UnsupportedError, match="second derivative of scipy.special"):
        srcad.hessian(ex.in_shape_parameters, wrt=1)(x, c)
