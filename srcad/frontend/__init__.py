"""Frontend: read a function's source and lower it to srcad's core form."""

from .source import FunctionInfo, read_function
from .normalize import normalize

__all__ = ["FunctionInfo", "read_function", "normalize"]
