#!/usr/bin/env python3
"""Checks the layering of src/: includes point down, never up, and form no
circle; gcrypt.h is included only by crypto/ and base/secmem.c.

    programs (src/*.c) -> cli -> transport -> envelope -> keys -> crypto -> base

With --graph, prints the folder-level include graph (who includes whom)."""
import os
import re
import sys

LAYERS = ["base", "crypto", "keys", "envelope", "transport", "cli", ""]
RANK = {name: i for i, name in enumerate(LAYERS)}
GCRYPT_OK = ("crypto/", "base/secmem.c")


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    src = os.path.join(top, "src")
    problems, graph, edges = [], {}, set()
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
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
    if "--graph" in sys.argv:
        for a, b in sorted(edges, key=lambda e: (-RANK.get(e[0], 9), -RANK[e[1]])):
            print(f"{a} -> {b}")
    for p in problems:
        print("check-includes: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
