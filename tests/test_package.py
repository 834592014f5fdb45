"""Plain tests of the package as installed: every module imports on its own, and the console script answers."""
import importlib, json, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT/'synthseg').glob('*.py') if not p.stem.startswith('_'))

@pytest.mark.parametrize('name', MODULES)
def test_module_imports_alone(name):
    "Each exported module imports in a fresh interpreter and exports what its `__all__` names."
    code = f"import synthseg.{name} as m; missing = [n for n in getattr(m, '__all__', []) if not hasattr(m, n)]; assert not missing, missing"
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]

def test_console_script_version():
    res = subprocess.run(['synthseg', '--version'], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith('synthseg '), res.stderr

def test_settings_and_package_agree():
    from synthseg import __version__
    ini = (ROOT/'settings.ini').read_text()
    assert f'version = {__version__}' in ini

def _synthseg_imports(path: Path) -> dict[str, set[str]]:
    "The synthseg modules a source file imports, anywhere in it (function bodies and lazy imports included), with the names taken from each."
    import ast
    found: dict[str, set[str]] = {}
    def add(mod, names=()):
        mod = mod.split('.')[0]
        if mod in MODULES: found.setdefault(mod, set()).update(names)
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level == 0 and not (base == 'synthseg' or base.startswith('synthseg.')): continue
            base = base[len('synthseg'):].lstrip('.') if node.level == 0 else base
            if base: add(base, {a.name for a in node.names})
            else:
                for a in node.names: add(a.name)  # `from synthseg import toy`
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('synthseg.'): add(a.name[len('synthseg.'):])
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', None)) == 'import_module':
            if node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith('synthseg.'):
                add(str(node.args[0].value)[len('synthseg.'):])
    return found

def test_no_import_cycles():
    "The package's modules import each other without a cycle, lazy imports included."
    graph = {m: set(_synthseg_imports(ROOT/'synthseg'/f'{m}.py')) - {m} for m in MODULES}
    state, path = {}, []
    def visit(m):
        state[m] = 'open'; path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 'open': raise AssertionError('import cycle: ' + ' -> '.join(path[path.index(n):] + [n]))
            if n not in state: visit(n)
        state[m] = 'done'; path.pop()
    for m in MODULES:
        if m not in state: visit(m)

def test_cycle_check_sees_lazy_imports(tmp_path):
    "The import graph counts an import inside a function, so a lazy import cannot hide a cycle."
    f = tmp_path/'m.py'
    f.write_text('def f():\n    from synthseg.toy import ToyPets\n    import synthseg.data\n    from . import metrics\n')
    test = _synthseg_imports(f)
    assert set(test) == {'toy', 'data', 'metrics'} and test['toy'] == {'ToyPets'}, test

def test_no_private_names_across_modules():
    "A module uses another's public names only: a private building block that two modules need belongs in a module of its own."
    bad = {m: {d: sorted(n for n in names if n.startswith('_')) for d, names in _synthseg_imports(ROOT/'synthseg'/f'{m}.py').items()} for m in MODULES}
    bad = {m: {d: ns for d, ns in deps.items() if ns} for m, deps in bad.items()}
    assert not any(bad.values()), {m: d for m, d in bad.items() if d}

_PARENT = '''
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from synthseg.downstream import exit_with_parent

def work(path):
    open(path + '.tmp', 'w').write(str(os.getpid())); os.replace(path + '.tmp', path); time.sleep(120)

if __name__ == '__main__':
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn'), initializer=exit_with_parent)
    pool.submit(work, sys.argv[1]); time.sleep(120)
'''

def _running(pid: int) -> bool:
    "Whether process `pid` still runs (a zombie waiting to be reaped has ended)."
    try: return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except (FileNotFoundError, ProcessLookupError): return False

@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='reads /proc')
def test_workers_end_with_their_parent(tmp_path):
    "A worker of the downstream table's process pool ends when its parent is killed, instead of training on for no one."
    import time
    script, pid_file = tmp_path/'parent.py', tmp_path/'worker.pid'
    script.write_text(_PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file)])
    try:
        for _ in range(600):
            if pid_file.exists() or parent.poll() is not None: break
            time.sleep(0.1)
        assert pid_file.exists(), 'the worker never started'
        worker = int(pid_file.read_text())
        assert _running(worker)
    finally:
        parent.kill(); parent.wait()
    for _ in range(150):
        if not _running(worker): break
        time.sleep(0.1)
    assert not _running(worker), 'the worker outlived its killed parent'
