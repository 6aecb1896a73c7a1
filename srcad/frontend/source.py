"""Reading a user function: its source, syntax tree and the names it can see."""

import ast
import builtins
import inspect
import textwrap
from dataclasses import dataclass, field

from ..errors import SrcadError, UnsupportedError


@dataclass
class FunctionInfo:
    """A parsed user function together with what is needed to resolve its names."""

    func: object
    name: str
    filename: str
    firstlineno: int
    source: str
    tree: ast.FunctionDef
    params: list
    namespace: dict = field(repr=False)

    def line_text(self, lineno):
        """The original text of file line ``lineno``, stripped, or '' if unknown."""
        index = lineno - self.firstlineno
        lines = self.source.splitlines()
        if 0 <= index < len(lines):
            return lines[index].strip()
        return ""

    def where(self, node):
        return dict(filename=self.filename, lineno=getattr(node, "lineno", self.firstlineno))


def unwrap(func):
    """The plain Python function behind a Numba dispatcher.

    A callable made by srcad (``srcad.grad(f)`` ...) is returned as it is: it
    computes a derivative, and reading it as its primal ``f`` would
    differentiate the wrong function.
    """
    seen = 0
    while seen < 10 and hasattr(func, "py_func"):
        seen += 1
        func = func.py_func
    return func


def derivative_refusal(func):
    """Why ``func``, a callable made by srcad, cannot be read as a function to differentiate; None otherwise."""
    transformation = getattr(func, "__srcad__", None)
    if transformation is None:
        return None
    return (f"{func.__name__} is the {transformation.kind} of {transformation.info.name}() made by srcad; "
            "differentiating a derivative (or inlining one into a function being differentiated) is not "
            "supported yet")


def read_function(func):
    """Parse ``func`` (a Python function or Numba dispatcher) into a :class:`FunctionInfo`.

    A derivative made by srcad is refused with :class:`UnsupportedError`.
    """
    func = unwrap(func)
    refusal = derivative_refusal(func)
    if refusal is not None:
        code = getattr(getattr(func, "__srcad__", None), "primal", None)
        where = dict(filename=inspect.getsourcefile(code), lineno=code.__code__.co_firstlineno) if code else {}
        raise UnsupportedError(refusal, construct="derivative of a derivative", **where)
    if not inspect.isfunction(func):
        raise SrcadError(f"srcad differentiates Python functions, got {type(func).__name__}")
    try:
        lines, firstlineno = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise SrcadError(
            f"cannot read the source of {func.__qualname__!r} ({exc}); "
            "define it in a .py file so srcad can read it"
        ) from None
    source = textwrap.dedent("".join(lines))
    module = ast.parse(source)
    ast.increment_lineno(module, firstlineno - 1)
    tree = module.body[0]
    if not isinstance(tree, ast.FunctionDef):
        raise SrcadError(f"{func.__qualname__!r} is not defined by a 'def' statement")
    tree.decorator_list = []
    namespace = dict(vars(builtins))
    namespace.update(func.__globals__)
    if func.__closure__:
        for name, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                namespace[name] = cell.cell_contents
            except ValueError:
                pass
    params = [a.arg for a in tree.args.args]
    return FunctionInfo(
        func=func,
        name=func.__name__,
        filename=inspect.getsourcefile(func) or func.__code__.co_filename,
        firstlineno=firstlineno,
        source=source,
        tree=tree,
        params=params,
        namespace=namespace,
    )


class SourceMap:
    """Line numbers of a function and of the functions inlined into it.

    Inlined code keeps its own line numbers shifted by a multiple of
    ``SHIFT``, so every generated statement can still name its origin.
    """

    SHIFT = 1_000_000

    def __init__(self, info):
        self.infos = [info]

    def add(self, info):
        """Register an inlined function; returns the shift to add to its line numbers."""
        self.infos.append(info)
        return (len(self.infos) - 1) * self.SHIFT

    def locate(self, lineno):
        index, line = divmod(lineno, self.SHIFT)
        return self.infos[index], line

    def where(self, node):
        info, line = self.locate(getattr(node, "lineno", None) or self.infos[0].firstlineno)
        return dict(filename=info.filename, lineno=line)

    def line_text(self, lineno):
        """``line 12: s = s + x`` (with the function's name for inlined code), or '' if unknown."""
        info, line = self.locate(lineno)
        text = info.line_text(line)
        if not text:
            return ""
        where = f"line {line}" if info is self.infos[0] else f"{info.name}() line {line}"
        return f"{where}: {text}"
