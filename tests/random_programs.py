"""Random programs of the accepted language, for property tests.

Programs are built from a seed so that a failure names a reproducible case.
Values are kept bounded (tanh, sin, damped updates) so that finite
differences stay meaningful.
"""

import random

_EXPRESSIONS = [
    "{a} * {b}",
    "{a} + 0.5 * {b}",
    "{a} - {b} * 0.25",
    "math.sin({a}) * {b}",
    "math.cos({a} + {b})",
    "math.tanh({a} * {b} + 0.3)",
    "{a} * {b} / (1.0 + {a} * {a})",
    "math.exp(-{a} * {a}) + {b}",
    "{a} ** 2 * 0.5 - {b}",
    "math.sqrt(1.0 + {b} * {b}) * 0.5",
    "0.9 * {a} + 0.1 * math.atan({b})",
    "({a} if {a} > {b} else {b} * 0.5)",
    "math.log(1.0 + {a} * {a}) - {b}",
    "{a} * {i} * 0.1 + {b}",
    "math.hypot({a}, {b} + 0.5)",
]


class _Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lines = []
        self.floats = ["a", "b"]
        self.ints = ["n"]
        self.loop_vars = []
        self.counter = 0

    def emit(self, depth, text):
        self.lines.append("    " * depth + text)

    def pick_float(self):
        return self.rng.choice(self.floats)

    def expr(self):
        template = self.rng.choice(_EXPRESSIONS)
        ints = self.ints + self.loop_vars
        return template.format(a=self.pick_float(), b=self.pick_float(), i=self.rng.choice(ints))

    def new_name(self):
        self.counter += 1
        return f"v{self.counter}"

    def squash(self, text):
        return f"math.tanh({text})" if self.rng.random() < 0.5 else f"0.5 * math.sin({text})"

    def block(self, depth, size, in_loop):
        for _ in range(size):
            self.statement(depth, in_loop)

    def statement(self, depth, in_loop):
        roll = self.rng.random()
        if depth >= 3:
            roll = min(roll, 0.49)
        if roll < 0.3:
            target = self.new_name() if self.rng.random() < 0.4 or len(self.floats) < 3 else self.pick_float()
            self.emit(depth, f"{target} = {self.squash(self.expr())}")
            if target not in self.floats:
                self.floats.append(target)
        elif roll < 0.45:
            target = self.pick_float()
            op = self.rng.choice(["+=", "-=", "*="])
            value = self.squash(self.expr()) if op != "*=" else f"(0.5 + 0.4 * math.tanh({self.expr()}))"
            self.emit(depth, f"{target} {op} {value}")
        elif roll < 0.5:
            x, y = self.pick_float(), self.pick_float()
            if x == y:
                self.emit(depth, f"{x} = 0.5 * {y}")
            else:
                self.emit(depth, f"{x}, {y} = {y}, 0.5 * {x}")
        elif roll < 0.65:
            self.emit(depth, f"if {self.pick_float()} > {self.pick_float()} * 0.7 + 0.1:")
            saved = list(self.floats)
            self.block(depth + 1, self.rng.randint(1, 2), in_loop)
            if in_loop and self.rng.random() < 0.3:
                self.emit(depth + 1, self.rng.choice(["break", "continue"]))
            elif self.rng.random() < 0.15:
                self.emit(depth + 1, f"return {self.expr()}")
            self.floats = list(saved)
            if self.rng.random() < 0.6:
                self.emit(depth, "else:")
                self.block(depth + 1, self.rng.randint(1, 2), in_loop)
                self.floats = list(saved)
        elif roll < 0.85:
            var = f"i{len(self.loop_vars) + depth}"
            start, stop, step = self.rng.choice([
                ("0", "n", "1"), ("1", "4", "1"), ("n", "-1", "-1"), ("0", "7", "3"), ("5", "0", "-2"),
            ])
            self.emit(depth, f"for {var} in range({start}, {stop}, {step}):")
            self.loop_vars.append(var)
            saved = list(self.floats)
            self.block(depth + 1, self.rng.randint(1, 3), True)
            self.floats = list(saved)
            self.loop_vars.pop()
        else:
            counter = f"k{self.counter}"
            self.counter += 1
            self.emit(depth, f"{counter} = 0")
            limit = self.rng.randint(1, 4)
            self.emit(depth, f"while {counter} < {limit} and {self.pick_float()} < 5.0:")
            self.emit(depth + 1, f"{counter} += 1")
            saved = list(self.floats)
            self.block(depth + 1, self.rng.randint(1, 2), True)
            self.floats = list(saved)


def random_program(seed, name="program"):
    """Source text of a function ``name(a, b, n)`` built from ``seed``."""
    builder = _Builder(seed)
    builder.block(1, builder.rng.randint(2, 6), False)
    builder.emit(1, f"return {builder.expr()} + {builder.pick_float()}")
    return "import math\n\n\ndef " + name + "(a, b, n):\n" + "\n".join(builder.lines) + "\n"


def load_program(directory, text, module_name):
    """Write ``text`` to ``directory`` as a module and import it (srcad reads functions from files)."""
    import importlib.util

    path = directory / f"{module_name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.program, text
