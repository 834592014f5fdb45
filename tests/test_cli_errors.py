"""The command line chapter's table of bad inputs (nbs/90_cli.ipynb), one pytest test per row.

Each row names a command, a text its error must contain, and whether it must fail before diffusers is imported.
A row passes when the command exits with status 2, prints one error line and no traceback, and writes nothing.
"""
import json, os, shlex, shutil, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYNTHSEG = [str(Path(sys.executable).parent/'synthseg')]  # the installed command, as users run it
LONG = 'a photo of a quiet room with a sofa, ' * 12 + 'and a cat'

def _table() -> list[dict]:
    "The rows of the bad-input table in the command line chapter."
    nb = json.loads((ROOT/'nbs'/'90_cli.ipynb').read_text())
    text = next(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown' and '| bad input | command |' in ''.join(c['source']))
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 4 or cells[0] in ('bad input', '---'): continue
        what, cmd, says, early = cells
        rows.append({'what': what, 'argv': shlex.split(cmd.strip('`')), 'says': says.strip('`'), 'early': early == '✓'})
    return rows

ROWS = _table()

def _read_only_mount_works() -> bool:
    if not shutil.which('unshare'): return False
    probe = subprocess.run(['unshare', '-m', 'sh', '-c', 'mount -t tmpfs -o ro none /mnt && ! touch /mnt/x'], capture_output=True)
    return probe.returncode == 0

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    "The files the table's capitalised names stand for."
    d = tmp_path_factory.mktemp('bad-input')
    (d/'FILE').write_text('not a folder'); (d/'EMPTY').mkdir(); (d/'RO').mkdir()
    from synthseg.core import assets_dir
    shutil.copytree(assets_dir()/'segmentators'/'toy-pets-tiny-vae', d/'BROKEN')
    w = (d/'BROKEN'/'segmentator.safetensors').read_bytes(); (d/'BROKEN'/'segmentator.safetensors').write_bytes(w[:len(w) // 2])
    made = subprocess.run([*SYNTHSEG, 'generate', '--prompt', 'a photo of a cat', '--num', '2', '--steps', '2', '--out', str(d/'SET')],
                          capture_output=True, text=True, cwd=d)
    assert made.returncode == 0, made.stderr[-2000:]
    for argv in (['train-vae', '--steps', '2', '--batch-size', '2', '--pets', '4', '--streets', '0', '--out', str(d/'VAE')],
                 ['train-segmentator', '--num', '2', '--steps', '1', '--views', '1', '--batch-size', '1', '--out', str(d/'SEG')]):
        made = subprocess.run([*SYNTHSEG, *argv], capture_output=True, text=True, cwd=d)
        assert made.returncode == 0, made.stderr[-2000:]
    return d

def _snapshot(d: Path) -> dict:
    return {str(p.relative_to(d)): (p.stat().st_size, p.stat().st_mtime_ns) for p in d.rglob('*') if p.is_file()}

@pytest.mark.parametrize('row', ROWS, ids=[r['what'] for r in ROWS])
def test_bad_input(row, world):
    names = {'NEW': str(world/'NEW'), 'FILE': str(world/'FILE'), 'EMPTY': str(world/'EMPTY'), 'BROKEN': str(world/'BROKEN'),
             'SET': str(world/'SET'), 'LONG': LONG, 'VAE': str(world/'VAE'), 'SEG': str(world/'SEG')}
    argv = [names.get(a, a) for a in row['argv']]
    argv = [str(world/'RO') + a[2:] if a.startswith('RO/') else a for a in argv]
    assert argv[0] == 'synthseg', row
    cmd = [*SYNTHSEG, *argv[1:]]
    if any(a.startswith(str(world/'RO')) for a in argv):
        if not _read_only_mount_works(): pytest.skip('no read-only file system can be mounted here (needs unshare and mount rights)')
        cmd = ['unshare', '-m', 'sh', '-c', f'mount -t tmpfs -o ro none {shlex.quote(str(world/"RO"))} && exec "$@"', 'sh', *cmd]
    before = _snapshot(world)
    env = {**os.environ, 'PYTHONPROFILEIMPORTTIME': '1' if row['early'] else ''}
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=world, env=env)
    lines = [l for l in res.stderr.splitlines() if not l.startswith('import time:')]
    errors = [l for l in lines if ': error: ' in l]
    assert res.returncode == 2, f'{row["what"]}: exit {res.returncode}\n' + '\n'.join(lines[-20:])
    assert 'Traceback' not in res.stderr, '\n'.join(lines[-30:])
    assert len(errors) == 1, f'{row["what"]}: expected one error, got:\n' + '\n'.join(lines[-10:])
    message = '\n'.join(lines[lines.index(errors[0]):])  # the error line and what it goes on to explain
    assert row['says'] in message, f'{row["what"]}: expected {row["says"]!r} in the error, got:\n{message}'
    assert _snapshot(world) == before, f'{row["what"]}: the failed command wrote or changed files'
    if row['early']:
        imported = {l.split('|')[-1].strip() for l in res.stderr.splitlines() if l.startswith('import time:')}
        assert not any(m == 'diffusers' or m.startswith('diffusers.') for m in imported), f'{row["what"]}: diffusers was imported before the error'
