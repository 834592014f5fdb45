"""Clean up the pet masks after the dense CRF? Measured on cross-validated probabilities, never on the test photos.

    python benchmarks/mask_cleanup.py --probs FILE [--root DIR] [--size 256]

FILE is one of the safetensors files `benchmarks/segmentator_cv.py --save-probs DIR` writes: the held-out class
probabilities of every trainval photo, each predicted by a segmentator that never saw it. Each photo's pet mask, raw
and refined by `dense_crf` with its defaults (the recipe's), is cleaned up in four ways: none, only its largest
connected region kept, its holes filled, or both; the table gives the mIoU pooled over the photos.
The last line of stdout is one JSON object with every figure.
"""
import argparse, json

import numpy as np, torch
from safetensors.torch import load_file
from scipy import ndimage

from synthseg.blocks import dense_crf
from synthseg.core import real_assets_dir
from synthseg.data import OxfordPets
from synthseg.metrics import SegmentationMetric

def largest(m: np.ndarray) -> np.ndarray:
    "The largest 8-connected region of a boolean mask."
    lab, n = ndimage.label(m, structure=np.ones((3, 3)))
    if n <= 1: return m
    return lab == 1 + int(np.argmax(ndimage.sum(m, lab, range(1, n + 1))))

WAYS = {'none': lambda m: m, 'largest region': largest, 'holes filled': ndimage.binary_fill_holes,
        'largest region, holes filled': lambda m: ndimage.binary_fill_holes(largest(m))}

def main():
    assets = real_assets_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--probs', required=True); ap.add_argument('--root', default=assets/'oxford-iiit-pet-more' if assets else None)
    ap.add_argument('--size', type=int, default=256)
    a = ap.parse_args()
    probs, ds = load_file(a.probs), OxfordPets(a.root, 'trainval', size=a.size)
    mets = {(r, w): SegmentationMetric(ds.classes) for r in ('raw', 'crf') for w in WAYS}
    for i in sorted(int(k[5:]) for k in probs):
        image, m = ds[i][:2]; p = probs[f'photo{i}'].float()
        for r, q in (('raw', p), ('crf', dense_crf(image, p))):
            pet = (q.argmax(0) == 1).numpy()
            for w, f in WAYS.items(): mets[r, w].update(torch.from_numpy(f(pet).astype(np.int64))[None], m[None])
    res = {f'{r}/{w}': round(v.compute()['miou'], 4) for (r, w), v in mets.items()}
    print('| clean-up | raw | after the CRF |\n|---|---|---|')
    for w in WAYS: print(f"| {w} | {res[f'raw/{w}']:.4f} | {res[f'crf/{w}']:.4f} |")
    print(json.dumps({'probs': str(a.probs), 'photos': len(probs), 'results': res}))

if __name__ == '__main__': main()
