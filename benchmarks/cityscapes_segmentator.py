"""Train the method-1 segmentator (frozen TAESD decoder hidden states) on real Cityscapes frames and score it on val.

    python benchmarks/cityscapes_segmentator.py [--root DIR] [--vae DIR] [--size 256x512] [--read-size 512x1024] [--eval-size 512x1024]
                                                [--settings views=8,steps=600,fuse_max_side=128 ...] [--threads 1] [--seed 0] [--lovasz 1]

Defaults: the 16 train and 5 val frames of `cityscapes-mini` in the shared assets, the real TAESD, one thread.
Each setting is a comma-separated list of recipe fields changed from the `default` segmentator recipe
(`views`, `steps`, `batch_size`, `lr`, `fuse_max_side`, `crop`, `paste`, `augment_strength`, `flip`, `amp`, `width`,
`class_weight`, and `fine` as hidden-state names joined by `+`, e.g. `fine=up2`: any field of the recipe, read as its type).
The training frames are read once at `--size` (height x width; Cityscapes is 2:1, so 256x512 keeps the shape),
or at `--read-size` with the views cut from them at `--size` (crops then hold detail a 256x512 frame has lost),
and held in memory; the hidden states of their views are cached exactly as `fit_segmentator` caches them
(same `FeatureCache` arguments and seeds), then `train_segmentator` trains with the recipe's fields. Settings
that share the cache fields (size, views, crop, paste, augment_strength) share one cache, made with the hidden
states of the setting with the largest `fuse_max_side` (`default_hidden_states`); a setting that reads fewer
hidden states trains on that subset, so its cache time is an upper bound. Every setting is scored with
`evaluate_segmentator` on the val frames at `--eval-size` (mirrored TTA, no CRF): 19 classes, 255 ignored,
classes absent from both truth and prediction left out. `--lovasz W` trains with cross-entropy plus W times
the Lovász-softmax loss (`_losses.py`). The last line of stdout is one JSON object.
"""
import argparse, copy, json, time
from pathlib import Path

import torch

from _losses import ce_lovasz
from synthseg.core import SynthsegError, real_assets_dir, seed_everything
from synthseg.data import CityscapesSeg
from synthseg.segmentator import (SEGMENTATOR_RECIPES, FeatureCache, default_augment, default_hidden_states, evaluate_segmentator,
                                  segmentator_recipe, train_segmentator)
from synthseg.vae_features import load_vae

CACHE_FIELDS = ('size', 'views', 'crop', 'paste', 'augment_strength')

def hw(text):
    "'256x512' -> (256, 512); '256' -> 256 (a square)."
    parts = [int(p) for p in text.lower().split('x')]
    return parts[0] if len(parts) == 1 else tuple(parts)


class InMemory:
    "The samples of a dataset, read once."
    def __init__(self, ds):
        self.samples = [ds[i] for i in range(len(ds))]
        self.classes, self.palette, self.num_classes = ds.classes, ds.palette, ds.num_classes
    def __len__(self): return len(self.samples)
    def __getitem__(self, i): return self.samples[i]


class Rescaled:
    "A dataset whose images are resized to `size` while its masks keep theirs: the segmentator predicts at the mask's size."
    def __init__(self, ds, size):
        from torchvision.transforms.v2.functional import resize
        self.ds, self.size, self.resize = ds, size, resize
        self.classes, self.palette, self.num_classes = ds.classes, ds.palette, ds.num_classes
    def __len__(self): return len(self.ds)
    def __getitem__(self, i):
        image, mask = self.ds[i]
        return self.resize(image, list(self.size) if isinstance(self.size, tuple) else [self.size, self.size], antialias=True), mask


def scores(res):
    "mIoU, pixel accuracy and per-class IoU of an `evaluate_segmentator` result, rounded for the JSON."
    return {'miou': round(res['miou'], 4), 'pixel_acc': round(res['pixel_acc'], 4),
            'per_class': {c: (None if v is None else round(v, 4)) for c, v in res['per_class'].items()}}


def parse_setting(text, size):
    "The `default` recipe at `size` with the fields of `text` changed, each read as its field's type by `Recipe.parse_changes`."
    return segmentator_recipe('default', size=size, **SEGMENTATOR_RECIPES['default'].parse_changes(text))


def subset_names(cache, names):
    "The cache reading only the hidden states `names`."
    c = copy.copy(cache)
    c.names = list(names); c.channels = {n: cache.channels[n] for n in names}
    c.feats = [{n: f[n] for n in names} for f in cache.feats]
    return c


