"""Run every notebook in nbs/ through nbdev's test runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` (settings.ini `tst_flags`) are skipped. Set SYNTHSEG_SLOW=1 to run
the slow cells too, and SYNTHSEG_GPU=1 to run the gpu cells. Each notebook runs in its own process,
as `nbdev_test` does, so one notebook's state cannot leak into the next.
"""
import os, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

RUNNER = """
import sys
from nbdev.config import get_config
from nbdev.test import test_nb
from pathlib import Path
cfg = get_config()
force = sys.argv[2].split()
ok, secs = test_nb(Path(sys.argv[1]), skip_flags=cfg.tst_flags.split(), force_flags=force, basepath=cfg.config_path)
sys.exit(0 if ok else 1)
"""

def _forced():
    return ' '.join(f for f, var in (('slow', 'SYNTHSEG_SLOW'), ('gpu', 'SYNTHSEG_GPU')) if os.environ.get(var))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    env = dict(os.environ)
    if int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1')) > 1: env.setdefault('OMP_NUM_THREADS', '1')  # one thread per notebook when they run side by side
    res = subprocess.run([sys.executable, '-c', RUNNER, str(nb), _forced()], cwd=ROOT, capture_output=True, text=True, env=env)
    assert res.returncode == 0, f'{nb.name} failed:\n{res.stderr[-6000:]}\n{res.stdout[-2000:]}'
