"""SciPy's special functions as primitives: each with its partial derivatives, or a refusal where none has a
closed form (``d/da gammainc(a, x)``), never a silent zero.

Code reaches these functions as ``scipy.special.erfcx`` (SciPy's ufuncs, which
Numba compiles where numba-scipy is installed) or through a library's own
compiled binding of the same C function (numba-stats' ``_special``): both are
recognised, the second by the address it calls.  Generated code calls srcad's
binding (:mod:`srcad.backend.special`) as ``scipy_special.<name>``.
"""

import sys

from .registry import NoDerivative, add_resolver, register

SQRT_2PI = "2.5066282746310002"
_NORMAL = f"math.exp(-0.5 * x * x) / {SQRT_2PI}"


def _none(function, argument):
    return NoDerivative(f"scipy.special.{function} has no closed-form derivative with respect to "
                        f"'{argument}'; give srcad a rule for your use of it (srcad.register_rule) or keep "
                        f"'{argument}' constant")


# name -> (parameters, partials)
SPECIAL = {
    "ndtr": (("x",), (_NORMAL,)),
    "log_ndtr": (("x",), (f"math.exp(-0.5 * x * x - out) / {SQRT_2PI}",)),
    "ndtri": (("p",), (f"{SQRT_2PI} * math.exp(0.5 * out * out)",)),
    "erfcx": (("x",), ("2.0 * x * out - 1.1283791670955126",)),
    "erfinv": (("x",), ("0.88622692545275801 * math.exp(out * out)",)),
    "gammaln": (("x",), ("digamma(x)",)),
    "psi": (("x",), ("trigamma(x)",)),
    "expit": (("x",), ("out * (1.0 - out)",)),
    "logit": (("p",), ("1.0 / (p * (1.0 - p))",)),
    "xlogy": (("x", "y"), ("math.log(y)", "x / y")),
    "xlog1py": (("x", "y"), ("math.log1p(y)", "x / (1.0 + y)")),
    "gammainc": (("a", "x"), ("gammainc_da(a, x)", "math.exp((a - 1.0) * math.log(x) - x - math.lgamma(a))")),
    "gammaincc": (("a", "x"), ("-gammainc_da(a, x)", "-math.exp((a - 1.0) * math.log(x) - x - math.lgamma(a))")),
    "stdtr": (("df", "t"), ("stdtr_ddf(df, t)",
                            "math.exp(math.lgamma(0.5 * (df + 1.0)) - math.lgamma(0.5 * df) "
                            "- 0.5 * math.log(df * math.pi) - 0.5 * (df + 1.0) * math.log1p(t * t / df))")),
    "owens_t": (("h", "a"), (f"-0.5 * math.exp(-0.5 * h * h) / {SQRT_2PI} * math.erf(a * h * 0.7071067811865476)",
                             "math.exp(-0.5 * h * h * (1.0 + a * a)) / (2.0 * math.pi * (1.0 + a * a))")),
    "kv": (("v", "x"), ("kv_dv(v, x)", "-0.5 * (scipy_special.kv(v - 1.0, x) + scipy_special.kv(v + 1.0, x))")),
    "iv": (("v", "x"), (_none("iv", "v"), "0.5 * (scipy_special.iv(v - 1.0, x) + scipy_special.iv(v + 1.0, x))")),
    "ive": (("v", "x"), (_none("ive", "v"),
                         "0.5 * (scipy_special.ive(v - 1.0, x) + scipy_special.ive(v + 1.0, x)) "
                         "- math.copysign(1.0, x) * out")),
    "betainc": (("a", "b", "x"), (_none("betainc", "a"), _none("betainc", "b"),
                                  "math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - math.lgamma(a) "
                                  "- math.lgamma(b) + math.lgamma(a + b))")),
    "chndtr": (("x", "df", "nc"), (
        "0.5 * math.exp(-0.5 * (x + nc) + math.sqrt(nc * x) + (0.25 * df - 0.5) * math.log(x / nc)) "
        "* scipy_special.ive(0.5 * df - 1.0, math.sqrt(nc * x))",
        _none("chndtr", "df"), _none("chndtr", "nc"))),
    "hyp2f1": (("a", "b", "c", "z"), (_none("hyp2f1", "a"), _none("hyp2f1", "b"), _none("hyp2f1", "c"),
                                      "a * b / c * scipy_special.hyp2f1(a + 1.0, b + 1.0, c + 1.0, z)")),
    "voigt_profile": (("x", "sigma", "gamma"), (_none("voigt_profile", "x"), _none("voigt_profile", "sigma"),
                                                _none("voigt_profile", "gamma"))),
}

for _name, (_params, _partials) in SPECIAL.items():
    register([], f"scipy_special.{_name}", _params, _partials)

# derivatives in a shape parameter that srcad computes (srcad.backend.runtime): a derivative of one of them
# (a second derivative) stops there, by name
for _helper, _function, (_first, _second) in (("gammainc_da", "gammainc", ("a", "x")),
                                              ("stdtr_ddf", "stdtr", ("df", "t")), ("kv_dv", "kv", ("v", "x"))):
    register([], _helper, (_first, _second),
             (NoDerivative(f"the second derivative of scipy.special.{_function} in '{_first}' is not available"),
              NoDerivative(f"the derivative in '{_second}' of d/d{_first} scipy.special.{_function} is not "
                           "available")))

_addresses = {}


def _special_name(obj):
    """The rule of ``obj`` when it is SciPy's ufunc of a special function above, or another binding of the
    same compiled function."""
    special = sys.modules.get("scipy.special")
    name = getattr(obj, "__name__", None)
    if special is not None and name in SPECIAL and getattr(special, name, None) is obj:
        return f"scipy_special.{name}"
    address = getattr(obj, "__wrapper_address__", None)
    if address is None or not callable(address):
        return None
    if not _addresses:
        from ..backend.special import function_address

        for candidate in SPECIAL:
            try:
                _addresses[function_address(candidate)] = candidate
            except LookupError:
                pass
    try:
        found = _addresses.get(address())
    except Exception:   # a binding whose address cannot be read is not one of these
        return None
    return f"scipy_special.{found}" if found is not None else None


add_resolver(_special_name)
