"""Unzipped size of the layer and of each function, as deployed for arm64 and Python 3.13.

The layer is measured as its own build makes it (``layers/banksync/Makefile``,
which ``sam build`` runs): the banksync package and the hash-checked wheels of
``layers/banksync/requirements.txt`` for arm64, compiled. Each function is its
code directory. Lambda's limits count these bytes.
"""

from pathlib import Path

from bench.lambda_site import ROOT, layer_build, tree_size

TARGET_MIB = 15
MIB = 2**20


def size(path: Path, bytecode: bool) -> int:
    return sum(
        file.stat().st_size
        for file in path.rglob("*")
        if file.is_file() and (file.suffix == ".pyc") == bytecode
    )


def main() -> None:
    layer = layer_build(arm64=True)
    code, compiled = size(layer, bytecode=False), size(layer, bytecode=True)
    total = code + compiled
    mark = "" if total <= TARGET_MIB * MIB else "  above target"
    print("unzipped sizes, arm64 / Python 3.13")
    print(
        f"  layer {total / MIB:5.1f} MiB (target ≤ {TARGET_MIB} MiB){mark}: "
        f"{code / MIB:.1f} MiB of packages and code, {compiled / MIB:.1f} MiB of bytecode"
    )
    parts = {part.name: size(part, False) + size(part, True) for part in layer.iterdir()}
    largest = sorted(((n, b) for n, b in parts.items() if "." not in n), key=lambda nb: -nb[1])
    print("    largest: " + ", ".join(f"{name} {b / MIB:.1f}" for name, b in largest[:6]))
    for function in sorted((ROOT / "functions").iterdir()):
        if (function / "app.py").exists():
            print(f"  function {function.name:<20} {tree_size(function) / 1024:6.1f} KiB")


if __name__ == "__main__":
    main()
