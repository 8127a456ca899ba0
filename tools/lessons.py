"""The pages' two rules, checked: a lesson has at most 45 visible cells, and no hidden cell sets what a visible cell uses.

    python tools/lessons.py          # each page: visible cells, and the names visible cells take from hidden ones
    python tools/lessons.py --check  # exit 1, naming the page, unless every page keeps both rules

A cell is hidden when one of its leading `#|` lines is `#| hide`. A name a visible cell reads is "taken from a hidden
cell" when only a hidden cell that does not export bound it before (imported, assigned or defined). Cells whose code
the page does not show (`#| echo: false`, on the home page) are not visible code, so they are not checked.
"""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_CELLS = 45

def _directives(src:str)->list[str]:
    return [l.strip().replace(' ', '') for l in src.splitlines() if l.strip().startswith('#|')]

def hidden(cell:dict)->bool:
    "Is `cell` left off the page? (`#| hide` among its leading `#|` lines)"
    src = ''.join(cell['source'])
    lead = []
    for l in src.splitlines():
        if not l.strip().startswith('#|'): break
        lead.append(l.strip().replace(' ', ''))
    return '#|hide' in lead

def _code(src:str)->str: # IPython magics and shell lines are not Python
    return '\n'.join('' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines())

def _bound(tree)->set:
    "Names `tree` binds: imports, assignments, definitions and their arguments, loop and `except` names"
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Import, ast.ImportFrom)): out |= {(a.asname or a.name).split('.')[0] for a in n.names}
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): out.add(n.name)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store): out.add(n.id)
        elif isinstance(n, ast.ExceptHandler) and n.name: out.add(n.name)
        elif isinstance(n, ast.arg): out.add(n.arg)
    return out

def page_report(path:Path)->tuple[int, list[str]]:
    "The number of visible cells of the notebook at `path`, and the names its visible cells take from hidden cells"
    cells = json.loads(path.read_text())['cells']
    visible = sum(not hidden(c) for c in cells)
    from_hidden, shown, taken = set(), set(), set()
    for c in cells:
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        try: tree = ast.parse(_code(src))
        except SyntaxError: continue
        bound, export = _bound(tree), '#|export' in _directives(src)
        if hidden(c):
            if export: shown |= bound
            else: from_hidden |= bound - shown
        else:
            if '#|echo:false' not in _directives(src):
                read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                taken |= (read - bound) & from_hidden
            shown |= bound; from_hidden -= bound
    return visible, sorted(taken)

def pages()->list[Path]:
    return sorted((ROOT/'nbs').glob('*.ipynb')) + sorted((ROOT/'nbs'/'api').glob('*.ipynb'))

def problems()->list[str]:
    "Every page that breaks a rule, in words"
    out = []
    for p in pages():
        visible, taken = page_report(p)
        name = p.relative_to(ROOT/'nbs')
        if re.match(r'\d\d_', p.name) and p.parent.name == 'nbs' and visible > MAX_CELLS:
            out.append(f'{name}: {visible} visible cells, more than {MAX_CELLS}: split the lesson or hide its tests')
        if taken: out.append(f"{name}: visible cells use {', '.join(taken)} from a hidden cell: set them in a visible one")
    return out

if __name__ == '__main__':
    if '--check' in sys.argv:
        found = problems()
        print('\n'.join(found) or 'every page keeps both rules')
        sys.exit(1 if found else 0)
    for p in pages():
        visible, taken = page_report(p)
        print(f"{str(p.relative_to(ROOT/'nbs')):32s} {visible:3d} visible cells" + (f"; from hidden cells: {', '.join(taken)}" if taken else ''))
