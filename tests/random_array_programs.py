"""Random programs over 1-D arrays, for property tests of the array machinery.

Every program has the signature ``program(x, w, n)`` (two float arrays of
length 5 and an int) and uses elementwise expressions, reductions, element
and slice writes, arrays reassigned in loops and arrays made in loops.  Only
smooth operations are used, so finite differences are a reliable reference.
"""

import random

_ARRAY_EXPRESSIONS = [
    "{a} * {b}",
    "np.sin({a}) + 0.5 * {b}",
    "np.tanh({a} * 0.5 - {b})",
    "{a} * np.sum({b}) * 0.1",
    "np.exp(-{a} * {a}) + 0.2 * {b}",
    "0.5 * {a} + 0.25 * {b} * {b}",
    "{a} / (1.0 + {b} * {b})",
]


class _Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lines = ["a1 = x * 1.0", "a2 = w + 0.0", "s = 0.0"]
        self.arrays = ["a1", "a2"]
        self.count = 2

    def pick(self):
        return self.rng.choice(self.arrays)

    def expr(self):
        return self.rng.choice(_ARRAY_EXPRESSIONS).format(a=self.pick(), b=self.pick())

    def statement(self):
        roll = self.rng.random()
        a, b = self.pick(), self.pick()
        if roll < 0.2:
            self.count += 1
            name = f"a{self.count}"
            self.lines.append(f"{name} = {self.expr()}")
            self.arrays.append(name)
        elif roll < 0.35:
            self.lines.append(f"{a} = {self.expr()}")
        elif roll < 0.5:
            self.lines += ["for i in range(len(x)):",
                           f"    {a}[i] = {a}[i] * 0.9 + 0.1 * math.sin({b}[i])"]
        elif roll < 0.6:
            self.lines.append(f"{a}[1:4] = {b}[0:3] * 0.5" if a != b else f"{a}[1:4] = x[0:3] * 0.5")
        elif roll < 0.75:
            self.lines.append(f"s += np.dot({a}, {b}) * 0.1")
        elif roll < 0.85:
            self.lines += ["for t in range(n):", f"    {a} = np.tanh({a} + 0.1 * {b})"]
        else:
            self.lines += ["for t in range(n):", "    tmp = np.zeros(len(x))",
                           "    for i in range(len(x)):", f"        tmp[i] = {b}[i] * 0.5 + t",
                           f"    s += np.sum(tmp * {a}) * 0.05"]


def random_array_program(seed, name="program"):
    builder = _Builder(seed)
    for _ in range(builder.rng.randint(2, 6)):
        builder.statement()
    result = f"np.sum({builder.pick()} * {builder.pick()}) + s"
    body = "\n".join("    " + line for line in builder.lines + [f"return {result}"])
    return f"import math\nimport numpy as np\n\n\ndef {name}(x, w, n):\n{body}\n"
