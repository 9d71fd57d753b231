#!/usr/bin/env python3
"""Checks the layering of src/: includes point down, never up, and form no
circle, between folders and between modules; gcrypt.h is included only by
crypto/ and base/secmem.c; no two files share a name across folders.

    programs (src/*.c) -> cli -> transport -> envelope -> keys -> crypto -> base

A module is a .c file and its header (and its NAME_internal.h): cli/deliver
is cli/deliver.c with cli/deliver.h. Module A depends on module B when a
file of A includes a header of B; no chain of such dependencies may lead
back to where it started.

With --graph, prints the folder-level include graph (who includes whom)."""
import os
import re
import sys

LAYERS = ["base", "crypto", "keys", "envelope", "transport", "cli", ""]
RANK = {name: i for i, name in enumerate(LAYERS)}
GCRYPT_OK = ("crypto/", "base/secmem.c")


def module(rel):
    """cli/deliver.c, cli/deliver.h -> cli/deliver; keys/keys_internal.h ->
    keys/keys."""
    base = os.path.splitext(rel)[0]
    if base.endswith("_internal"):
        base = base[: -len("_internal")]
    return base


def module_circles(deps):
    """The strongly connected components of DEPS with more than one module
    (Tarjan's algorithm, iterative), each a sorted list."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(deps):
        if root in index:
            continue
        work = [(root, iter(sorted(deps.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(deps.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    src = os.path.join(top, "src")
    problems, graph, edges, deps, names_seen = [], {}, set(), {}, {}
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".am")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            if name in names_seen:
                problems.append(f"{rel}: the same file name as {names_seen[name]}")
            names_seen.setdefault(name, rel)
            if name.endswith(".am"):
                continue
            folder = os.path.dirname(rel)
            if folder not in RANK:
                problems.append(f"{rel}: folder '{folder}' is not a layer")
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for inc in re.findall(r'^#include\s+"([^"]+)"', text, re.M):
                if inc == "config.h":
                    continue
                dep = os.path.dirname(inc)
                if dep not in RANK or dep == "":
                    problems.append(f"{rel}: includes '{inc}', not a layer's header")
                    continue
                graph.setdefault(rel, set()).add(inc)
                if module(inc) != module(rel):
                    deps.setdefault(module(rel), set()).add(module(inc))
                if RANK[dep] > RANK[folder]:
                    problems.append(f"{rel}: includes '{inc}', which is above it")
                if dep != folder:
                    edges.add((folder or "programs", dep))
            if re.search(r"^#include\s+<gcrypt\.h>", text, re.M) and not rel.startswith(GCRYPT_OK):
                problems.append(f"{rel}: includes gcrypt.h outside crypto/")
    # No circle among headers (a .c file is a leaf).
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                problems.append("include circle: " + " -> ".join(stack + [node, nxt]))
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    for comp in module_circles(deps):
        problems.append("module circle: " + " <-> ".join(comp))
    if "--graph" in sys.argv:
        for a, b in sorted(edges, key=lambda e: (-RANK.get(e[0], 9), -RANK[e[1]])):
            print(f"{a} -> {b}")
    for p in problems:
        print("check-includes: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
