"""Random programs aimed at NumPy's reference semantics of arrays: views, aliases and rebinding.

A second generator, independent of :mod:`differential_programs`.  Every
program is a module holding a function ``f`` of float64 arrays (``x`` and
``y`` of length ``N``, sometimes an ``N x N`` matrix ``A``) and sometimes an
int ``n`` (small, or of large magnitude such as ``2**33``), plus a few
``@numba.njit`` helpers that write into the arrays passed to them.  The
statements, in random order and combination:

- whole-array in-place operators on views of local copies (``r = w[1:4];
  r *= 0.5``, ``q = M[i][:3]; q += ...``, ``t = M.T; t += ...``), the base
  array being read afterwards;
- helpers that write into their array arguments (``force += r * 2.0``,
  ``a[:] = ...``, ``a[0] += c``), called as statements on a local array or a
  view of one;
- arrays rebound to arrays of another shape in straight code
  (``d = d[1:] - d[:-1]``, ``h = M[:3].T @ h``) and to arrays of the same
  shape in loops (``h = np.tanh(A @ h)``);
- buffer swaps in time loops (``tmp = a; a = b; b = tmp``, stencils);
- slice and row assignments whose value reads the same array
  (``h[t + 1] = np.dot(M[t], h[t]) + h[t]``, ``w[1:] = w[:-1] * 2.0``);
- integer index arithmetic with repeated operands (``x[i + i]``,
  ``x[(i * i) % N]``) and ints of large magnitude in float arithmetic
  (``x[0] * (n * (n / 1))``) -- never an int product that could overflow
  int64, so CPython and Numba agree.

Every program is valid NumPy/Numba code whose value, run by CPython, is
finite (values pass through ``tanh``/``sin``, constants are small, divisors
are at least 1) and a float scalar.  Choices go through a chooser:
:class:`RandomChooser` (seeded ``random.Random``: the campaign, reproducible
by seed) or, through :func:`programs`, Hypothesis (failures shrink; the
first option of each choice is the simplest).
"""

import dataclasses

import numpy as np

from differential_programs import HypothesisChooser, RandomChooser  # the same choosers as the first generator

N = 5
LARGE_INTS = (2**33, -(2**35) + 3, 3 * 10**10, 2**40 + 7)


@dataclasses.dataclass(frozen=True)
class Program:
    """One generated module: its text, the parameters of ``f`` and the value of its int parameter."""

    text: str
    params: tuple      # names, in order: "x", "y", optionally "A", optionally "n"
    n: int = None      # the int argument's value, when "n" is a parameter

    @property
    def wrt(self):
        return tuple(i for i, p in enumerate(self.params) if p != "n")

    def inputs(self, seed):
        """The arguments of ``f`` and a direction (one array per differentiated argument), from a seed."""
        rng = np.random.default_rng(seed)
        args, direction = [], []
        for p in self.params:
            if p == "n":
                args.append(self.n)
                continue
            shape = (N, N) if p == "A" else (N,)
            args.append(rng.uniform(-1.0, 1.0, shape))
            direction.append(rng.standard_normal(shape))
        return tuple(args), tuple(direction)


_CONSTANTS = ("0.5", "0.25", "-0.4", "0.8", "1.1", "-0.7")


# helpers: (name, parameters, body lines, kind of the second argument)
# kind "vec": an array of the first argument's shape; "float": a scalar
_HELPERS = {
    "add_into": ("force, r", ["force += r * 2.0"], "vec"),
    "sub_scaled": ("a, c", ["a -= 0.5 * c * a"], "float"),
    "mul_into": ("a, r", ["a *= np.tanh(r)"], "vec"),
    "div_into": ("a, r", ["a /= 1.0 + r * r"], "vec"),
    "fill_all": ("a, c", ["a[:] = np.sin(a) * c"], "float"),
    "bump_first": ("a, c", ["a[0] += c"], "float"),
    "mix": ("a, c", ["a *= 0.5", "a[1] += c * a[0]", "a[-1] = math.tanh(a[-1] + c)"], "float"),
    "loop_into": ("a, r", ["for i in range(a.shape[0]):", "    a[i] += 0.3 * math.sin(r[i])"], "vec"),
    "with_return": ("a, c", ["a += c", "return np.sum(a) * 0.0 + 1.0"], "float"),
}


