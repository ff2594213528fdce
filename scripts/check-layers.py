#!/usr/bin/env python3
"""Checks how the Rust files import each other (part of `make lint`):

1. no import cycle between files: file A naming something of file B (a `use`, or a path
   such as `crate::server::pool()` in the code) while B names something of A, directly or
   through others. A module's own `mod.rs` re-exporting its children (`pub use`) is how
   Rust names a folder's contents, not an import, and is not counted;
2. the layers point one way (docs/ARCHITECTURE.md): nothing under `server/`, `domain/`,
   `import/` or `model/` names `api`, `pages` or `components`; `domain/` names nothing but
   itself; `components/` does not name `pages/`.

Exits 1 and says which files when either fails.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# `roster-core` (core/src) holds `domain`, `import`, `export` and `spreadsheet`: the same
# rules apply to its modules, which it names as `crate::domain` and so on.
CRATES = {"core": "core/src", "app": "app/src", "server": "server/src"}

# Which top-level modules of `app` each layer may not name.
FORBIDDEN = {
    "domain": {"import", "model", "server", "api", "pages", "components", "export"},
    "import": {"model", "server", "api", "pages", "components"},
    "model": {"server", "api", "pages", "components"},
    "server": {"api", "pages", "components"},
    "components": {"pages"},
}

PATH = re.compile(r"\b(crate|super|self)((?:::\w+)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::\w+)*)::\{([^;]*)\};", re.S)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(re.sub(r"//.*$", "", line) for line in text.splitlines())


def module_of(crate_dir, path):
    """`core/src/import/parse.rs` → ['import', 'parse']; `mod.rs`/`lib.rs` name their folder."""
    rel = os.path.relpath(path, crate_dir)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def files(crate_dir):
    out = {}
    for base, _, names in os.walk(crate_dir):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(base, name)
                out[tuple(module_of(crate_dir, path))] = path
    return out


def resolve(modules, segments):
    """The file a path names: its longest prefix that is a module."""
    for n in range(len(segments), -1, -1):
        if tuple(segments[:n]) in modules:
            return tuple(segments[:n])
    return None


def edges(crate_dir):
    modules = files(crate_dir)
    graph = {m: set() for m in modules}
    for module, path in modules.items():
        text = strip_comments(open(path, encoding="utf8").read())
        # Tests (a `#[cfg(test)]` module at the end of a file) are not the file's imports.
        if "#[cfg(test)]" in text:
            text = text[: text.index("#[cfg(test)]")]
        is_folder = os.path.basename(path) in ("mod.rs", "lib.rs", "main.rs")
        paths = []
        for root, prefix, inner in USE_GROUP.findall(text):
            for item in re.split(r",", inner):
                item = item.strip().split(" as ")[0].strip()
                if item and item != "self":
                    paths.append((root, prefix + "::" + item.replace("{", "").replace("}", "")))
                elif item == "self":
                    paths.append((root, prefix))
        paths += PATH.findall(text)
        for root, rest in paths:
            segments = [s for s in rest.split("::") if s]
            if root == "crate":
                base = []
            else:
                # `super` in a folder's mod.rs is the folder's parent; in a file, its folder.
                base = list(module)
                if root == "super" or not is_folder:
                    base = base[:-1] if root == "super" else base
                if root == "self" and not is_folder:
                    base = list(module)
                while segments and segments[0] == "super":
                    base = base[:-1]
                    segments = segments[1:]
            target = resolve(modules, base + segments)
            if target is None or target == module:
                continue
            # A folder naming its own children re-exports them: not an import.
            if is_folder and target[: len(module)] == module:
                continue
            graph[module].add(target)
    return modules, graph


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    problems = []
    for crate, rel in CRATES.items():
        crate_dir = os.path.join(ROOT, rel)
        modules, graph = edges(crate_dir)
        for comp in cycles(graph):
            names = sorted(os.path.relpath(modules[m], ROOT) for m in comp)
            problems.append("import cycle: " + " ↔ ".join(names))
        if crate == "app":
            for module, targets in graph.items():
                if not module:
                    continue
                banned = FORBIDDEN.get(module[0], set())
                for target in targets:
                    if target and target[0] in banned:
                        problems.append(
                            f"{os.path.relpath(modules[module], ROOT)} names "
                            f"{os.path.relpath(modules[target], ROOT)}: {module[0]}/ may not name {target[0]}/"
                        )
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print("layers: no import cycle, no upward import")


if __name__ == "__main__":
    main()
