"""Random nested array expressions, for property tests of the scalarizing pass.

Every program has the signature ``program(M, N, v, u, x)`` with ``M`` (3, 4),
``N`` (4, 3), ``v`` (4,), ``u`` (3,) and a float ``x``, and returns a scalar
built from products, reductions (whole and over an axis), slices with
negative bounds and steps, broadcasting, reshapes, cumulative sums, linear
solves and elements of array expressions, nested into each other, in
indices, in conditions and in loops (``while`` tests too).  Only smooth operations are used, so central
differences are a reliable reference.
"""

import random

_PRODUCTIONS = {
    "vec4": [
        "v", "M[{i}]", "N[:, {j3}]", "np.sin({vec4})", "{vec4} * {scalar}", "{vec4} + {vec4}",
        "N @ {vec3}", "M.T @ {vec3}", "np.sum({mat34}, axis=0)", "{vec4}[::-1]", "np.cumsum({vec4}) * 0.25",
        "np.tanh({mat34}[1])", "np.concatenate(({vec4}[1:], {vec3}[-1:]))", "{mat34}.ravel()[2:6]",
        "np.diff(np.concatenate(({vec4}, {vec4}[:1])))", "np.linspace(0.0, 1.0, 4) * {vec4}",
        "np.arange(4) * {vec4}", "np.atleast_1d({vec4})", "np.linalg.solve({square} + 4.0 * np.eye(4), {vec4})",
        "{vec4}.reshape(2, 2).ravel()", "np.sum({mat34}[:, None, :], axis=0)[0]",
    ],
    "vec3": [
        "u", "M[:, {j4}]", "M @ {vec4}", "np.sum({mat34}, axis=1) * 0.5", "np.tanh({vec3} - {scalar})",
        "{vec3} * {vec3}", "{vec4}[1:]", "{vec4}[:-1] * {vec4}[1:]", "N.T @ {vec4}", "{mat34} @ N[:, 0]",
        "np.mean({mat34}, 1)", "np.linalg.inv({mat34}[:, :3] + 4.0 * np.eye(3)) @ {vec3}",
        "np.concatenate(({vec3}[::-2], {vec3}[1:2]))",
    ],
    "mat34": [
        "M", "N.T", "np.outer({vec3}, {vec4}) * 0.5", "M * {vec4}", "{mat34} - {vec3}[:, None]",
        "np.sin({mat34})", "({mat34} @ N) @ {mat34} * 0.1", "{mat34} * {scalar}", "{vec4}[None, :] + {mat34}",
        "np.cumsum({mat34}, axis=1) * 0.3", "np.reshape({mat34}.T, (3, 4))",
    ],
    "scalar": [
        "x", "np.sum({vec4})", "np.dot({vec4}, {vec4})", "np.mean({mat34})", "{mat34}[1, {j4}]",
        "({vec3})[{i}]", "np.linalg.norm({vec4} + 2.0)", "math.sin({scalar}) * {scalar}",
        "({scalar} if {scalar} > -100.0 else {scalar})", "np.sum({mat34} @ N)", "np.prod({vec3} * 0.5 + 1.0)",
        "({mat34} @ {vec4})[{i}]", "np.sum(np.diff({vec4}) ** 2)",
        "np.linalg.det({mat34}[:, 1:] + 3.0 * np.eye(3))", "np.sum({mat34}[int(np.sum({vec3}) > 0.0)])",
    ],
    "square": ["{mat34}.T @ {mat34} * 0.1", "np.outer({vec4}, {vec4}) * 0.1"],
}


class _Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def expr(self, kind, depth):
        options = _PRODUCTIONS[kind]
        choice = self.rng.choice(options[:3] if depth <= 0 else options)

        def fill(name):
            if name == "i":
                return str(self.rng.choice(["0", "2", "k", "-1", "int(M[0, 0] > 0.0)"]))
            if name == "j3":
                return str(self.rng.randrange(3))
            if name == "j4":
                return str(self.rng.choice(["1", "3", "k", "-2"]))
            inner = self.expr(name, depth - 1)
            return inner if inner.isidentifier() else f"({inner})"

        out, rest = "", choice
        while "{" in rest:
            start = rest.index("{")
            end = rest.index("}", start)
            out += rest[:start] + fill(rest[start + 1:end])
            rest = rest[end + 1:]
        return out + rest


def random_array_expression_program(seed, name="program"):
    builder = _Builder(seed)
    depth = builder.rng.randint(2, 4)
    lines = ["s = 0.0", "for k in range(3):",
             f"    s += math.tanh({builder.expr('scalar', depth)})",
             "j = 0",
             f"while j < 2 and {builder.expr('scalar', depth - 1)} < 100.0:",
             f"    s += math.tanh({builder.expr('scalar', depth - 1)}) * 0.5",
             "    j += 1",
             f"return s + math.tanh({builder.expr('scalar', depth)}) * x"]
    body = "\n".join("    " + line for line in lines)
    return f"import math\nimport numpy as np\n\n\ndef {name}(M, N, v, u, x):\n{body}\n"
