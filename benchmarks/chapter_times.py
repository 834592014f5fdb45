"""How long each chapter takes with "Run All", as a student runs it: nbclient and a Jupyter kernel, without IN_TEST.

    python benchmarks/chapter_times.py                 # every notebook in nbs/, in order
    python benchmarks/chapter_times.py 08_generate 11_robust --out times.json

Cells flagged `#| slow` or `#| gpu` skip themselves at run time (synthseg.core.skip_flagged_cells) unless
SYNTHSEG_SLOW=1 is set or CUDA is present, exactly as in Jupyter. The notebooks are executed in memory and
never written back. Prints one JSON object as the last line: per chapter, the wall time, whether it completed,
and its three slowest cells.
"""
import argparse, json, os, sys, time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _cell_seconds(cell) -> float | None:
    ex = cell.get('metadata', {}).get('execution', {})
    a, b = ex.get('iopub.execute_input'), ex.get('shell.execute_reply')
    if not (a and b): return None
    parse = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00'))
    return (parse(b) - parse(a)).total_seconds()

def time_notebook(path: Path, timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', record_timing=True,
                            resources={'metadata': {'path': str(path.parent)}})
    t0 = time.perf_counter(); error = None
    try: client.execute()
    except Exception as e: error = f'{type(e).__name__}: {str(e).strip().splitlines()[-1][:300]}'
    secs = time.perf_counter() - t0
    cells = [(i, _cell_seconds(c), ''.join(c.source).split('\n')[0][:60]) for i, c in enumerate(nb.cells) if c.cell_type == 'code']
    slowest = sorted((c for c in cells if c[1] is not None), key=lambda c: -c[1])[:3]
    failed = next((i for i, c in enumerate(nb.cells) if any(o.get('output_type') == 'error' for o in c.get('outputs', []))), None)
    if failed is not None:
        err = next(o for o in nb.cells[failed].outputs if o.get('output_type') == 'error')
        error = f'cell {failed} ({"".join(nb.cells[failed].source).splitlines()[0][:50]}): {err.get("ename")}: {err.get("evalue", "")[:300]}'
    skipped = sum(any('skipped: this cell' in ''.join(o.get('text', '')) for o in c.get('outputs', [])) for c in nb.cells if c.cell_type == 'code')
    return {'seconds': round(secs, 1), 'completed': error is None, 'error': error, 'skipped_cells': skipped,
            'slowest': [{'cell': i, 'seconds': round(s, 1), 'starts': first} for i, s, first in slowest]}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('names', nargs='*', help='notebook names without .ipynb (default: all of nbs/)')
    ap.add_argument('--timeout', type=int, default=3600, help='seconds one cell may take')
    ap.add_argument('--out', type=Path, help='also write the JSON here, updated after each chapter')
    a = ap.parse_args()
    os.environ.pop('IN_TEST', None)  # a student's run, not the test runner's
    paths = [ROOT/'nbs'/f'{n}.ipynb' for n in a.names] or sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    res = {}
    for p in paths:
        res[p.stem] = time_notebook(p, a.timeout)
        print(p.stem, json.dumps(res[p.stem]), file=sys.stderr, flush=True)
        if a.out: a.out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res))

if __name__ == '__main__': main()