#: the statement kinds, each a method ``_<kind>`` of the builder; "large_int" needs the int argument
KINDS = ("view_row", "view_slice", "view_row_slice", "view_column", "view_transpose", "helper_call",
         "rebind_straight", "rebind_loop", "buffer_swap", "self_slice", "index_arith", "copy_expression",
         "large_int")


class _Builder:
    def __init__(self, chooser, statements, kinds=KINDS):
        self.c = chooser
        self.statements = statements
        self.kinds = tuple(kinds)
        self.lines = []
        self.counter = 0
        self.helpers_used = []
        self.vectors = ["x", "y", "w", "v"]    # every one of length N
        self.writable = ["w", "v"]             # locals of length N that may be written into
        self.n = None
        self.params = ["x", "y"]

    # choices ---------------------------------------------------------------
    def pick(self, options):
        return options[self.c.integer(0, len(options) - 1)]

    def chance(self):
        return self.c.integer(0, 1) == 1

    def fresh(self, stem):
        self.counter += 1
        return f"{stem}{self.counter}"

    def emit(self, text, indent=1):
        self.lines.append("    " * indent + text)

    def const(self):
        return self.pick(_CONSTANTS)

    # expressions -----------------------------------------------------------
    def piece(self, length, avoid=()):
        """A slice of length ``length`` of a vector (whole vector when ``length == N``)."""
        name = self.pick([v for v in self.vectors if v not in avoid] or ["x"])
        if length == N:
            return name
        start = self.c.integer(0, N - length)
        return f"{name}[{start}:{start + length}]"

    def vexpr(self, length, avoid=()):
        """A fresh array of length ``length`` (never a view of anything)."""
        a, b = self.piece(length, avoid), self.piece(length, avoid)
        return self.pick([f"{self.const()} * {a}", f"np.sin({a})", f"np.tanh({a} * {self.const()})",
                          f"{a} * {b}", f"0.3 * np.cos({a}) + {self.const()}", f"np.sin({a} + {b})"])

    def divisor(self, length):
        a = self.piece(length)
        return self.pick(["1.25", f"(1.0 + {a} * {a})", f"(1.5 + np.sin({a}))"])

    def index(self):
        return str(self.c.integer(0, N - 1))

    # statements ------------------------------------------------------------
    def statement(self):
        kinds = [k for k in self.kinds if k != "large_int" or "n" in self.params]
        getattr(self, "_" + self.pick(kinds))()

    def inplace(self, target, length, shape2d=False):
        op = self.pick(["+=", "-=", "*=", "/="])
        if shape2d:
            value = self.pick([f"0.3 * np.tanh(M)", f"0.2 * np.outer({self.piece(N)}, {self.piece(N)})",
                               f"0.5 * {self.piece(N)}", "0.5"])
            if op == "/=":
                value = self.pick(["1.25", "(1.0 + M * M)"])
            elif op == "*=":
                value = self.pick(["0.5", f"np.tanh({self.piece(N)})", "np.cos(M)"])
        elif op == "/=":
            value = self.divisor(length)
        elif op == "*=":
            value = self.pick([self.const(), f"np.tanh({self.piece(length)})", f"np.cos({self.piece(length)})"])
        else:
            value = self.pick([self.vexpr(length), self.const(), f"{target} * {self.const()}"])
        self.emit(f"{target} {op} {value}")

    def _view_row(self):
        r = self.fresh("r")
        self.emit(f"{r} = M[{self.index()}]")
        self.inplace(r, N)
        if self.chance():
            self.emit(f"{r}[{self.index()}] += {self.const()}")

    def _view_slice(self):
        base = self.pick(self.writable)
        lo = self.c.integer(0, N - 2)
        hi = self.c.integer(lo + 1, N)
        bounds = self.pick([f"{lo}:{hi}", f":{hi}", f"{lo}:"])
        start, stop = bounds.split(":")
        length = (int(stop) if stop else N) - (int(start) if start else 0)
        p = self.fresh("p")
        self.emit(f"{p} = {base}[{bounds}]")
        self.inplace(p, length)

    def _view_row_slice(self):
        q = self.fresh("q")
        k = self.c.integer(1, N - 1)
        self.emit(f"{q} = M[{self.index()}][:{k}]")
        self.inplace(q, k)

    def _view_column(self):
        c = self.fresh("c")
        self.emit(f"{c} = M[:, {self.index()}]")
        self.inplace(c, N)

    def _view_transpose(self):
        t = self.fresh("t")
        self.emit(f"{t} = M.T")
        self.inplace(t, N, shape2d=True)

    def _helper_call(self):
        name = self.pick(list(_HELPERS))
        if name not in self.helpers_used:
            self.helpers_used.append(name)
        kind = _HELPERS[name][2]
        target = self.pick(["local", "slice", "row", "row_slice", "column"])
        if target == "local":
            arg, length = self.pick(self.writable), N
        elif target == "slice":
            lo = self.c.integer(0, N - 2)
            hi = self.c.integer(lo + 2, N)
            arg, length = f"{self.pick(self.writable)}[{lo}:{hi}]", hi - lo
        elif target == "row":
            arg, length = f"M[{self.index()}]", N
        elif target == "column":
            arg, length = f"M[:, {self.index()}]", N
        else:
            k = self.c.integer(2, N)
            arg, length = f"M[{self.index()}][:{k}]", k
        if self.chance() and target != "local":
            view = self.fresh("u")
            self.emit(f"{view} = {arg}")
            arg = view
        second = self.vexpr(length) if kind == "vec" else self.const()
        self.emit(f"{name}({arg}, {second})")

    def _rebind_straight(self):
        h = self.fresh("h")
        kind = self.pick(["diff", "project", "other", "grow", "write_between"])
        if kind == "diff":
            self.emit(f"{h} = {self.piece(N)}[1:] - {self.piece(N)}[:-1]")
            self.emit(f"{h} = {h}[1:] - {h}[:-1]")
            self.emit(f"s += 0.5 * np.sum({h} * {h})")
        elif kind == "project":
            k = self.c.integer(2, N - 1)
            self.emit(f"{h} = np.sin({self.piece(k)})")
            self.emit(f"{h} = M[:{k}].T @ {h} + 1.0")
            self.emit(f"s += 0.1 * np.sum(np.tanh({h}))")
        elif kind == "other":
            self.emit(f"{h} = 2.0 * {self.piece(N)}")
            self.emit(f"{h} = np.sin({self.piece(self.c.integer(2, N))})")
            self.emit(f"s += np.sum({h})")
        elif kind == "grow":
            k = self.c.integer(1, N - 1)
            self.emit(f"{h} = np.tanh({self.piece(k)})")
            self.emit(f"{h} = np.tanh(M @ {self.piece(N)}) * {self.const()}")
            self.emit(f"s += np.sum({h} * {h})")
        else:
            self.emit(f"{h} = {self.vexpr(N)}")
            self.emit(f"{h}[{self.index()}] += {self.const()}")
            k = self.c.integer(2, N - 1)
            self.emit(f"{h} = {self.vexpr(k)}")
            self.emit(f"{h}[{self.c.integer(0, k - 1)}] *= {self.const()}")
            self.emit(f"s += np.sum({h})")

    def loop_count(self):
        if self.n is not None and abs(self.n) < 10:
            return "n"
        if self.n is not None:
            return self.pick(["3", "n % 3 + 1"])
        return self.pick(["3", "2"])

    def _rebind_loop(self):
        h = self.fresh("h")
        square = "A" if "A" in self.params else "M"
        self.emit(f"{h} = np.tanh({self.piece(N)})")
        self.emit(f"for t in range({self.loop_count()}):")
        self.emit(self.pick([f"{h} = np.tanh({square} @ {h})",
                             f"{h} = np.tanh(0.5 * ({square} @ {h}) + {self.piece(N)})",
                             f"{h} = np.sin({h} * {h}) + {self.const()} * {h}"]), 2)
        if self.chance():
            self.emit(f"{h}[{self.index()}] += 0.1 * t", 2)
        self.emit(f"s += np.sum({h} * {self.piece(N)})")

    def _buffer_swap(self):
        a, b, tmp = self.fresh("a"), self.fresh("b"), self.fresh("tmp")
        self.emit(f"{a} = {self.pick(self.writable)}.copy()")
        self.emit(f"{b} = " + self.pick([f"np.zeros({N})", f"{a}.copy()", f"np.zeros_like({a})"]))
        self.emit(f"for t in range({self.loop_count()}):")
        if self.chance():
            self.emit(f"for i in range(1, {N - 1}):", 2)
            self.emit(f"{b}[i] = 0.5 * ({a}[i - 1] + {a}[i + 1]) + {self.const()} * {a}[i]", 3)
        else:
            self.emit(f"{b}[1:-1] = 0.5 * ({a}[:-2] + {a}[2:])", 2)
        if self.chance():
            self.emit(f"{b}[0] = {a}[0]", 2)
            self.emit(f"{b}[-1] = math.tanh({a}[-1])", 2)
        if self.chance():
            self.emit(f"{tmp} = {a}", 2)
            self.emit(f"{a} = {b}", 2)
            self.emit(f"{b} = {tmp}", 2)
        else:
            self.emit(f"{a}, {b} = {b}, {a}", 2)
        self.emit(f"s += np.sum({a} * {a}) + 0.5 * np.sum({b})")

    def _self_slice(self):
        kind = self.pick(["rows", "shift", "shift_back", "row_from_row"])
        if kind == "rows":
            h = self.fresh("H")
            k = 3
            self.emit(f"{h} = np.zeros(({k + 1}, {N}))")
            self.emit(f"{h}[0] = np.tanh({self.piece(N)})")
            self.emit(f"for t in range({k}):")
            self.emit(self.pick([f"{h}[t + 1] = np.tanh(np.dot(M[t], {h}[t]) * 0.3 + {h}[t])",
                                 f"{h}[t + 1] = np.dot(M[t], {h}[t]) * 0.2 + {h}[t] * 0.5",
                                 f"{h}[t + 1] = np.tanh(np.dot(M, {h}[t])) + 0.5 * {h}[t]"]), 2)
            self.emit(f"s += 0.2 * np.sum({h} * {h})")
        elif kind == "shift":
            # the value reads the same array or (half the time) the other local
            target = self.pick(self.writable)
            source = target if self.chance() else self.pick(self.writable)
            self.emit(f"{target}[1:] = " + self.pick([f"{source}[:-1] * {self.const()}",
                                                      f"np.sin({source}[:-1])"]))
        elif kind == "shift_back":
            target = self.pick(self.writable)
            self.emit(f"{target}[:-1] = np.tanh({target}[1:]) + {target}[:-1]")
        else:
            i, j = self.index(), self.index()
            self.emit(f"M[{i}] = 0.5 * M[{j}] + np.sin(M[{i}])")

    def _index_arith(self):
        kind = self.pick(["double", "square", "reverse", "mixed"])
        base = self.pick(self.vectors)
        other = self.pick(self.vectors)
        self.emit(f"for i in range({N // 2 + 1}):")
        if kind == "double":
            self.emit(f"s += {base}[i + i] * {self.const()}", 2)
        elif kind == "square":
            self.emit(f"s += {base}[(i * i) % {N}] * {other}[i]", 2)
        elif kind == "reverse":
            self.emit(f"s += {base}[{N} - i - i - 1] * {other}[i + i]", 2)
        else:
            target = self.pick(self.writable)
            self.emit(f"{target}[(i + i) % {N}] += 0.5 * math.sin({other}[{N} - i - i - 1])", 2)
        if "n" in self.params and self.chance():
            self.emit(f"s += {base}[(n + n) % {N}] * {other}[n % {N}]")

    def _copy_expression(self):
        e = self.fresh("e")
        self.emit(f"{e} = " + self.pick([f"({self.vexpr(N)}).copy()", f"np.sin({self.piece(N)}).copy()",
                                        f"(M * {self.const()}).copy()", f"M[{self.index()}].copy()",
                                        f"{self.piece(N)}.copy()"]))
        self.emit(f"{e}[{self.index()}] += {self.const()}")
        self.emit(f"s += 0.5 * np.sum({e} * {e})")

    def _large_int(self):
        n = self.n
        inverse = f"{1.0 / (float(n) * float(n)):.17g}"
        self.emit(self.pick([
            f"s += {self.pick(self.vectors)}[0] * (n * (n / 1)) * {inverse}",
            f"s += math.tanh({self.pick(self.vectors)}[1] * (n * 1.0 - n + 1))",
            f"s += (n + n) / n * {self.pick(self.vectors)}[2]",
            f"s += float(n % 97) * 0.01 * {self.pick(self.vectors)}[3]",
            f"s += math.sin({self.pick(self.vectors)}[{self.index()}] * (n / (n + 1)))",
            f"s += np.sum({self.pick(self.vectors)} * (n * (n / 1))) * {inverse}",
            f"s += {self.pick(self.vectors)}[4] * ((n * 3) // 3 - n + 1)",
        ]))

    # the module ------------------------------------------------------------
    def program(self):
        if self.chance():
            self.params.append("A")
        if self.kinds == ("large_int",):
            self.params.append("n")
            self.n = self.pick(LARGE_INTS)
        elif self.chance():
            self.params.append("n")
            self.n = self.pick([2, 3] + list(LARGE_INTS))
        self.emit(f"w = x.copy()")
        self.emit(f"v = y * 1.0")
        self.emit("M = " + ("A.copy()" if "A" in self.params else "np.outer(np.sin(x), np.cos(y))"))
        self.emit("s = 0.0")
        for _ in range(self.c.integer(1, self.statements)):
            self.statement()
        self.emit(self.pick(["return np.sum(w * w) + 0.3 * np.sum(M * M) + np.sum(v) * 0.5 + s",
                             "return np.sum(np.tanh(w) * v) + 0.2 * np.sum(np.sin(M)) + s",
                             "return np.dot(w, v) + 0.1 * np.sum(M @ w) + s"]))
        header = ["import math", "", "import numba", "import numpy as np", ""]
        for name in self.helpers_used:
            params, body, _ = _HELPERS[name]
            header += ["", "@numba.njit", f"def {name}({params}):"] + ["    " + line for line in body] + [""]
        header += ["", f"def f({', '.join(self.params)}):"]
        return Program("\n".join(header + self.lines) + "\n", tuple(self.params), self.n)


def generate(chooser, statements=6, kinds=KINDS):
    """A :class:`Program` every choice of which is made by ``chooser``, with statements of ``kinds`` only."""
    return _Builder(chooser, statements, kinds).program()


def random_program(seed, statements=6, kinds=KINDS):
    """The program of a seed: reproducible without Hypothesis."""
    return generate(RandomChooser(seed), statements, kinds)


def programs(statements=6, kinds=KINDS):
    """A Hypothesis strategy of :class:`Program` that shrinks toward short, simple programs."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        return generate(HypothesisChooser(draw), statements, kinds)

    return strategy()
