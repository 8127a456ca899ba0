"""The library's layers: which tinycnn modules each module imports, drawn once on the Development page.

    python tools/layers.py          # print the mermaid drawing of nbs/development.qmd (the transitive reduction)
    python tools/layers.py --check  # exit 1 unless the page's drawing is this one, no import is private, no module is over 400 lines

The drawing keeps only the imports that no other path implies (its transitive reduction); every real import follows a path
of arrows, and every arrow is a real import.
"""
import ast, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400

def imports()->dict:
    "module → the tinycnn modules it imports (and the private names it imports from them, as `module._name`)"
    deps = {}
    for py in sorted((ROOT/'tinycnn').glob('*.py')):
        if py.name.startswith('_'): continue
        d = set()
        for n in ast.walk(ast.parse(py.read_text())):
            if isinstance(n, ast.ImportFrom) and n.module and (n.level == 1 or n.module.startswith('tinycnn.')):
                m = n.module.replace('tinycnn.', '')
                if m == 'tinycnn': continue
                d.add(m)
                d |= {f'{m}.{a.name}' for a in n.names if a.name.startswith('_')}
            if isinstance(n, ast.Import):
                d |= {a.name.split('.')[1] for a in n.names if a.name.startswith('tinycnn.')}
        deps[py.stem] = d
    return deps

def reduction(deps:dict)->dict:
    "The edges of `deps` that no longer path implies"
    def reach(m, skip):
        seen, todo = set(), [d for d in deps[m] if d != skip and '.' not in d]
        while todo:
            d = todo.pop()
            if d in seen: continue
            seen.add(d); todo += [e for e in deps[d] if '.' not in e]
        return seen
    return {m: {d for d in deps[m] if '.' not in d and d not in reach(m, d)} for m in deps}

def drawing()->str:
    deps = reduction(imports())
    lines = [f'  {m} --> {d}' for m in sorted(deps) for d in sorted(deps[m])]
    lines += [f'  {m}' for m in sorted(deps) if not deps[m] and not any(m in v for v in deps.values())]
    return '```{mermaid}\nflowchart BT\n' + '\n'.join(lines) + '\n```'

def problems()->list:
    page = (ROOT/'nbs'/'development.qmd').read_text()
    found = re.search(r'```\{mermaid\}.*?```', page, re.S)
    out = [] if found and found[0] == drawing() else ['the drawing on nbs/development.qmd is not the library\'s: paste `python tools/layers.py` there']
    out += [f'{m} imports the private name {d}' for m, v in imports().items() for d in v if '.' in d]
    out += [f'tinycnn/{p.name} has {n} lines (at most {MAX_LINES})' for p in sorted((ROOT/'tinycnn').glob('*.py'))
            if not p.name.startswith('_') and (n := len(p.read_text().splitlines())) > MAX_LINES]
    return out

if __name__ == '__main__':
    if '--check' in sys.argv:
        bad = problems()
        print('\n'.join(bad) or 'the layers are as drawn'); sys.exit(1 if bad else 0)
    print(drawing())