def main():
    assets = real_assets_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', default=assets/'cityscapes-mini' if assets else None)
    ap.add_argument('--vae', default=assets/'taesd' if assets else None)
    ap.add_argument('--size', type=hw, default=(256, 512), help='training view size, HxW')
    ap.add_argument('--read-size', type=hw, help='read the training frames at this size, HxW, and cut the views (--size) from them (default: --size)')
    ap.add_argument('--eval-size', type=hw, default=(512, 1024), help='evaluation size, HxW')
    ap.add_argument('--infer-size', type=hw, nargs='+', default=[],
                    help='also score with the val images resized to these sizes (HxW) and the masks predicted at --eval-size')
    ap.add_argument('--settings', nargs='+', default=['views=8,steps=600,fuse_max_side=128,crop=0,flip=1'])
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--lovasz', type=float, default=0.0, help='add this weight of the Lovász-softmax loss to cross-entropy (0: plain)')
    ap.add_argument('--save', type=Path, help='save each segmentator under this folder (one subfolder per setting)')
    a = ap.parse_args()
    if a.root is None or a.vae is None: ap.error('give --root (Cityscapes in torchvision layout) and --vae')
    torch.set_num_threads(a.threads)
    vae = load_vae(a.vae)
    try: settings = {t: parse_setting(t, a.size) for t in a.settings}
    except SynthsegError as e: ap.error(str(e))
    t0 = time.perf_counter()
    read = a.read_size or a.size
    train = InMemory(CityscapesSeg(a.root, 'train', size=read))
    t_load = time.perf_counter() - t0
    val = CityscapesSeg(a.root, 'val', size=a.eval_size)
    print(f'{len(train)} train frames read at {read} in {t_load:.0f} s (views at {a.size}); {len(val)} val frames at {a.eval_size}', flush=True)
    groups = {}
    for t, r in settings.items(): groups.setdefault(tuple(getattr(r, f) for f in CACHE_FIELDS), []).append(t)
    results = {}
    for key, texts in groups.items():
        r0 = settings[texts[0]]
        want = {t: list(dict.fromkeys([*default_hidden_states(vae, a.size, settings[t].fuse_max_side), *settings[t].fine])) for t in texts}
        names = max(want.values(), key=len)
        t0 = time.perf_counter(); seed_everything(a.seed)
        cache = FeatureCache(vae, train, names, views=r0.views, augment=default_augment(a.size, r0.augment_strength, r0.crop), seed=a.seed,
                             progress=False, paste=r0.paste, paste_augment=default_augment(a.size, r0.augment_strength, crop=False))
        if read != a.size:  # the first view of each frame is the frame itself: read it at the view size
            first = FeatureCache(vae, InMemory(CityscapesSeg(a.root, 'train', size=a.size)), names, views=1, progress=False)
            n = len(first)
            cache.feats[:n], cache.masks[:n], cache.reliability[:n] = first.feats, first.masks, first.reliability
            cache.size = first.size
        t_cache = time.perf_counter() - t0 + t_load
        print(f'{dict(zip(CACHE_FIELDS, key))}: {len(cache)} views cached ({names}) in {t_cache:.0f} s', flush=True)
        for t in texts:
            r = settings[t]
            t0 = time.perf_counter()
            seg, hist = train_segmentator(subset_names(cache, want[t]) if want[t] != names else cache, train.classes, None, r.steps, r.batch_size,
                                          r.lr, seed=a.seed, palette=train.palette, progress=False, flip=r.flip, amp=r.amp, fuse_max_side=r.fuse_max_side,
                                          width=r.width, fine=r.fine, class_weight=r.class_weight, adjust=r.adjust,
                                          loss_fn=ce_lovasz(a.lovasz))
            t_train = time.perf_counter() - t0
            if a.save:
                from synthseg.segmentator import save_segmentator
                seg.info = {'train': 'cityscapes-mini train', 'recipe': t, 'size': list(a.size) if isinstance(a.size, tuple) else a.size}
                save_segmentator(seg, a.save/(t.replace(',', '_').replace('=', '') or 'default'))
            t0 = time.perf_counter()
            res, _ = evaluate_segmentator(seg, vae, val, crf=False, keep=0)
            t_eval = time.perf_counter() - t0
            scaled = {}
            for s in a.infer_size:
                sres, _ = evaluate_segmentator(seg, vae, Rescaled(val, s), crf=False, keep=0)
                scaled['x'.join(map(str, s)) if isinstance(s, tuple) else str(s)] = scores(sres)
                print(f'{t}: val mIoU {sres["miou"]:.4f} with the images at {s} (pixel acc {sres["pixel_acc"]:.3f})', flush=True)
            results[t] = {'recipe': {f: getattr(r, f) for f in ('size', 'views', 'steps', 'batch_size', 'lr', 'fuse_max_side', 'crop', 'paste',
                                                                'augment_strength', 'flip', 'amp', 'crf', 'width', 'class_weight', 'fine')},
                          'hidden_states': want[t], **scores(res),
                          'cache_seconds': round(t_cache, 1), 'train_seconds': round(t_train, 1), 'total_seconds': round(t_cache + t_train, 1),
                          'eval_seconds': round(t_eval, 1), 'final_loss': hist[-1]['loss'], 'threads': a.threads, 'lovasz': a.lovasz,
                          **({'at_infer_size': scaled} if scaled else {})}
            print(f'{t}: val mIoU {res["miou"]:.4f} (pixel acc {res["pixel_acc"]:.3f}); cache {t_cache:.0f} s + train {t_train:.0f} s '
                  f'= {t_cache + t_train:.0f} s at {a.threads} thread(s); eval {t_eval:.0f} s', flush=True)
    print(json.dumps({'train_frames': len(train), 'val_frames': len(val), 'size': a.size, 'read_size': read, 'eval_size': a.eval_size, 'seed': a.seed,
                      'results': results}))


if __name__ == '__main__':
    main()
