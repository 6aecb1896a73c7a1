"""Write the generated source of every catalogue function in every mode that applies to it.

    python3 tests/catalogue_sources.py --out DIR

writes ``DIR/<module>.<function>.<mode>.py`` (the module without its ``examples_``
prefix; mode one of grad, jvp, vjp, jacfwd, jacrev, hessian, hvp and check, which is
``value_and_grad``), the specialization for the catalogue's example arguments
(tests/catalogue.py), and ``DIR/INDEX`` listing them.  Nothing is compiled: the script sets
``NUMBA_DISABLE_JIT=1`` before Numba is imported.  Run it before and after a refactoring
of srcad and compare the folders, which must be byte-identical:

    diff -r before/ after/

Each file's header names the srcad version, so compare two trees of one version.
"""

import argparse
import os
import pathlib
import sys

os.environ["NUMBA_DISABLE_JIT"] = "1"   # generating source compiles nothing; skip Numba's compiler throughout

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=pathlib.Path, help="the folder to write (made if missing)")
    parser.add_argument("--only", default="", help="only the functions whose catalogue name contains this text")
    options = parser.parse_args(argv)

    import catalogue

    options.out.mkdir(parents=True, exist_ok=True)
    written, failed = [], []
    for entry, mode in catalogue.cases():
        if options.only not in entry.name:
            continue
        name = f"{entry.name}.{mode}.py"
        try:
            text = catalogue.source(entry, mode)
        except Exception as error:   # noqa: BLE001  (a refactoring that breaks one build must not hide the others)
            failed.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
            text = f"# no source: {type(error).__name__}: {error}\n"
        (options.out / name).write_text(text)
        written.append(name)
    (options.out / "INDEX").write_text("".join(f"{name}\n" for name in written))
    print(f"wrote {len(written)} files to {options.out}")
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
