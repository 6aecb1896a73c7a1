"""What the benchmarks share: the median time of a call from Python, and the section of RESULTS.md each
benchmark keeps up to date."""

import os
import re
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def median_time(call, samples):
    """Median seconds of ``samples`` calls of ``call()`` after one warm-up call."""
    call()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_section(heading, report, command, preface=""):
    """Replace (or append) the section of RESULTS.md under ``heading`` (a ``## `` line), leaving the others."""
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else ""
    section = (f"{heading}\n\n- date: {time.strftime('%Y-%m-%d')}\n- command: `{command}`\n\n"
               f"{preface}{report}\n")
    pattern = re.compile(re.escape(heading) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as out:
        out.write(text)
