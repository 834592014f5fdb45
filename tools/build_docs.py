"""Build the documentation site offline, without Quarto.

    python tools/build_docs.py [--out _site]

nbdev's own notebook processing (`nbdev.serve.proc_nbs`: show_doc cells rendered to API signatures,
hidden cells dropped, `# Title` / `> summary` turned into frontmatter, backticked names linked) writes
the processed notebooks to `_proc/`; nbconvert then renders each one to an HTML page, and this script
wraps the pages in what a Quarto site gives: a sidebar of all chapters with a search box (the index is
`search-index.js`, read by `search.js`, so search works from `file://` too), an "on this page" table of
contents, previous/next links, a link to the repository, a parameter table under every API signature
(from the docments, as nbdev renders them), and figures whose alt text is their cell's comment or the
text before them. Source links come from `git_url` and `branch` in settings.ini; the build fails if one
points elsewhere or at a line that does not exist, or if a notebook ends up without a page.
Where Quarto is installed, `nbdev_docs` builds the full nbdev site from the same notebooks.
"""
import argparse, html, importlib, inspect, json, re, shutil, sys, warnings
from pathlib import Path

import nbformat
import yaml
from nbconvert import HTMLExporter
from pygments.formatters import HtmlFormatter
from nbdev.config import get_config
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parent.parent

CSS = """
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;line-height:1.55}
.wrap{display:flex;min-height:100vh}
nav.side{width:250px;flex:none;background:#f6f8fa;border-right:1px solid #d0d7de;padding:18px 14px;box-sizing:border-box;position:sticky;top:0;height:100vh;overflow-y:auto}
nav.side .brand{font-weight:700;font-size:1.25em;margin-bottom:10px;display:block;color:#1f2328;text-decoration:none}
nav.side a{display:block;padding:3px 8px;border-radius:6px;color:#0969da;text-decoration:none;font-size:.95em}
nav.side a.current{background:#ddf4ff;font-weight:600}
nav.side a.repo{margin-top:14px;border-top:1px solid #d0d7de;border-radius:0;padding-top:10px;color:#57606a}
#search{width:100%;box-sizing:border-box;padding:6px 8px;margin:0 0 10px 0;border:1px solid #d0d7de;border-radius:6px;font-size:.95em}
#search-results{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:-4px 0 10px 0;max-height:60vh;overflow-y:auto}
#search-results a.hit{display:block;padding:6px 8px;border-bottom:1px solid #eaeef2;border-radius:0;color:#1f2328}
#search-results a.hit b{color:#0969da;font-weight:600}
#search-results a.hit.api b{font-family:ui-monospace,monospace;font-size:.92em}
#search-results a.hit span{color:#57606a;font-size:.8em;margin-left:4px}
#search-results a.hit small{display:block;color:#57606a;font-size:.78em;line-height:1.35}
#search-results p.nohit{margin:6px 8px;color:#57606a;font-size:.9em}
main{flex:1;min-width:0;max-width:980px;padding:24px 40px;box-sizing:border-box;overflow-x:hidden}
nav.toc{width:220px;flex:none;padding:24px 12px;box-sizing:border-box;position:sticky;top:0;height:100vh;overflow-y:auto;font-size:.85em}
nav.toc h2{font-size:.95em;margin:0 0 6px 0;color:#57606a}
nav.toc a{display:block;color:#57606a;text-decoration:none;padding:2px 0}
nav.toc a.l3{padding-left:12px}
nav.toc a.api{font-family:ui-monospace,monospace;font-size:.92em}
@media (max-width:1200px){nav.toc{display:none}}
h1.title{margin-bottom:0}
p.description{font-size:1.15em;color:#57606a;margin-top:6px;border-bottom:1px solid #d0d7de;padding-bottom:14px}
pre{background:#f6f8fa;padding:10px 12px;border-radius:6px;overflow-x:auto;font-size:.86em;line-height:1.4}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.jp-Cell{margin:10px 0}
.jp-OutputArea-output pre{background:#fff;border-left:3px solid #d0d7de;border-radius:0}
.jp-OutputArea-output img,main img{max-width:100%;height:auto}
a.anchor-link{visibility:hidden;margin-left:6px;text-decoration:none}
h1:hover a.anchor-link,h2:hover a.anchor-link,h3:hover a.anchor-link{visibility:visible}
main table{border-collapse:collapse;margin:8px 0}
main th,main td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}
table.params{font-size:.9em;margin:6px 0 14px 0}
table.params th{background:#f6f8fa;text-align:left}
table.params td.name,table.params td.type,table.params td.default{font-family:ui-monospace,monospace;font-size:.92em}
.jp-RenderedHTMLCommon blockquote{color:#57606a;border-left:3px solid #d0d7de;margin-left:0;padding-left:12px}
.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-RenderedMarkdown h2,.jp-RenderedMarkdown h3{border-bottom:1px solid #eaeef2;padding-bottom:4px}
.jp-OutputArea-output h3,.jp-OutputArea-output h4{margin:22px 0 4px 0;font-family:ui-monospace,monospace;font-size:1.05em;background:#f6f8fa;padding:6px 10px;border-left:4px solid #0969da}
.jp-OutputArea-output blockquote{margin:4px 0;color:#1f2328}
.jp-OutputArea-output blockquote code{font-size:.9em}
a.source{float:right;font-size:.8em}
.pager{display:flex;justify-content:space-between;margin-top:40px;border-top:1px solid #d0d7de;padding-top:12px}
.pager a{color:#0969da;text-decoration:none;max-width:45%}
.pager small{display:block;color:#57606a}
footer{color:#57606a;font-size:.85em;margin-top:16px}
footer a{color:#57606a}
"""

