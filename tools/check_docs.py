"""Check the built documentation site in headless Chromium, as a reader would open it.

    python tools/check_docs.py [--site _site]

Every notebook must have a page; every page must load with its title, sidebar, table of contents and
pager; and the search box must find functions by name and sections by a word (through `?q=`, which the
page's search script reads on load). Exits 1 with the problems listed; needs the `chromium` package.
"""
import argparse, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--virtual-time-budget=3000']
SEARCHES = {'generate_dataset': 'generate.html#generate_dataset', 'load_pipeline': 'generate.html#load_pipeline',
            'check_safetensors': 'core.html#check_safetensors', 'reliability': 'attention.html#'}

def dom(browser: str, url: str) -> str:
    "The page's DOM after its scripts ran."
    res = subprocess.run([browser, *FLAGS, '--dump-dom', url], capture_output=True, text=True, timeout=120)
    return res.stdout

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--site', type=Path, default=ROOT/'_site')
    a = ap.parse_args()
    browser = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if not browser: sys.exit('check_docs: no Chromium found: apt-get install chromium')
    site, problems = a.site.resolve(), []
    nbs = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    for nb in nbs:
        page = site/(re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem) + '.html')
        if not page.exists(): problems.append(f'{nb.name}: no page {page.name}'); continue
        d = dom(browser, page.as_uri())
        for what, pattern in (('a title', r'<h1 class="title">[^<]+'), ('the sidebar', r'<nav class="side">'),
                              ('the search box', r'<input id="search"'), ('a pager', r'<nav class="pager">'),
                              ('the footer', r'<footer>Generated from <a href="https://')):
            if not re.search(pattern, d): problems.append(f'{page.name}: loaded without {what}')
        if nb.stem != 'index' and 'On this page' not in d: problems.append(f'{page.name}: no "On this page" contents')
        if 'No description has been provided for this image' in d: problems.append(f'{page.name}: a figure without alt text')
    for q, want in SEARCHES.items():
        d = dom(browser, (site/'index.html').as_uri() + f'?q={q}')
        results = d[d.find('id="search-results"'):][:20000]
        if f'href="{want}' not in results: problems.append(f'search for {q!r} does not offer {want}')
    if problems: sys.exit('check_docs:\n  ' + '\n  '.join(problems))
    print(f'check_docs: {len(nbs)} pages load in Chromium; search finds {", ".join(SEARCHES)}')

if __name__ == '__main__': main()
