"""The code a pipeline stage runs: the import closure of its module within analysis/ (ast), and
the analyses' folder for the stages that iterate the analysis registry.

Used by tests/test_pipeline.py to check that each stage's code deps in dvc.yaml are exactly that
closure, and runnable:

    python -m scripts.code_deps            # every stage command: its code files
    python -m scripts.code_deps --fix      # rewrite the code deps of every stage in dvc.yaml
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "analysis"


def module_file(name: str, root: Path = ROOT) -> Path | None:
    """The file of a module name inside the package (a package's __init__.py), or None."""
    p = root / Path(*name.split("."))
    if (p / "__init__.py").is_file():
        return p / "__init__.py"
    return p.with_suffix(".py") if p.with_suffix(".py").is_file() else None


def imports(path: Path, root: Path = ROOT) -> set[str]:
    """Names of the package modules a file imports (absolute and relative, at any depth)."""
    modname = ".".join(path.relative_to(root).with_suffix("").parts)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = modname.split(".")[: -node.level]
                base = ".".join(parts + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m == PACKAGE or m.startswith(f"{PACKAGE}.")}


def closure(path: Path, root: Path = ROOT) -> set[str]:
    """Repository-relative paths of every package file ``path`` imports, itself included;
    ``__init__.py`` files (docstrings only, tested) are left out."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        for name in imports(f, root):
            g = module_file(name, root)
            if g is not None:
                todo.append(g)
    return {p.relative_to(root).as_posix() for p in seen if p.name != "__init__.py"}


#: Modules that import the registry only to validate parameters (a block's schema never
#: changes a stage's outputs), so their stages do not depend on every analysis.
VALIDATES_ONLY = {"analysis/config.py"}


def stage_deps(path: Path, root: Path = ROOT) -> set[str]:
    """A stage module's code deps: its closure, and the whole ``analysis/analyses`` folder
    when a module of the closure other than VALIDATES_ONLY imports ``analysis.registry``
    (the results and macros stages: the registry imports every analysis's spec, report and
    params at run time, which no import statement shows)."""
    files = closure(path, root)
    iterates = any(f"{PACKAGE}.registry" in imports(root / f, root)
                   for f in files - VALIDATES_ONLY)
    return files | ({"analysis/analyses"} if iterates else set())


def command_modules() -> dict[str, Path]:
    """Pipeline command -> the file of its module (from analysis.__main__.COMMANDS)."""
    sys.path.insert(0, str(ROOT))
    from analysis.__main__ import COMMANDS

    out: dict[str, Path] = {}
    for name, (module, _) in COMMANDS.items():
        path = module_file(module)
        assert path is not None, f"{module}: not a module of the package"
        out[name] = path
    return out


def fix(dvc_yaml: Path = ROOT / "dvc.yaml") -> None:
    """Replace each stage's analysis/ deps in dvc.yaml by its closure (other lines kept)."""
    import re

    modules = command_modules()
    out, command, in_deps = [], None, False
    for line in dvc_yaml.read_text().splitlines():
        m = re.match(r"\s+cmd: python -m analysis ([a-z0-9-]+)", line)
        if m:
            command = m.group(1)
        if re.match(r"\s+deps:$", line):
            out.append(line)
            indent = line[: len(line) - len(line.lstrip())] + "  "
            assert command is not None, f"{dvc_yaml}: deps before any cmd"
            out += [f"{indent}- {d}" for d in sorted(stage_deps(modules[command]))]
            in_deps = True
            continue
        if in_deps and re.match(r"\s+- analysis/", line):
            continue
        in_deps = in_deps and bool(re.match(r"\s+- ", line))
        out.append(line)
    dvc_yaml.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--fix"]:
        fix()
        sys.exit(0)
    for command, path in command_modules().items():
        print(f"{command}:")
        for dep in sorted(stage_deps(path)):
            print(f"  - {dep}")
