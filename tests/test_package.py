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
