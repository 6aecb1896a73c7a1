"""Random programs of the accepted language, aimed at the interactions between its features.

Every program is a module with a function ``program(a, x, M, P, n)``: a float
``a``, a float vector ``x`` of length 4, a 4x4 float matrix ``M``, an int64
permutation ``P`` of ``range(4)`` and a small int ``n`` (0 to 3), plus up to
two module-level helpers it calls.  It is differentiated with respect to
``a``, ``x`` and ``M``.  The generator mixes what the transforms handle in
separate places: nested array expressions (``np.dot(np.dot(M, x), M)``),
reductions inside indices and conditions, elements of an array used as the
scalar of an array expression (``v * v[0]``), integer index arrays permuted
while in use, indices computed from data that changes later, elements written
and read back in loops, helpers that fill local arrays, return early and
return tuples, ``while`` loops with ``and`` conditions, branches, ``break``,
``continue`` and early returns.

Values stay bounded (assigned values pass through ``tanh`` or ``sin``, loops
are short) and every operation is smooth away from the kinks of ``max``,
``min``, ``np.where``, comparisons and indices computed from data, so central
finite differences are a reliable reference wherever two step sizes agree.

Choices are made through a *chooser*: :class:`RandomChooser` draws from a
seeded ``random.Random`` (the campaign script, reproducible by seed) and
:func:`programs` draws every choice from Hypothesis, so that a failing
program shrinks to a small one.  The first option of every choice is the
simplest, which is where shrinking goes.
"""

import dataclasses
import random

import numpy as np

SIZE = 4
PARAMS = ("a", "x", "M", "P", "n")
WRT = (0, 1, 2)


@dataclasses.dataclass(frozen=True)
class Features:
    """Which constructs the generator may use; each can be switched off to isolate a failure."""

    invariant_reads_in_loops: bool = True  # an element read with an index that the loop does not change
    branches: bool = True                  # if/else, conditional expressions, break, continue, early return
    returns_in_loops: bool = True          # return inside a loop (with branches)
    while_and: bool = True                 # while k < n + 1 and <float condition>:
    nested_array_expressions: bool = True  # products and axis reductions of products: np.dot(np.dot(M, x), M)
    element_scalars: bool = True           # an array element as the scalar of an array expression: v * v[0]
    reductions_in_indices: bool = True     # reductions of array expressions inside indices and conditions
    data_indices: bool = True              # indices computed from floats: x[int(abs(s) * 3.0) % 4]
    changing_index_arrays: bool = True     # a local int array permuted in loops while it indexes
    element_readback: bool = True          # z[k] = ...; s += z[k] * z[k] in loops
    helpers: bool = True                   # module-level helpers the program calls
    helper_early_returns: bool = True      # return inside an if in a helper
    helper_tuples: bool = True             # helpers returning (float, float)
    helper_statements: bool = True         # a helper that fills an array passed to it: as a statement, in while
    views: bool = True                     # r = W[i] then writes into r (NumPy writes through to W)
    whole_array_aliases: bool = True       # r = W then writes into r


#: every construct the generator writes (views, aliases and helper statements included)
ALL = Features()

#: straight-line code over arrays and scalars, with for loops: a base to switch single features on
NONE = Features(**{field.name: False for field in dataclasses.fields(Features)})

#: The constructs whose programs srcad differentiates correctly on the current main branch:
#: all of them (500 of 500 plain programs and 40 of 40 compiled agreed in the last campaign).
#: Switch a feature off here while a fix for it is still open; its reproducer goes to
#: test_found_bugs.py.
PASSING_ON_MAIN = Features()


class RandomChooser:
    """Choices from a seeded ``random.Random``."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def integer(self, low, high):
        return self.rng.randint(low, high)


class HypothesisChooser:
    """Choices drawn from Hypothesis, so that failures shrink."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self._draw = draw
        self._st = st

    def integer(self, low, high):
        return self._draw(self._st.integers(low, high))


_CONSTANTS = ("0.5", "0.3", "-0.4", "0.8", "1.2")


