"""Rendering generated functions as readable Python source.

Every group of statements that comes from one original line is preceded by a
comment holding that line, so a reader can follow the derivative back to the
code it came from.
"""

import ast
import math

_INDENT = "    "


class _Renderer:
    def __init__(self, line_text):
        self.line_text = line_text
        self.lines = []
        self.last_line = None

    def comment(self, stmt, depth):
        lineno = getattr(stmt, "lineno", None)
        if lineno is None or lineno == self.last_line:
            return
        self.last_line = lineno
        text = self.line_text(lineno)
        if text:
            self.lines.append(f"{_INDENT * depth}# {text}")

    def block(self, stmts, depth):
        if not stmts:
            self.lines.append(_INDENT * depth + "pass")
        for stmt in stmts:
            self.stmt(stmt, depth)

    def stmt(self, stmt, depth, is_elif=False):
        pad = _INDENT * depth
        if not is_elif:
            self.comment(stmt, depth)
        if isinstance(stmt, ast.If) and getattr(stmt, "srcad_one_line", False):
            self.lines.append(f"{pad}if {ast.unparse(stmt.test)}: {ast.unparse(stmt.body[0])}")
        elif isinstance(stmt, ast.If):
            keyword = "elif" if is_elif else "if"
            self.lines.append(f"{pad}{keyword} {ast.unparse(stmt.test)}:")
            self.block(stmt.body, depth + 1)
            orelse = stmt.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If) and getattr(orelse[0], "lineno", None) != stmt.lineno:
                self.comment(orelse[0], depth)
                self.stmt(orelse[0], depth, is_elif=True)
            elif orelse:
                self.lines.append(f"{pad}else:")
                self.block(orelse, depth + 1)
        elif isinstance(stmt, ast.For):
            self.lines.append(f"{pad}for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}:")
            self.block(stmt.body, depth + 1)
        elif isinstance(stmt, ast.While):
            self.lines.append(f"{pad}while {ast.unparse(stmt.test)}:")
            self.block(stmt.body, depth + 1)
        elif getattr(stmt, "srcad_accumulate", False):
            # ``x = x + e``, an accumulation the transforms read as any assignment
            self.lines.append(f"{pad}{ast.unparse(stmt.targets[0])} += {ast.unparse(stmt.value.right)}")
        else:
            self.lines.append(pad + ast.unparse(stmt))


def render_function(fn, line_text, decorator=None):
    """Source text of ``ast.FunctionDef`` ``fn``; ``line_text(lineno)`` gives each line's comment."""
    renderer = _Renderer(line_text)
    params = ", ".join(a.arg for a in fn.args.args)
    if decorator:
        renderer.lines.append(decorator)
    renderer.lines.append(f"def {fn.name}({params}):")
    renderer.block(fn.body, 1)
    return "\n".join(renderer.lines) + "\n"


def _literal(value):
    """Exact Python source of a number or a nested list of numbers."""
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "np.nan" if math.isnan(value) else "np.inf" if value > 0 else "-np.inf"
    return repr(value)


def render_constant(name, array):
    """``name = np.array(...)``: the global array ``array`` written out exactly."""
    dtype = "np.bool_" if array.dtype.kind == "b" else f"np.{array.dtype.name}"
    if array.ndim == 0:
        return f"{name} = np.array({_literal(array.item())}, dtype={dtype})"
    return f"{name} = np.array({_literal(array.tolist())}, dtype={dtype})"


def render_module(header_lines, imports, functions, constants=None):
    """A module: a header comment, imports, the global arrays ``constants`` (by name), then the function texts."""
    parts = ["\n".join(f"# {line}" if line else "#" for line in header_lines), "\n".join(imports)]
    if constants:
        parts.append("\n".join(render_constant(name, array) for name, array in constants.items()))
    parts.extend(functions)
    return "\n\n\n".join(part.rstrip("\n") for part in parts) + "\n"
