"""Write the layer's bytecode list: the modules the functions import at cold start.

Lambda's ``/opt`` is read-only, so a module the layer ships as source alone is
compiled on every cold start that imports it, while bytecode for a module no
function imports is only size. The layer's build (``layers/banksync/Makefile``)
therefore compiles banksync whole and, of its packages, the modules listed in
``layers/banksync/bytecode.txt``, which this writes: every module of the layer
that some function's ``app`` reads at start, in a fresh process with Lambda's
environment (as ``bench/cold_start.py`` measures it), optional imports that fail
included: their module is read and compiled all the same. The set of modules is the
same for arm64 and x86_64. Run after changing what a function imports:
``PYTHONPATH=. .venv/bin/python scripts/layer_bytecode.py``; the cold-start bench
names any function that imports a layer module without bytecode.
"""

from importlib.util import source_from_cache
from pathlib import Path

from bench.cold_start import subjects
from bench.lambda_site import BYTECODE_LIST, layer_tree, python_files


def imported_layer_modules() -> list[str]:
    """Every module of the layer's packages some function's start reads, as a path."""
    layer = layer_tree()
    found: set[str] = set()
    for name, (code, cwd, env) in subjects().items():
        if name == "floor":
            continue
        read, _ = python_files(code, cwd, env)
        for path in read:
            source = Path(source_from_cache(path)) if path.suffix == ".pyc" else path
            if source.is_relative_to(layer):
                relative = source.relative_to(layer)
                if relative.parts[0] != "banksync":  # compiled whole by the build
                    found.add(relative.as_posix())
    return sorted(found)


def main() -> None:
    modules = imported_layer_modules()
    header = (
        "# Modules of the layer's packages that some function imports at cold start:\n"
        "# the layer's build compiles these (and all of banksync), nothing else.\n"
        "# Written by scripts/layer_bytecode.py; do not edit by hand.\n"
    )
    BYTECODE_LIST.write_text(header + "".join(f"{module}\n" for module in modules))
    print(f"{len(modules)} modules -> {BYTECODE_LIST.relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
