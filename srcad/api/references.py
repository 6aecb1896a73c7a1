"""How a pickled derivative names its function: by module and qualified name, found again on load.

A worker process that loads a derivative imports the function it differentiates,
as pickle does for a plain function.  The name is not pickled as the function
itself because ``@srcad.grad`` on a module-level ``def f`` makes the module's
``f`` the derivative: :func:`find_function` goes from a derivative found under
the name to the function it differentiates.
"""

import importlib
import pickle

from ..frontend.source import unwrap


class FunctionByName:
    """A reference to a function by ``module`` and ``qualname``, which unpickles as that function."""

    def __init__(self, module, qualname):
        self.module = module
        self.qualname = qualname

    def __reduce__(self):
        return find_function, (self.module, self.qualname)


def find_function(module, qualname):
    """The function named ``module.qualname``; under a derivative made by srcad, the function it
    differentiates (that of its innermost derivative for a derivative of a derivative)."""
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    while getattr(found, "__srcad__", None) is not None:
        found = found.__srcad__.original
    return found


def function_reference(func, what):
    """A :class:`FunctionByName` for ``func``, the function of derivative ``what``; a
    :class:`pickle.PicklingError` that says why when a worker could not import it by name."""
    plain = unwrap(func)
    module = getattr(plain, "__module__", None)
    qualname = getattr(plain, "__qualname__", None) or getattr(plain, "__name__", "?")
    name = f"{module}.{qualname}" if module else qualname
    if "<" in qualname:   # <lambda>, <locals>: no name a worker could import
        problem = f"{name} is a lambda or is defined inside another function"
    elif module is None:
        problem = f"{qualname} names no module"
    else:
        try:
            found = find_function(module, qualname)
        except Exception as error:   # an import that fails or a name that is not there: why, in the message
            problem = f"{name} cannot be imported by name ({type(error).__name__}: {error})"
        else:
            problem = None if found is func or unwrap(found) is plain else \
                f"{name} is now another object than the function differentiated (was its module reloaded?)"
    if problem is not None:
        raise pickle.PicklingError(
            f"cannot pickle {what}: srcad pickles a derivative by reference to the function it "
            f"differentiates, which the process that loads it imports by name, and {problem}; define the "
            "function with a def at the top level of a module that the workers can import")
    return FunctionByName(module, qualname)
