"""Build the documentation site offline, without Quarto.

    python tools/build_docs.py [--out _site]

nbdev's own notebook processing (`nbdev.serve.proc_nbs`: show_doc cells rendered to API signatures,
hidden cells dropped, `# Title` / `> summary` turned into frontmatter, backticked names linked) writes
the processed notebooks to `_proc/`; nbconvert then renders each one to an HTML page, and this script
wraps the pages with a sidebar of all chapters. Where Quarto is installed, `nbdev_docs` builds the
full nbdev site from the same notebooks. The build fails if a notebook ends up without a page.
"""
import argparse, html, re, shutil, sys, warnings
from pathlib import Path

import nbformat
import yaml
from nbconvert import HTMLExporter
from pygments.formatters import HtmlFormatter
from nbdev.config import get_config
from nbdev.serve import proc_nbs

CSS = """
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;line-height:1.55}
.wrap{display:flex;min-height:100vh}
nav{width:250px;flex:none;background:#f6f8fa;border-right:1px solid #d0d7de;padding:18px 14px;box-sizing:border-box}
nav .brand{font-weight:700;font-size:1.25em;margin-bottom:12px;display:block;color:#1f2328;text-decoration:none}
nav a{display:block;padding:3px 8px;border-radius:6px;color:#0969da;text-decoration:none;font-size:.95em}
nav a.current{background:#ddf4ff;font-weight:600}
main{flex:1;max-width:980px;padding:24px 40px;box-sizing:border-box;overflow-x:hidden}
h1.title{margin-bottom:0}
p.description{font-size:1.15em;color:#57606a;margin-top:6px;border-bottom:1px solid #d0d7de;padding-bottom:14px}
pre{background:#f6f8fa;padding:10px 12px;border-radius:6px;overflow-x:auto;font-size:.86em;line-height:1.4}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.jp-Cell{margin:10px 0}
.jp-OutputArea-output pre{background:#fff;border-left:3px solid #d0d7de;border-radius:0}
.jp-OutputArea-output img,main img{max-width:100%;height:auto}
a.anchor-link{visibility:hidden;margin-left:6px;text-decoration:none}
h1:hover a.anchor-link,h2:hover a.anchor-link,h3:hover a.anchor-link{visibility:visible}
.jp-RenderedHTMLCommon table{border-collapse:collapse;margin:8px 0}
.jp-RenderedHTMLCommon th,.jp-RenderedHTMLCommon td{border:1px solid #d0d7de;padding:4px 8px}
.jp-RenderedHTMLCommon blockquote{color:#57606a;border-left:3px solid #d0d7de;margin-left:0;padding-left:12px}
.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-RenderedMarkdown h2,.jp-RenderedMarkdown h3{border-bottom:1px solid #eaeef2;padding-bottom:4px}
.jp-OutputArea-output h3,.jp-OutputArea-output h4{margin:22px 0 4px 0;font-family:ui-monospace,monospace;font-size:1.05em;background:#f6f8fa;padding:6px 10px;border-left:4px solid #0969da}
.jp-OutputArea-output blockquote{margin:4px 0;color:#1f2328}
.jp-OutputArea-output blockquote code{font-size:.9em}
footer{color:#57606a;font-size:.85em;margin-top:40px;border-top:1px solid #d0d7de;padding-top:10px}
"""

PYGMENTS = HtmlFormatter().get_style_defs('.highlight')

def page_name(nb: Path) -> str:
    "nbdev's page naming: `nbs/05_segmentator.ipynb` -> `segmentator.html` (leading numbers dropped)."
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem) + '.html'

def split_frontmatter(nb) -> dict:
    "Remove the raw YAML frontmatter cell nbdev inserted, returning its fields."
    if nb.cells and nb.cells[0].cell_type == 'raw' and nb.cells[0].source.startswith('---'):
        fm = yaml.safe_load(nb.cells[0].source.strip().strip('-')) or {}
        nb.cells.pop(0)
        return fm
    return {}

def tidy_cells(nb) -> None:
    "Apply the Quarto cell options nbdev leaves for Quarto: `echo: false` hides the code, `output: false` the output."
    for cell in nb.cells:
        if cell.cell_type != 'code': continue
        lines = cell.source.splitlines()
        opts = {l[3:].split(':')[0].strip(): l.split(':', 1)[1].strip() for l in lines if l.startswith('#| ') and ':' in l}
        cell.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
        if opts.get('echo') == 'false' or not cell.source: cell.metadata.setdefault('transient', {})['remove_source'] = True
        if opts.get('output') == 'false': cell.outputs = []
        for o in cell.outputs:  # show_doc's source links carry Quarto link attributes that plain Markdown would print
            md = o.get('data', {}).get('text/markdown')
            if md: o['data']['text/markdown'] = re.sub(r'\{target="_blank"[^}]*\}', '', ''.join(md))

def build(out: Path) -> list[Path]:
    # nbdev executes every cell that holds an import while processing docs: a demo cell with an import inside
    # would run (slowly, or fail) at build time. Keep imports in import-only cells; make the warning an error.
    warnings.filterwarnings('error', message='Found cells containing imports and other code')
    cfg = get_config()
    nbs_path = Path(cfg.nbs_path)
    sources = sorted((p for p in nbs_path.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')),
                     key=lambda p: (p.stem != 'index', p.as_posix()))  # the landing page first
    proc = proc_nbs(path=str(nbs_path), n_workers=0, force=True)
    exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    base = (cfg.doc_host.rstrip('/') + cfg.doc_baseurl.rstrip('/') + '/')
    pages = []
    for src in sources:
        nb = nbformat.read(proc/src.relative_to(nbs_path), as_version=4)
        fm = split_frontmatter(nb)
        tidy_cells(nb)
        body, _ = exporter.from_notebook_node(nb)
        pages.append((src, page_name(src), fm.get('title', src.stem), fm.get('description', ''), body))
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    for src, name, title, desc, body in pages:
        links = '\n'.join(f'<a href="{n}"{" class=current" if n == name else ""}>{html.escape(t)}</a>'
                          for _, n, t, _, _ in pages)
        body = body.replace(base, '')  # nbdev links names to the hosted site; keep them inside this one
        doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – synthseg</title><style>{CSS}{PYGMENTS}</style></head>
<body><div class="wrap"><nav><a class="brand" href="index.html">synthseg</a>{links}</nav>
<main><h1 class="title">{html.escape(title)}</h1><p class="description">{html.escape(desc)}</p>
{body}
<footer>Generated from <code>{src.as_posix()}</code> by nbdev's notebook processing and nbconvert.</footer>
</main></div></body></html>"""
        (out/name).write_text(doc, encoding='utf-8')
    missing = [str(s) for s, n, *_ in pages if not (out/n).exists()]
    if missing or len(pages) != len(sources): sys.exit(f'docs: no page for {missing}')
    return [out/n for _, n, *_ in pages]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('_site'))
    args = ap.parse_args()
    made = build(args.out)
    print(f'docs: {len(made)} pages in {args.out}/: ' + ' '.join(p.name for p in made))

if __name__ == '__main__': main()
