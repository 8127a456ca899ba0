"""Make every notebook runnable in Colab: an "Open in Colab" badge and a Colab-only install cell, built from
settings.ini, and a final export cell that only exports inside the repository.

    python tools/colab.py          # add or update them in nbs/index.ipynb and nbs/NN_*.ipynb
    python tools/colab.py --check  # exit 1 if any notebook lacks them or they are out of date

The badge goes right after the title cell; the install cell (hidden on the docs site) comes next, so
it is the first code cell a Colab user runs. The URL uses settings.ini's `user` and `repo` (nbdev's
own `colab_link` uses `lib_name`). nbdev's usual last cell, `import nbdev; nbdev.nbdev_export()`, fails
outside a nbdev project, so it becomes conditional on the repository's settings.ini being there.
"""
import sys
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

def install_cell(cfg):
    return nbformat.v4.new_code_cell(
        "#| hide\n"
        "# In Colab, install tinycnn first (elsewhere, install it as the README says).\n"
        "import sys\n"
        f"{INSTALL_MARK}\n"
        f"    %pip install -q \"{cfg['lib_name']}[dev] @ git+https://github.com/{cfg['user']}/{cfg['repo']}.git@{cfg['branch']}\"")

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
    cells = [_guard_export(c) for c in nb.cells if not (BADGE_MARK in c.source and c.cell_type == 'markdown') and INSTALL_MARK not in c.source]
    title = 1 if cells and cells[0].cell_type == 'markdown' and cells[0].source.startswith('# ') else 0
    nb.cells = cells[:title] + [badge_cell(nb_name, cfg), install_cell(cfg)] + cells[title:]
    return nb

def _sources(nb): return [(c.cell_type, c.source) for c in nb.cells]

if __name__ == '__main__':
    cfg, bad = settings(), []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        before = _sources(nb)
        after = _sources(fixed(nb, path.name, cfg))
        if before == after: continue
        if '--check' in sys.argv: bad.append(path.name)
        else:
            nbformat.write(nb, path); print(f'updated {path.name}')
    if bad: sys.exit(f'Colab badge or install cell missing or out of date in: {", ".join(bad)} (run python tools/colab.py)')
    if '--check' in sys.argv: print(f'{len(notebooks())} notebooks have their Colab badge and install cell')
