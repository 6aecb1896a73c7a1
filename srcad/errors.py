"""Errors raised by srcad. Every refusal is a :class:`SrcadError`."""


class SrcadError(Exception):
    """Base class of every error srcad raises on purpose."""


class UnsupportedError(SrcadError):
    """A construct srcad does not differentiate, found while building a derivative.

    The message names the file, the line and the construct, for example::

        model.py:12: unsupported construct 'try': exception handling cannot be differentiated
    """

    def __init__(self, message, *, filename=None, lineno=None, construct=None):
        self.filename = filename
        self.lineno = lineno
        self.construct = construct
        self.reason = message
        where = ""
        if filename is not None:
            where = f"{filename}:{lineno}: " if lineno is not None else f"{filename}: "
        what = f"unsupported construct {construct!r}: " if construct else ""
        super().__init__(f"{where}{what}{message}")


class ShapeError(SrcadError, ValueError):
    """A tangent or cotangent that does not match what it pairs with: its shape, its dtype,
    or scalar against array.  Raised before any number is read, from Python and from
    ``@njit`` callers alike; ``got`` and ``expected`` are the two shapes when they differ.
    """

    def __init__(self, what, got=None, expected=None):
        self.what = what
        self.got = got
        self.expected = expected
        message = what if got is None else f"{what} has shape {tuple(got)}, expected {tuple(expected)}"
        super().__init__(message)


class DerivativeMismatchError(SrcadError):
    """Raised in ``check=True`` mode when a derivative disagrees with finite differences."""
