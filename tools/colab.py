"""Make every notebook runnable in Colab: an "Open in Colab" badge and a Colab-only install cell, built from
settings.ini, a hidden header cell that runs without nbdev, and a final export cell that only exports inside the repository.

    python tools/colab.py          # add or update them in nbs/index.ipynb and nbs/NN_*.ipynb
    python tools/colab.py --check  # exit 1 if any notebook lacks them or they are out of date
    python tools/colab.py --pip-args SOURCE  # the install cells' `pip install` arguments, all notebooks together,
                                             # with tinycnn taken from the folder SOURCE instead of GitHub (for CI)

The install cell installs tinycnn without its `dev` extra (nbdev and the test tools pin packages Colab relies on),
plus what a notebook imports beyond tinycnn's requirements (`EXTRAS`: captum where a notebook compares with it).
nbdev is a development tool: a `from nbdev... import` line in the hidden header cell becomes a `try:` that lets the
notebook run where nbdev is not installed.

The badge goes right after the title cell; the install cell (hidden on the docs site) comes next, so
it is the first code cell a Colab user runs. The URL uses settings.ini's `user` and `repo` (nbdev's
own `colab_link` uses `lib_name`). nbdev's usual last cell, `import nbdev; nbdev.nbdev_export()`, fails
outside a nbdev project, so it becomes conditional on the repository's settings.ini being there.
"""
import re, shlex, sys
from configparser import ConfigParser
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent.parent
BADGE_MARK = 'colab-badge.svg'
INSTALL_MARK = "if 'google.colab' in sys.modules:"

def settings():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']

def notebooks():
    return [ROOT/'nbs'/'index.ipynb'] + sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))

def badge_cell(nb_name, cfg):
    url = f"https://colab.research.google.com/github/{cfg['user']}/{cfg['repo']}/blob/{cfg['branch']}/nbs/{nb_name}"
    return nbformat.v4.new_markdown_cell(f'[![Open In Colab](https://colab.research.google.com/assets/{BADGE_MARK})]({url})')

EXTRAS = {'captum': 'captum'} # module a notebook imports → the package to install with tinycnn in Colab

def extras(nb):
    "The packages of `EXTRAS` that `nb`'s code cells import"
    code = '\n'.join(c.source for c in nb.cells if c.cell_type == 'code')
    return [pkg for mod, pkg in EXTRAS.items() if re.search(rf'^\s*(from|import)\s+{mod}\b', code, re.M)]

def github_source(cfg): return f"{cfg['lib_name']} @ git+https://github.com/{cfg['user']}/{cfg['repo']}.git@{cfg['branch']}"

def install_cell(cfg, nb):
    pkgs = ' '.join([f'"{github_source(cfg)}"', *extras(nb)])
    return nbformat.v4.new_code_cell(
        "#| hide\n"
        "# In Colab, install tinycnn first (elsewhere, install it as the README says).\n"
        "import sys\n"
        f"{INSTALL_MARK}\n"
        f"    %pip install -q {pkgs}")

NBDEV_IMPORT = re.compile(r'^(from nbdev\S* import .*)$', re.M)
NBDEV_NOTE = ' # nbdev is a development tool: the notebook runs without it'

SHOW_DOC = 'from nbdev.showdoc import show_doc'
SHOW_DOC_FALLBACK = f'try: {SHOW_DOC}\nexcept ImportError: show_doc = help # nbdev is a development tool: without it, Python\'s help'

def _optional(line:str)->str:
    "A `from nbdev... import` line as a `try:` that lets the notebook run without nbdev (`show_doc` falls back to `help`)"
    return SHOW_DOC_FALLBACK if line == SHOW_DOC else f'try: {line}\nexcept ImportError: pass{NBDEV_NOTE}'

def _header_without_nbdev(cell):
    "The hidden header cell's `from nbdev... import` lines made optional (nbdev is not installed in Colab)"
    if cell.cell_type == 'code' and cell.source.startswith('#| hide') and 'from fastcore.test import' in cell.source:
        cell.source = cell.source.replace(f'try: {SHOW_DOC}\nexcept ImportError: pass{NBDEV_NOTE}', SHOW_DOC)
        cell.source = NBDEV_IMPORT.sub(lambda m: _optional(m[1]), cell.source)
    return cell

EXPORT = 'import nbdev; nbdev.nbdev_export()'
GUARDED_EXPORT = ("#| hide\n# Export the library when running inside the tinycnn repository (not in Colab)\n"
                  "from pathlib import Path\n"
                  f"if Path('../settings.ini').exists(): {EXPORT}")

def _guard_export(cell):
    if cell.cell_type == 'code' and cell.source.strip().endswith(EXPORT) and 'settings.ini' not in cell.source:
        cell.source = GUARDED_EXPORT
    return cell

def fixed(nb, nb_name, cfg):
    "`nb` with the badge and install cells in place, replacing any old ones"
    is_badge = lambda c: BADGE_MARK in c.source and c.cell_type == 'markdown'
    old_ids = [next((c.get('id') for c in nb.cells if test(c)), None) for test in (is_badge, lambda c: INSTALL_MARK in c.source)]
    cells = [_header_without_nbdev(_guard_export(c)) for c in nb.cells if not is_badge(c) and INSTALL_MARK not in c.source]
    title = 1 if cells and cells[0].cell_type == 'markdown' and cells[0].source.startswith('# ') else 0
    new = [badge_cell(nb_name, cfg), install_cell(cfg, nb)]
    for cell, old_id in zip(new, old_ids): # keep the cells' ids, so a rewrite changes only what it must
        if old_id: cell['id'] = old_id
    nb.cells = cells[:title] + new + cells[title:]
    return nb

def _sources(nb): return [(c.cell_type, c.source) for c in nb.cells]

def pip_args(source):
    "The `pip install` arguments of every notebook's install cell, with tinycnn from the folder `source`"
    cfg, args = settings(), []
    for path in notebooks():
        cell = next(c for c in nbformat.read(path, as_version=4).cells if INSTALL_MARK in c.source)
        line = next(l for l in cell.source.splitlines() if l.strip().startswith('%pip install'))
        for a in shlex.split(line.strip().removeprefix('%pip install')):
            a = f"{cfg['lib_name']} @ {Path(source).resolve().as_uri()}" if a == github_source(cfg) else a
            if a not in args: args.append(a)
    return args

if __name__ == '__main__':
    if sys.argv[1:2] == ['--pip-args']:
        print(shlex.join(pip_args(sys.argv[2]))); sys.exit()
    cfg, bad = settings(), []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        before = _sources(nb)
        after = _sources(fixed(nb, path.name, cfg))
        if before == after: continue
        if '--check' in sys.argv: bad.append(path.name)
        else:
            nbformat.write(nb, path); print(f'updated {path.name}')
    if bad: sys.exit(f'Colab badge, install cell or header cell missing or out of date in: {", ".join(bad)} (run python tools/colab.py)')
    if '--check' in sys.argv: print(f'{len(notebooks())} notebooks have their Colab badge and install cell')
