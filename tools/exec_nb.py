"""Execute notebooks in place so their saved outputs (the pictures in the docs) come from running them.

    python tools/exec_nb.py nbs/01_data.ipynb [--skip slow gpu] [--test]

Cells flagged with a `--skip` directive (default: slow and gpu) keep their old outputs. With `--test`
the run sets IN_TEST like the test suite does. Afterwards run `nbdev_clean`.
"""
import argparse, os, re, sys, time
from pathlib import Path

def _progress_only(text: str) -> bool:
    "True when every line of `text` is a tqdm progress bar."
    lines = [l for l in re.split(r"[\r\n]+", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)) if l.strip()]
    return bool(lines) and all(re.search(r'\d+/\d+ \[[^\]]*\]\s*$', l) for l in lines)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--skip', nargs='*', default=['slow', 'gpu'], help='cell flags to skip')
    ap.add_argument('--test', action='store_true', help='set IN_TEST, as the test suite does')
    args = ap.parse_args()
    if args.test: os.environ['IN_TEST'] = '1'
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.process import extract_directives
    skip = set(args.skip)
    ok = True
    for fn in args.notebooks:
        fn = fn.resolve()
        nb = read_nb(fn)
        def _skip(cell):
            if cell.cell_type != 'code': return True
            if 'nbdev_export(' in cell.source: return True
            d = extract_directives(cell, remove=False)
            if [v.lower() for v in d.get('eval:', [])] == ['false']: return True  # `#| eval: false`, as nbdev_test skips it
            return bool(skip & set(d.keys()))
        for cell in nb.cells:  # a cell that now prints nothing must not keep the output of an older run
            if not _skip(cell): cell.outputs = []
        t0 = time.time()
        sh = CaptureShell(fn, mpl_format='jpeg')
        cwd = os.getcwd(); os.chdir(fn.parent)
        try: sh.run_all(nb, exc_stop=True, preproc=_skip)
        except Exception:
            sys.stderr.write(sh.prettytb(fname=fn) + '\n'); ok = False
        finally: os.chdir(cwd)
        if ok:
            for cell in nb.cells:  # progress bars on stderr (model loading, shard writing) are noise on a docs page
                if cell.cell_type == 'code' and cell.get('outputs'):
                    cell.outputs = [o for o in cell.outputs if not (o.get('name') == 'stderr' and _progress_only(''.join(o.get('text', ''))))]
            write_nb(nb, fn)
        print(f'{fn.name}: {"ok" if ok else "FAILED (not saved)"} in {time.time()-t0:.0f}s', flush=True)
        if not ok: break
    sys.exit(0 if ok else 1)

if __name__ == '__main__': main()
