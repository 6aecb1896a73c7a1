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
