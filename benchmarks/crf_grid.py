"""Choose the dense CRF's options on cross-validated probabilities, never on the test photos.

    python benchmarks/crf_grid.py --probs FILE [--root DIR] [--size 256] [--sxy 20 40 80] [--srgb 7 13 20] [--compat 4 8 12] [--iters 5]

FILE is one of the safetensors files `benchmarks/segmentator_cv.py --save-probs DIR` writes: the held-out class
probabilities of every trainval photo (`photo{i}`), each predicted by a segmentator that never saw it. Every combination of
the options refines them with `dense_crf` along the photo, and the table gives the mIoU pooled over the photos, raw first.
The last line of stdout is one JSON object with every figure.
"""
import argparse, itertools, json

from safetensors.torch import load_file

from synthseg.blocks import dense_crf
from synthseg.core import real_assets_dir
from synthseg.data import OxfordPets
from synthseg.metrics import SegmentationMetric

def main():
    assets = real_assets_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--probs', required=True); ap.add_argument('--root', default=assets/'oxford-iiit-pet-more' if assets else None)
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--sxy', type=float, nargs='+', default=[20, 40, 80]); ap.add_argument('--srgb', type=float, nargs='+', default=[7, 13, 20])
    ap.add_argument('--compat', type=float, nargs='+', default=[4, 8, 12]); ap.add_argument('--iters', type=int, nargs='+', default=[5])
    a = ap.parse_args()
    probs, ds = load_file(a.probs), OxfordPets(a.root, 'trainval', size=a.size)
    photos = sorted(int(k[5:]) for k in probs)
    raw = SegmentationMetric(ds.classes)
    grid = list(itertools.product(a.sxy, a.srgb, a.compat, a.iters))
    mets = {g: SegmentationMetric(ds.classes) for g in grid}
    for i in photos:
        image, m = ds[i][:2]; p = probs[f'photo{i}'].float()
        raw.update(p.argmax(0)[None], m[None])
        for g in grid: mets[g].update(dense_crf(image, p, iters=g[3], sxy=g[0], srgb=g[1], compat=g[2]).argmax(0)[None], m[None])
    res = {'raw': round(raw.compute()['miou'], 4), **{f'sxy={g[0]:g},srgb={g[1]:g},compat={g[2]:g},iters={g[3]}': round(mets[g].compute()['miou'], 4) for g in grid}}
    print('| CRF options | pooled mIoU |\n|---|---|')
    for k, v in sorted(res.items(), key=lambda kv: -kv[1]): print(f'| {k} | {v:.4f} |')
    print(json.dumps({'probs': str(a.probs), 'photos': len(photos), 'results': res}))

if __name__ == '__main__': main()