class _Scope:
    """Names visible at one point of a function, by kind.

    A block works on a copy: names first assigned inside it are not used after it.
    """

    def __init__(self, scalars, vectors, matrices, writable_vectors, writable_matrices, index_arrays):
        self.scalars = list(scalars)
        self.vectors = list(vectors)
        self.matrices = list(matrices)
        self.writable_vectors = list(writable_vectors)
        self.writable_matrices = list(writable_matrices)
        self.index_arrays = list(index_arrays)
        self.loop_indices = []   # int names known to lie in range(SIZE)
        self.in_loop = False

    def copy(self):
        other = _Scope(self.scalars, self.vectors, self.matrices, self.writable_vectors,
                       self.writable_matrices, self.index_arrays)
        other.loop_indices = list(self.loop_indices)
        other.in_loop = self.in_loop
        return other


@dataclasses.dataclass
class _Helper:
    """A module-level function the program may call: ``name(u, t)`` with a vector and a float."""

    name: str
    returns_tuple: bool
    fills_argument: bool


class _Builder:
    """Writes one module; every structural choice goes through ``self.c``."""

    def __init__(self, chooser, features, statements):
        self.statements = statements
        self.c = chooser
        self.f = features
        self.lines = []
        self.counter = 0
        self.helpers = []
        self.helper_returns_tuple = False
        self.budget = 0   # statements left for the function being written

    # choices ----------------------------------------------------------
    def pick(self, options):
        return options[self.c.integer(0, len(options) - 1)]

    def chance(self, allowed=True):
        """A yes/no choice whose simple answer (for shrinking) is no."""
        return allowed and self.c.integer(0, 1) == 1

    def fresh(self, stem):
        self.counter += 1
        return f"{stem}{self.counter}"

    def emit(self, indent, text):
        self.lines.append("    " * indent + text)

    # expressions --------------------------------------------------------
    def can_index(self, scope):
        return self.f.invariant_reads_in_loops or not scope.in_loop or bool(scope.loop_indices)

    def index(self, scope, depth):
        options = ["const"] if self.f.invariant_reads_in_loops or not scope.in_loop else []
        if scope.loop_indices:
            options += ["loop", "shifted"]
        if self.f.changing_index_arrays and scope.index_arrays and depth < 3:
            options.append("index_array")
        if self.f.data_indices and depth < 2:
            options.append("data")
        kind = self.pick(options) if options else "const"
        if kind == "const":
            return str(self.c.integer(0, SIZE - 1))
        if kind == "loop":
            return self.pick(scope.loop_indices)
        if kind == "shifted":
            return f"({self.pick(scope.loop_indices)} + {self.c.integer(1, SIZE - 1)}) % {SIZE}"
        if kind == "index_array":
            return f"{self.pick(scope.index_arrays)}[{self.index(scope, depth + 1)}]"
        inner = self.scalar(scope, depth + 1, reductions=self.f.reductions_in_indices)
        return f"int(abs({inner}) * 3.0) % {SIZE}"

    def scalar(self, scope, depth, reductions=True):
        options = ["name", "const"]
        if self.can_index(scope):
            options += ["element"] + (["matrix_element"] if scope.matrices else [])
        if depth < 3:
            options += ["binary", "smooth"]
            if reductions:
                options.append("reduction")
            if self.f.branches:
                options.append("conditional")
            if any(not h.returns_tuple and not h.fills_argument for h in self.helpers):
                options.append("call")
        kind = self.pick(options)
        if kind == "name":
            return self.pick(scope.scalars)
        if kind == "const":
            return self.pick(_CONSTANTS)
        if kind == "element":
            return f"{self.pick(scope.vectors)}[{self.index(scope, depth)}]"
        if kind == "matrix_element":
            return f"{self.pick(scope.matrices)}[{self.index(scope, depth)}, {self.index(scope, depth)}]"
        if kind == "binary":
            op = self.pick(["+", "*", "-"])
            return f"({self.scalar(scope, depth + 1, reductions)} {op} {self.scalar(scope, depth + 1, reductions)})"
        if kind == "smooth":
            inner = self.scalar(scope, depth + 1, reductions)
            return self.pick([f"math.sin({inner})", f"math.tanh({inner})", f"math.cos({inner})",
                              f"({inner} / (1.0 + {inner} * {inner}))", f"math.exp(-{inner} * {inner})"])
        if kind == "reduction":
            return self.reduction(scope, depth)
        if kind == "conditional":
            return (f"({self.scalar(scope, depth + 1, reductions)} if {self.condition(scope, depth + 1)} "
                    f"else {self.scalar(scope, depth + 1, reductions)})")
        helper = self.pick([h for h in self.helpers if not h.returns_tuple and not h.fills_argument])
        return f"{helper.name}({self.vector(scope, depth + 1)}, {self.scalar(scope, depth + 1, reductions)})"

    def reduction(self, scope, depth):
        kind = self.pick(["sum", "dot", "mean", "max", "min"] + (["matrix_sum"] if scope.matrices else []))
        if kind == "matrix_sum":
            return f"(0.1 * np.sum({self.matrix(scope, depth + 1)}))"
        v = self.array_operand(scope, depth)
        if kind == "dot":
            return f"(0.25 * np.dot({v}, {self.array_operand(scope, depth)}))"
        return f"({'0.25' if kind == 'sum' else '0.8'} * np.{kind}({v}))"

    def array_operand(self, scope, depth):
        """A vector operand of a product or a reduction: any expression only if nesting is on."""
        if self.f.nested_array_expressions:
            return self.vector(scope, depth + 1)
        return self.vector(scope, 3)

    def broadcast_scalar(self, scope, depth):
        if self.f.element_scalars:
            return self.scalar(scope, depth + 1, reductions=self.f.nested_array_expressions)
        return self.pick(scope.scalars + list(_CONSTANTS))

    def condition(self, scope, depth):
        reductions = self.f.reductions_in_indices
        left = self.scalar(scope, depth + 1, reductions)
        right = self.pick(list(_CONSTANTS)) if self.c.integer(0, 1) == 0 else self.scalar(scope, depth + 1, reductions)
        return f"{left} > {right}"

    def vector(self, scope, depth):
        options = ["name"]
        if depth < 3:
            options += ["smooth", "binary", "broadcast"]
            if scope.matrices:
                options += ["matvec", "axis_sum"] + (["row"] if self.can_index(scope) else [])
            if self.f.branches:
                options.append("where")
        kind = self.pick(options)
        if kind == "name":
            return self.pick(scope.vectors)
        if kind == "smooth":
            return f"np.{self.pick(['sin', 'tanh', 'cos'])}({self.vector(scope, depth + 1)})"
        if kind == "binary":
            return f"({self.vector(scope, depth + 1)} {self.pick(['+', '*', '-'])} {self.vector(scope, depth + 1)})"
        if kind == "broadcast":
            return f"({self.vector(scope, depth + 1)} * {self.broadcast_scalar(scope, depth)})"
        if kind == "matvec":
            m = self.matrix(scope, depth + 1) if self.f.nested_array_expressions else self.pick(scope.matrices)
            v = self.array_operand(scope, depth)
            return self.pick([f"(0.5 * np.dot({m}, {v}))", f"(0.5 * ({v} @ {m}))", f"(0.5 * ({m} @ {v}))"])
        if kind == "axis_sum":
            m = self.matrix(scope, depth + 1) if self.f.nested_array_expressions else self.pick(scope.matrices)
            return f"(0.5 * np.sum({m}, axis={self.c.integer(0, 1)}))"
        if kind == "row":
            return f"{self.pick(scope.matrices)}[{self.index(scope, depth)}]"
        v = self.vector(scope, depth + 1)
        return f"np.where({v} > 0.0, {v}, 0.5 * {v})"

    def matrix(self, scope, depth):
        options = ["name"]
        if depth < 3:
            options += ["smooth", "scaled", "binary", "transpose"]
            if self.f.nested_array_expressions:
                options += ["outer", "matmul"]
        kind = self.pick(options)
        if kind == "name":
            return self.pick(scope.matrices)
        if kind == "smooth":
            return f"np.{self.pick(['tanh', 'sin'])}({self.matrix(scope, depth + 1)})"
        if kind == "scaled":
            return f"({self.matrix(scope, depth + 1)} * {self.broadcast_scalar(scope, depth)})"
        if kind == "binary":
            return f"({self.matrix(scope, depth + 1)} {self.pick(['+', '*'])} {self.matrix(scope, depth + 1)})"
        if kind == "transpose":
            return f"{self.pick(scope.matrices)}.T"
        if kind == "outer":
            return f"np.outer({self.vector(scope, depth + 1)}, {self.vector(scope, depth + 1)})"
        return f"(0.5 * ({self.matrix(scope, depth + 1)} @ {self.matrix(scope, depth + 1)}))"

    def squash(self, text):
        return f"math.{self.pick(['tanh', 'sin'])}({text})"

    def squash_array(self, text):
        return f"np.{self.pick(['tanh', 'sin'])}({text})"

    # statements ---------------------------------------------------------
    def block(self, scope, indent, in_loop, size_max, helper=False):
        """At least one statement (a body cannot be empty), more while the function's budget lasts."""
        for count in range(self.c.integer(1, size_max)):
            if count and self.budget <= 0:
                break
            self.statement(scope, indent, in_loop, helper)

    def statement(self, scope, indent, in_loop, helper=False):
        self.budget -= 1
        options = ["assign", "accumulate", "element_write"]
        if indent < 4 and self.budget > 0:
            options += ["for"]
            if self.f.branches:
                options.append("if")
            if self.f.while_and:
                options.append("while")
            if self.f.element_readback and scope.writable_vectors:
                options.append("readback")
        options.append("new_vector")
        if self.f.changing_index_arrays and scope.index_arrays:
            options.append("swap")
        if not helper and any(h.returns_tuple for h in self.helpers):
            options.append("tuple_call")
        if not helper and any(h.fills_argument for h in self.helpers) and scope.writable_vectors:
            options.append("fill_call")
        if (self.f.views or self.f.whole_array_aliases) and scope.writable_matrices and not helper:
            options.append("view")
        kind = self.pick(options)
        getattr(self, "_" + kind)(scope, indent, in_loop, helper)

    def _assign(self, scope, indent, in_loop, helper):
        target = self.pick(scope.scalars[1:] or scope.scalars)
        if self.chance():
            target = self.fresh("s")
        self.emit(indent, f"{target} = {self.squash(self.scalar(scope, 0))}")
        if target not in scope.scalars:
            scope.scalars.append(target)

    def _accumulate(self, scope, indent, in_loop, helper):
        target = self.pick(scope.scalars[1:] or scope.scalars)
        self.emit(indent, f"{target} += 0.5 * {self.squash(self.scalar(scope, 0))}")

    def _element_write(self, scope, indent, in_loop, helper):
        if not self.can_index(scope):
            return self._assign(scope, indent, in_loop, helper)
        if scope.writable_matrices and self.chance():
            target = f"{self.pick(scope.writable_matrices)}[{self.index(scope, 1)}, {self.index(scope, 1)}]"
        elif scope.writable_vectors:
            target = f"{self.pick(scope.writable_vectors)}[{self.index(scope, 1)}]"
        else:
            return self._assign(scope, indent, in_loop, helper)
        op = self.pick(["=", "+="])
        scale = "" if op == "=" else "0.5 * "
        self.emit(indent, f"{target} {op} {scale}{self.squash(self.scalar(scope, 0))}")

    def _new_vector(self, scope, indent, in_loop, helper):
        writable = [v for v in scope.writable_vectors if v not in scope.vectors[:1]]
        if writable and self.chance():
            target = self.pick(writable)
        else:
            target = self.fresh("v")
        self.emit(indent, f"{target} = {self.squash_array(self.vector(scope, 0))}")
        for names in (scope.vectors, scope.writable_vectors):
            if target not in names:
                names.append(target)

    def _for(self, scope, indent, in_loop, helper):
        var = self.fresh("i")
        bounds = self.pick([f"{SIZE}", "n" if not helper else "2", "1, 3", f"{SIZE - 1}, -1, -1"])
        self.emit(indent, f"for {var} in range({bounds}):")
        inner = scope.copy()
        inner.loop_indices.append(var)
        inner.in_loop = True
        self.block(inner, indent + 1, True, 3, helper)
        self.maybe_jump(inner, indent + 1, True, helper)

    def _while(self, scope, indent, in_loop, helper):
        counter = self.fresh("k")
        self.emit(indent, f"{counter} = 0")
        limit = self.pick(["n + 1", "3"] if not helper else ["3"])
        fills = [h for h in self.helpers if h.fills_argument]
        if fills and scope.writable_vectors and not helper and self.chance():
            # a call with a side effect on the right of `and`: it must not run once the count is reached
            condition = f"{self.pick(fills).name}({self.pick(scope.writable_vectors)}, {self.scalar(scope, 1)}) < 1.0"
        else:
            condition = self.condition(scope, 1)
        self.emit(indent, f"while {counter} < {limit} and {condition}:")
        self.emit(indent + 1, f"{counter} += 1")
        inner = scope.copy()
        inner.in_loop = True
        self.block(inner, indent + 1, True, 2, helper)

    def _if(self, scope, indent, in_loop, helper):
        self.emit(indent, f"if {self.condition(scope, 1)}:")
        inner = scope.copy()
        self.block(inner, indent + 1, in_loop, 2, helper)
        self.maybe_jump(inner, indent + 1, in_loop, helper)
        if self.chance():
            self.emit(indent, "else:")
            other = scope.copy()
            self.block(other, indent + 1, in_loop, 2, helper)

    def maybe_jump(self, scope, indent, in_loop, helper):
        roll = self.c.integer(0, 5)
        if not self.f.branches or roll < 3:
            return
        if roll == 3 and in_loop:
            self.emit(indent, self.pick(["break", "continue"]))
        elif roll == 4 and in_loop and not self.f.returns_in_loops:
            return
        elif roll == 4 and not helper:
            self.emit(indent, f"return {self.result(scope)}")
        elif roll == 4 and self.f.helper_early_returns:
            self.emit(indent, f"return {self.helper_result(scope, self.helper_returns_tuple)}")

    def _readback(self, scope, indent, in_loop, helper):
        z = self.pick(scope.writable_vectors)
        k = self.index(scope, 1)
        var = self.fresh("i")
        target = self.pick(scope.scalars[1:] or scope.scalars)
        self.emit(indent, f"for {var} in range(3):")
        inner = scope.copy()
        inner.loop_indices.append(var)
        inner.in_loop = True
        self.emit(indent + 1, f"{z}[{k}] = {self.squash(self.scalar(inner, 1))}")
        self.emit(indent + 1, f"{target} += 0.5 * {z}[{k}] * {z}[{k}]")

    def _swap(self, scope, indent, in_loop, helper):
        p = self.pick(scope.index_arrays)
        i, j = self.index(scope, 2), self.index(scope, 2)
        t = self.fresh("t")
        self.emit(indent, f"{t} = {p}[{i}]")
        self.emit(indent, f"{p}[{i}] = {p}[{j}]")
        self.emit(indent, f"{p}[{j}] = {t}")

    def _tuple_call(self, scope, indent, in_loop, helper):
        h = self.pick([h for h in self.helpers if h.returns_tuple])
        first, second = self.fresh("s"), self.fresh("s")
        self.emit(indent, f"{first}, {second} = {h.name}({self.vector(scope, 1)}, {self.scalar(scope, 1)})")
        scope.scalars += [first, second]

    def _fill_call(self, scope, indent, in_loop, helper):
        h = self.pick([h for h in self.helpers if h.fills_argument])
        self.emit(indent, f"{h.name}({self.pick(scope.writable_vectors)}, {self.scalar(scope, 1)})")

    def _view(self, scope, indent, in_loop, helper):
        w = self.pick(scope.writable_matrices)
        r = self.fresh("r")
        if self.f.views and (not self.f.whole_array_aliases or self.chance()):
            self.emit(indent, f"{r} = {w}[{self.index(scope, 1)}]")
            self.emit(indent, f"{r}[{self.index(scope, 1)}] = {self.squash(self.scalar(scope, 1))}")
        else:
            self.emit(indent, f"{r} = {w}")
            self.emit(indent, f"{r}[{self.index(scope, 1)}, {self.index(scope, 1)}] = "
                              f"{self.squash(self.scalar(scope, 1))}")

    def result(self, scope):
        terms = [scope.scalars[-1] if len(scope.scalars) > 1 else scope.scalars[0],
                 f"0.3 * np.sum({self.pick(scope.vectors)})"]
        if scope.writable_matrices:
            terms.append(f"0.1 * np.sum({self.pick(scope.writable_matrices)})")
        terms.append(self.scalar(scope, 1))
        return " + ".join(terms)

    # functions ----------------------------------------------------------
    def helper(self, returns_tuple, fills_argument):
        """Write helper ``h<k>``: it fills its own array ``w`` (or the argument ``u``) in a loop, then returns."""
        name = f"h{len(self.helpers) + 1}"
        self.helper_returns_tuple = returns_tuple
        self.budget = max(1, self.statements // 3)
        body_start = len(self.lines)
        if fills_argument:
            self.emit(0, f"def {name}(u, t):")
            scope = _Scope(["t"], ["u"], [], ["u"], [], [])
            var = self.fresh("i")
            self.emit(1, f"for {var} in range({SIZE}):")
            scope.loop_indices.append(var)
            scope.in_loop = True
            self.emit(2, f"u[{var}] = {self.squash(self.scalar(scope, 1))}")
            self.emit(1, "return 0.0")
        else:
            self.emit(0, f"def {name}(u, t):")
            self.emit(1, f"w = np.zeros({SIZE})")
            scope = _Scope(["t", "c"], ["u", "w"], [], ["w"], [], [])
            self.emit(1, "c = 0.0")
            var = self.fresh("i")
            self.emit(1, f"for {var} in range({SIZE}):")
            inner = scope.copy()
            inner.loop_indices.append(var)
            inner.in_loop = True
            self.emit(2, f"w[{var}] = {self.squash(self.scalar(inner, 1))}")
            self.block(scope, 1, False, 2, helper=True)
            if self.f.helper_early_returns and self.chance():
                self.emit(1, f"if {self.condition(scope, 1)}:")
                self.emit(2, f"return {self.helper_result(scope, returns_tuple)}")
            self.emit(1, f"return {self.helper_result(scope, returns_tuple)}")
        self.helpers.append(_Helper(name, returns_tuple, fills_argument))
        self.lines.insert(body_start, "")
        self.lines.insert(body_start, "")
        self.lines.append("")

    def helper_result(self, scope, returns_tuple):
        first = f"c + 0.5 * np.dot({self.pick(scope.vectors)}, u) + {self.scalar(scope, 1)}"
        if not returns_tuple:
            return first
        return f"{first}, {self.squash(self.scalar(scope, 1))}"

    def program(self):
        """The module's text: helpers first, then ``program`` over its arguments and three locals."""
        if self.f.helpers:
            for _ in range(self.c.integer(0, 2)):
                returns_tuple = self.f.helper_tuples and self.chance()
                fills = self.f.helper_statements and not returns_tuple and self.chance()
                self.helper(returns_tuple, fills)
        self.emit(0, "")
        self.emit(0, "")
        self.emit(0, f"def program({', '.join(PARAMS)}):")
        self.emit(1, "s = 0.5 * a")
        self.emit(1, "v = x * 1.0")
        self.emit(1, "W = M.copy()")
        index_arrays = []
        if self.f.changing_index_arrays:
            self.emit(1, "p = P.copy()")
            index_arrays = ["p"]
        scope = _Scope(["a", "s"], ["x", "v"], ["M", "W"], ["v"], ["W"], index_arrays)
        self.budget = self.statements
        self.block(scope, 1, False, 6)
        self.emit(1, f"return {self.result(scope)}")
        return "import math\n\nimport numpy as np\n" + "\n".join(self.lines) + "\n"


def generate(chooser, features=ALL, statements=12):
    """Source text of a module defining ``program(a, x, M, P, n)``, every choice made by ``chooser``.

    ``statements`` bounds the program's statement count (a third of it each helper's).
    """
    return _Builder(chooser, features, statements).program()


def random_program(seed, features=ALL, statements=12):
    """The program of a seed: reproducible without Hypothesis."""
    return generate(RandomChooser(seed), features, statements)


def programs(features=ALL, statements=12):
    """A Hypothesis strategy of program texts that shrink toward short, simple programs."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        return generate(HypothesisChooser(draw), features, statements)

    return strategy()


def inputs(seed):
    """Arguments (a, x, M, P, n) and a direction (da, dx, dM) of the derivative, from a seed."""
    rng = np.random.default_rng(seed)
    a = float(rng.uniform(-1.0, 1.0))
    x = rng.uniform(-1.0, 1.0, SIZE)
    m = rng.uniform(-1.0, 1.0, (SIZE, SIZE))
    p = rng.permutation(SIZE).astype(np.int64)
    n = int(rng.integers(0, 4))
    direction = (float(rng.standard_normal()), rng.standard_normal(SIZE), rng.standard_normal((SIZE, SIZE)))
    return (a, x, m, p, n), direction