SEARCH_JS = r"""
(function () {
  var box = document.getElementById('search'), out = document.getElementById('search-results');
  if (!box || !window.SEARCH_INDEX) return;
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function score(e, w) {
    var t = e.t.toLowerCase();
    if (t === w) return 100;
    if (t.indexOf(w) === 0) return 70;
    if (t.indexOf(w) >= 0) return 50;
    if ((e.x || '').toLowerCase().indexOf(w) >= 0) return 10;
    return 0;
  }
  function run(q) {
    var words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
    out.innerHTML = '';
    if (!words.length) { out.hidden = true; return; }
    var hits = [];
    window.SEARCH_INDEX.forEach(function (e) {
      var s = 0;
      for (var i = 0; i < words.length; i++) { var v = score(e, words[i]); if (!v) return; s += v; }
      hits.push([s + (e.k === 'api' ? 5 : e.k === 'page' ? 3 : 0), e]);
    });
    hits.sort(function (a, b) { return b[0] - a[0]; });
    hits.slice(0, 15).forEach(function (h) {
      var e = h[1], a = document.createElement('a');
      a.href = e.u; a.className = 'hit ' + e.k;
      a.innerHTML = '<b>' + esc(e.t) + '</b><span>' + esc(e.p) + '</span><small>' + esc((e.x || '').slice(0, 140)) + '</small>';
      out.appendChild(a);
    });
    if (!hits.length) out.innerHTML = '<p class="nohit">nothing found for ' + esc(q) + '</p>';
    out.hidden = false;
  }
  box.addEventListener('input', function () { run(box.value); });
  box.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var first = out.querySelector('a.hit'); if (first) location.href = first.href; }
    if (ev.key === 'Escape') { box.value = ''; run(''); }
  });
  var q = new URLSearchParams(location.search).get('q');
  if (q) { box.value = q; run(q); }
})();
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

def inline(text: str) -> str:
    "Escape `text` for HTML, rendering its `backticked` spans as code."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text))

def plain(md: str) -> str:
    "Markdown reduced to plain text: links to their words, no backticks, emphasis or headings."
    md = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', md)
    md = re.sub(r'[`*#>|]', '', md)
    return ' '.join(md.split())

def alt_text(cell, before: str, after: str = '') -> str:
    "A figure's alt text: the cell's `fig-alt`/`fig-cap` option, its first comment, an italic caption after it, or the paragraph before it."
    for key in ('fig-alt', 'fig-cap'):
        m = re.search(rf'^#\|\s*{key}:\s*(.+)$', cell.source, re.M)
        if m: return m.group(1).strip().strip('"\'')
    for line in cell.source.splitlines():
        s = line.strip()
        if s.startswith('#') and not s.startswith('#|') and len(s) > 3: return s.lstrip('# ').strip()
    paras = lambda md: [p for p in re.split(r'\n\s*\n', md) if p.strip() and not p.lstrip().startswith(('#', '```', '|'))]
    if after.lstrip().startswith('*') and (cap := paras(after)): text = plain(cap[0])
    elif before and (ps := paras(before)): text = plain(ps[-1])
    else: return 'A figure of this chapter'
    text = re.split(r'(?<=[.!?])\s', text, maxsplit=1)[0].rstrip(':')
    return text if len(text) <= 160 else text[:text.rfind(' ', 0, 157)] + '…'

def _symbol(module: str, name: str):
    obj = importlib.import_module(module)
    for part in name.split('.'): obj = getattr(obj, part)
    return obj

def param_table(module: str, name: str) -> str:
    "An HTML table of a function's parameters (type, default, the docment beside it), as nbdev renders them."
    from fastcore.docments import docments
    try: sym = _symbol(module, name)
    except (ImportError, AttributeError): return ''
    if inspect.isclass(sym): sym = sym.__init__
    if not callable(sym): return ''
    try: docs = docments(sym, full=True)  # annotations as written (the modules use `from __future__ import annotations`)
    except Exception: return ''
    rows = []
    for p, d in docs.items():
        if p in ('self', 'cls'): continue
        anno = '' if d.anno is inspect.Parameter.empty else d.anno if isinstance(d.anno, str) else inspect.formatannotation(d.anno)
        default = '' if d.default is inspect.Parameter.empty else repr(d.default)
        label = '<b>Returns</b>' if p == 'return' else html.escape(p)
        if p == 'return' and not anno: continue
        rows.append(f'<tr><td class="name">{label}</td><td class="type">{html.escape(anno)}</td>'
                    f'<td class="default">{html.escape(default)}</td><td>{inline(d.docment or "")}</td></tr>')
    if not rows or all(r.startswith('<tr><td class="name"><b>Returns') for r in rows): return ''
    return '\n\n<table class="params"><thead><tr><th></th><th>Type</th><th>Default</th><th>Details</th></tr></thead><tbody>' + ''.join(rows) + '</tbody></table>\n'

SOURCE = re.compile(r'\[source\]\(([^)]+)\)(\{target="_blank"[^}]*\})?')

def tidy_cells(nb, blob: str, problems: list[str]) -> list[str]:
    "Apply the Quarto cell options nbdev leaves, add parameter tables and alt text, check source links; returns the API names shown."
    api, before = [], ''
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == 'markdown': before = cell.source; continue
        if cell.cell_type != 'code': continue
        after = nb.cells[k + 1].source if k + 1 < len(nb.cells) and nb.cells[k + 1].cell_type == 'markdown' else ''
        lines = cell.source.splitlines()
        opts = {l[3:].split(':')[0].strip(): l.split(':', 1)[1].strip() for l in lines if l.startswith('#| ') and ':' in l}
        alt = alt_text(cell, before, after)
        cell.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
        if opts.get('echo') == 'false' or not cell.source: cell.metadata.setdefault('transient', {})['remove_source'] = True
        if opts.get('output') == 'false': cell.outputs = []
        for o in cell.outputs:
            data = o.get('data', {})
            if any(k.startswith('image/') for k in data): o.setdefault('metadata', {})['alt'] = alt  # nbconvert reads it for <img alt>
            md = data.get('text/markdown')
            if not md: continue
            md = ''.join(md)
            if (m := SOURCE.search(md)) and (h := re.search(r'^#+ (\S+)', md, re.M)):
                url = m.group(1)
                if not url.startswith(blob): problems.append(f'source link {url} is not under {blob} (settings.ini git_url and branch)')
                else:
                    path, _, line = url[len(blob):].partition('#L')
                    f = ROOT/path
                    if not f.is_file() or (line and int(line) > len(f.read_text(encoding='utf-8').splitlines())):
                        problems.append(f'source link {url} points at no such file or line')
                    elif path.startswith('synthseg/') and path.endswith('.py'):
                        name = h.group(1).replace('\\', '')
                        api.append(name)
                        md = md + param_table(path[:-3].replace('/', '.'), name)
                md = SOURCE.sub(lambda m: f'<a class="source" href="{m.group(1)}">source</a>', md)
            data['text/markdown'] = md
    return api

def headings(body: str) -> list[tuple[int, str, str]]:
    "The (level, id, text) of every h2 and h3 of a rendered page."
    return [(int(l), i, html.unescape(re.sub(r'<[^>]+>', '', t)).strip())
            for l, i, t in re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', body, re.S)]

def text_after(body: str, anchor: str, n: int = 400) -> str:
    "The first `n` characters of text after the heading with id `anchor`."
    i = body.find(f'id="{anchor}"')
    chunk = body[i:i + 20000] if i >= 0 else ''
    chunk = re.sub(r'<(script|style|pre)[^>]*>.*?</\1>|<table class="params">.*?</table>', ' ', chunk, flags=re.S)  # the words, not the code
    chunk = chunk[chunk.find('</h') + 5:] if '</h' in chunk else chunk
    chunk = re.split(r'<h[23] ', chunk, maxsplit=1)[0]
    return ' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', chunk)).split())[:n]

def check_home(pages) -> list[str]:
    "The home page must show README's results table as it stands (re-run tools/exec_nb.py index.ipynb after changing README)."
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    m = re.search(r'^## What it reaches\n(.*?)(?=^## )', readme, re.S | re.M)
    if not m: return ['README.md has no "## What it reaches" section for the home page']
    rows = [l for l in m.group(1).splitlines() if l.startswith('| ') and not l.startswith('| what ')]
    home = next((b for s, n, *_, b in pages if n == 'index.html'), '')
    firsts = [plain(r.strip('|').split('|')[0]) for r in rows]
    text = ' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', home)).split())
    lost = [f for f in firsts if plain(f) not in text]
    return [f'the home page lacks README rows {lost[:3]}: run `python tools/exec_nb.py index.ipynb`'] if lost else []

def build(out: Path) -> list[Path]:
    # nbdev executes every cell that holds an import while processing docs: a demo cell with an import inside
    # would run (slowly, or fail) at build time. Keep imports in import-only cells; make the warning an error.
    warnings.filterwarnings('error', message='Found cells containing imports and other code')
    cfg = get_config()
    nbs_path = Path(cfg.nbs_path)
    git_url, branch = cfg.git_url.rstrip('/'), cfg.branch
    blob = f'{git_url}/blob/{branch}/'
    sources = sorted((p for p in nbs_path.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')),
                     key=lambda p: (p.stem != 'index', p.as_posix()))  # the landing page first
    proc = proc_nbs(path=str(nbs_path), n_workers=0, force=True)
    exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    base = (cfg.doc_host.rstrip('/') + cfg.doc_baseurl.rstrip('/') + '/')
    pages, problems = [], []
    for src in sources:
        nb = nbformat.read(proc/src.relative_to(nbs_path), as_version=4)
        fm = split_frontmatter(nb)
        api = tidy_cells(nb, blob, problems)
        body, _ = exporter.from_notebook_node(nb)
        body = body.replace(base, '')  # nbdev links names to the hosted site; keep them inside this one
        pages.append((src, page_name(src), fm.get('title', src.stem), fm.get('description', ''), api, body))
    problems += check_home(pages)
    if problems: sys.exit('docs:\n  ' + '\n  '.join(dict.fromkeys(problems)))
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    index = []
    for k, (src, name, title, desc, api, body) in enumerate(pages):
        index.append({'t': title, 'u': name, 'p': title, 'k': 'page', 'x': desc})
        for level, hid, text in headings(body):
            kind = 'api' if text in api else 'section'
            index.append({'t': text, 'u': f'{name}#{hid}', 'p': title, 'k': kind, 'x': text_after(body, hid)})
    (out/'search-index.js').write_text('window.SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False) + ';\n', encoding='utf-8')
    (out/'search.js').write_text(SEARCH_JS, encoding='utf-8')
    for k, (src, name, title, desc, api, body) in enumerate(pages):
        links = '\n'.join(f'<a href="{n}"{" class=current" if n == name else ""}>{html.escape(t)}</a>' for _, n, t, *_ in pages)
        toc = ''.join(f'<a class="l{l}{" api" if t in api else ""}" href="#{i}">{html.escape(t)}</a>' for l, i, t in headings(body))
        prev = pages[k - 1] if k > 0 else None
        nxt = pages[k + 1] if k + 1 < len(pages) else None
        pager = (f'<nav class="pager"><span>' + (f'<a rel="prev" href="{prev[1]}"><small>previous</small>{html.escape(prev[2])}</a>' if prev else '')
                 + '</span><span>' + (f'<a rel="next" href="{nxt[1]}"><small>next</small>{html.escape(nxt[2])}</a>' if nxt else '') + '</span></nav>')
        rel = src.resolve().relative_to(ROOT).as_posix()
        doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – synthseg</title><style>{CSS}{PYGMENTS}</style></head>
<body><div class="wrap"><nav class="side"><a class="brand" href="index.html">synthseg</a>
<input id="search" type="search" placeholder="Search the book" aria-label="Search the book" autocomplete="off">
<div id="search-results" hidden></div>
{links}
<a class="repo" href="{html.escape(git_url)}">Repository on GitHub</a></nav>
<main><h1 class="title">{html.escape(title)}</h1><p class="description">{inline(desc)}</p>
{body}
{pager}
<footer>Generated from <a href="{html.escape(blob + rel)}">{html.escape(rel)}</a> by nbdev's notebook processing and nbconvert.</footer>
</main><nav class="toc" aria-label="On this page">{'<h2>On this page</h2>' + toc if toc else ''}</nav></div>
<script src="search-index.js"></script><script src="search.js"></script></body></html>"""
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
