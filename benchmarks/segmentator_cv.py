"""Choose the real-photo segmentator's augmentation without looking at the test photos: cross-validation
on the trainval photos.

    python benchmarks/segmentator_cv.py [--root DIR] [--vae DIR] [--folds 0 1] [--steps 400] [--views 24]
                                        [--settings crop=1,paste=0 crop=0,paste=0.5] [--crf]

Defaults: the 13 trainval photos of the development machines' Oxford-IIIT Pet sample and the real TAESD.
The photos are split into four fixed folds (each breed spread over them); for every setting and every fold
in --folds, a segmentator is trained by `fit_segmentator`'s recipe on the other photos and predicts the
held-out ones. The figure per setting is the mIoU pooled over all held-out photos. With --crf the same
predictions are also scored after `dense_crf` (its defaults), as `train-segmentator` saves the Oxford-IIIT
Pet segmentator. One seed per setting: with a dozen photos, single runs swing by several hundredths, so
only large differences mean anything. The CRF figures of chapter 06 come from
`--folds 0 1 2 3 --settings crop=0,paste=0.5 --crf` (all 13 photos held out once).
The last line of stdout is one JSON object with every figure.
"""
import argparse, json, time

import torch

from synthseg.core import real_assets_dir, seed_everything
from synthseg.data import OxfordPets
from synthseg.metrics import SegmentationMetric
from synthseg.blocks import dense_crf
from synthseg.segmentator import FeatureCache, default_augment, default_hidden_states, predict_logits, train_segmentator
from synthseg.vae_features import load_vae

FOLDS = [[0, 1, 5, 9], [2, 6, 10], [3, 7, 11], [4, 8, 12]]  # indices in trainval.txt order of the shared sample


class Subset:
    "The samples `ids` of a dataset, as `FeatureCache` and `paste_view` read them."
    def __init__(self, ds, ids): self.ds, self.ids, self.classes, self.num_classes = ds, list(ids), ds.classes, ds.num_classes
    def __len__(self): return len(self.ids)
    def __getitem__(self, i): return self.ds[self.ids[i]]


def parse_setting(text):
    kv = dict(p.split('=') for p in text.split(','))
    return {'crop': bool(int(kv.get('crop', 1))), 'paste': float(kv.get('paste', 0))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    assets = real_assets_dir()
    ap.add_argument('--root', default=assets/'oxford-iiit-pet-mini' if assets else None)
    ap.add_argument('--vae', default=assets/'taesd' if assets else None)
    ap.add_argument('--folds', type=int, nargs='+', default=[0, 1])
    ap.add_argument('--steps', type=int, default=400)
    ap.add_argument('--views', type=int, default=24)
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--settings', nargs='+', default=['crop=1,paste=0', 'crop=0,paste=0.5'])
    ap.add_argument('--crf', action='store_true', help='also score the predictions refined by the dense CRF (needs pydensecrf2)')
    a = ap.parse_args()
    if a.root is None or a.vae is None: ap.error('give --root (Oxford-IIIT Pet in torchvision layout) and --vae')
    vae = load_vae(a.vae)
    ds = OxfordPets(a.root, 'trainval', size=a.size)
    if len(ds) != 13: ap.error(f'the folds are written for the 13-photo sample; {a.root} has {len(ds)} trainval photos')
    names = default_hidden_states(vae, a.size)
    results = {}
    for text in a.settings:
        s = parse_setting(text); met, met_crf = SegmentationMetric(ds.classes), SegmentationMetric(ds.classes); per_fold, per_fold_crf = {}, {}
        for k in a.folds:
            held = FOLDS[k]; train = Subset(ds, [i for i in range(len(ds)) if i not in held])
            t0 = time.perf_counter(); seed_everything(a.seed)
            cache = FeatureCache(vae, train, names, views=a.views, augment=default_augment(a.size, 1.0, s['crop']), seed=a.seed,
                                 progress=False, paste=s['paste'], paste_augment=default_augment(a.size, 1.0, crop=False))
            seg, _ = train_segmentator(cache, ds.classes, None, a.steps, 8, 2e-3, seed=a.seed, progress=False)
            fold_met, fold_crf = SegmentationMetric(ds.classes), SegmentationMetric(ds.classes)
            val = FeatureCache(vae, Subset(ds, held), names, progress=False)
            for j, i in enumerate(held):
                f, m = val.batch([j]); prob = predict_logits(seg, f, m.shape[1:], True); p = prob.argmax(1)
                met.update(p, m); fold_met.update(p, m)
                if a.crf:
                    q = dense_crf(ds[i][0], prob[0]).argmax(0)[None]
                    met_crf.update(q, m); fold_crf.update(q, m)
            per_fold[k] = round(fold_met.compute()['miou'], 4)
            if a.crf: per_fold_crf[k] = round(fold_crf.compute()['miou'], 4)
            print(f'{text}: fold {k} mIoU {per_fold[k]:.3f}' + (f', with the CRF {per_fold_crf[k]:.3f}' if a.crf else '')
                  + f' ({time.perf_counter() - t0:.0f} s)', flush=True)
        results[text] = {'pooled_miou': round(met.compute()['miou'], 4), 'folds': per_fold}
        if a.crf: results[text].update(pooled_miou_crf=round(met_crf.compute()['miou'], 4), folds_crf=per_fold_crf)
        print(f"{text}: pooled mIoU {results[text]['pooled_miou']:.3f}"
              + (f", with the CRF {results[text]['pooled_miou_crf']:.3f}" if a.crf else ''), flush=True)
    print(json.dumps({'steps': a.steps, 'views': a.views, 'size': a.size, 'seed': a.seed, 'results': results}))


if __name__ == '__main__':
    main()
