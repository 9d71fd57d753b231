#!/bin/sh
# No include circle between the modules of src/keys (a module: a .c file
# and the header of the same name): pem.h and der.h take their caps from
# keys/limits.h, not from keys.h, whose keys.c includes them.
# (tools/check-includes.py looks at folders and header circles; this looks
# at modules, so a .c that includes a header that includes the .c's own
# header back is caught too.)
set -eu
exec python3 - "$top_srcdir/src/keys" <<'PY'
import os, re, sys
d = sys.argv[1]
graph = {}
for name in sorted(os.listdir(d)):
    if not name.endswith((".c", ".h")):
        continue
    mod = name[:-2]
    with open(os.path.join(d, name), encoding="utf-8") as f:
        for inc in re.findall(r'^#include\s+"keys/([^"/]+)\.h"', f.read(), re.M):
            if inc != mod:
                graph.setdefault(mod, set()).add(inc)
bad, state = [], {}
def visit(m, path):
    state[m] = 1
    for n in sorted(graph.get(m, ())):
        if state.get(n) == 1:
            bad.append(" -> ".join(path + [m, n]))
        elif n not in state:
            visit(n, path + [m])
    state[m] = 2
for m in sorted(graph):
    if m not in state:
        visit(m, [])
for b in bad:
    print("include circle among src/keys modules: " + b)
sys.exit(1 if bad else 0)
PY
