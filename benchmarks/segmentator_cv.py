"""Choose the real-photo segmentator's recipe without looking at the test photos: k-fold cross-validation
on the trainval photos.

    python benchmarks/segmentator_cv.py [--root DIR] [--vae DIR] [--recipe oxford-pets] [--folds 3] [--seeds 0 1] [--size 384 --eval-size 256]
                                        [--settings views=6 views=12,steps=800 paste=0 ...] [--no-crf] [--tta-sizes 320 384] [--lovasz 1]

Defaults: the 58 trainval photos of `oxford-iiit-pet-more` in the shared assets, the real TAESD, the
`oxford-pets` recipe. The photos are split into `--folds` folds, each breed spread evenly over them (fold =
rank of the photo within its breed, by file name, modulo k). A setting is a comma-separated list of recipe
fields to change (`views`, `steps`, `batch_size`, `lr`, `fuse_max_side`, `crop`, `paste`, `augment_strength`, `flip`, `width`,
`class_weight`, and `fine` as hidden-state names joined by `+`, e.g. `fine=stage2`)
and `amp` (bfloat16 autocast, 0 or 1): any field of the recipe, read as its type by `Recipe.parse_changes`. For every setting, seed and fold a segmentator is trained on the other
folds and predicts the held-out photos (with mirrored test-time augmentation, as `evaluate_segmentator`
does); the figure per setting and seed is the mIoU pooled over all held-out photos, raw and after the
recipe's dense CRF. The table reports the mean over seeds. Settings that differ only in `views`, `steps`,
`lr`, `batch_size`, `fuse_max_side`, `flip`, `amp`, `width`, `class_weight` or `fine` share one hidden-state cache per fold and seed: view v of photo i
is the same whatever the number of views, so a 6-view cache is the first 6 views of a 12-view one.
`--size` reads the photos (and trains) at another size than the recipe's; `--eval-size` scores the held-out masks at
a fixed size whatever the photos are read at (a segmentator trained at 384 px reads the photos at 384 px and predicts
masks at 256 px), so that settings read at different sizes are scored alike.
`--tta-sizes` adds rows that average each held-out photo's probabilities over the photo read at `--size` and at these
sizes too (`SETTING@256+320`, cumulatively): multi-scale test-time augmentation, chosen like any other setting.
`--lovasz W` trains every setting with cross-entropy plus W times the Lovász-softmax loss (`_losses.py`).
The last line of stdout is one JSON object with every figure.
"""
import argparse, copy, json, time
from pathlib import Path

from safetensors.torch import save_file

from _losses import ce_lovasz

from synthseg.core import SynthsegError, real_assets_dir, seed_everything
from synthseg.data import OxfordPets
from synthseg.metrics import SegmentationMetric
from synthseg.blocks import dense_crf
from synthseg.segmentator import (FeatureCache, default_augment, default_hidden_states, predict_logits, segmentator_recipe,
                                  train_segmentator)
from synthseg.vae_features import load_vae

CACHE_FIELDS = ('size', 'crop', 'paste', 'augment_strength')


class Subset:
    "The samples `ids` of a dataset, as `FeatureCache` and `paste_view` read them."
    def __init__(self, ds, ids): self.ds, self.ids, self.classes, self.num_classes = ds, list(ids), ds.classes, ds.num_classes
    def __len__(self): return len(self.ids)
    def __getitem__(self, i): return self.ds[self.ids[i]]


def breed_folds(ds, k):
    "Fold of every photo: its rank within its breed (by file name) modulo k."
    stems = [ds.files(i)[0].stem for i in range(len(ds))]
    fold = [0] * len(stems)
    for breed in sorted({s.rsplit('_', 1)[0] for s in stems}):
        for r, i in enumerate(sorted((i for i, s in enumerate(stems) if s.rsplit('_', 1)[0] == breed), key=lambda i: stems[i])):
            fold[i] = r % k
    return fold


def parse_setting(text, base):
    "The recipe `base` with the fields of `text` (`views=6,paste=0`) changed; `Recipe.parse_changes` reads each value as its field's type."
    recipe = segmentator_recipe(base)
    return segmentator_recipe(recipe, **recipe.parse_changes(text))


def first_views(cache, views, n):
    "The cache of the first `views` views of each of its `n` photos (views are stored view-major)."
    c = copy.copy(cache)
    c.feats, c.masks, c.reliability = cache.feats[:views * n], cache.masks[:views * n], cache.reliability[:views * n]
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    assets = real_assets_dir()
    ap.add_argument('--root', default=assets/'oxford-iiit-pet-more' if assets else None)
    ap.add_argument('--vae', default=assets/'taesd' if assets else None)
    ap.add_argument('--recipe', default='oxford-pets')
    ap.add_argument('--folds', type=int, default=3)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--settings', nargs='+', default=[''], help='comma-separated recipe changes; "" is the recipe itself')
    ap.add_argument('--size', type=int, help="read the photos at this size and train on views of it (default: the recipe's)")
    ap.add_argument('--eval-size', type=int, help='score the held-out masks at this size; the segmentator reads the photos at --size (default: --size)')
    ap.add_argument('--no-crf', action='store_true', help='skip the dense-CRF scores')
    ap.add_argument('--tta-sizes', type=int, nargs='+', default=[], help='also read the held-out photos at these sizes and average the '
                    'probabilities over the sizes (multi-scale test-time augmentation): one more row per setting for each added size, cumulatively')
    ap.add_argument('--lovasz', type=float, default=0.0, help='add this weight of the Lovász-softmax loss to cross-entropy (0: plain)')
    ap.add_argument('--save-probs', type=Path, help='save the held-out probabilities here (one safetensors file per setting and seed)')
    a = ap.parse_args()
    if a.root is None or a.vae is None: ap.error('give --root (Oxford-IIIT Pet in torchvision layout) and --vae')
    vae = load_vae(a.vae)
    try: settings = {t: parse_setting(t, a.recipe) for t in a.settings}
    except SynthsegError as e: ap.error(str(e))
    if a.size: settings = {t: r.changed(size=a.size) for t, r in settings.items()}
    sizes = {r.size for r in settings.values()}
    if len(sizes) > 1: ap.error('all settings must share one size')
    size = sizes.pop()
    ds = OxfordPets(a.root, 'trainval', size=size)
    truth = OxfordPets(a.root, 'trainval', size=a.eval_size) if a.eval_size and a.eval_size != size else ds
    folds = breed_folds(ds, a.folds)
    names = default_hidden_states(vae, size)
    held_out = {k: [i for i in range(len(ds)) if folds[i] == k] for k in range(a.folds)}
    val_caches = {k: FeatureCache(vae, Subset(ds, ids), names, progress=False) for k, ids in held_out.items()}
    scaled = {s: {k: FeatureCache(vae, Subset(OxfordPets(a.root, 'trainval', size=s), ids), names, progress=False) for k, ids in held_out.items()}
              for s in a.tta_sizes}  # the same photos read at other sizes: the segmentator fuses them at the masks' size
    ms_keys = ['+'.join(map(str, [size, *a.tta_sizes[:j + 1]])) for j in range(len(a.tta_sizes))]
    rows = lambda t: [t, *(f'{t}@{m}' for m in ms_keys)]
    groups = {}
    for t, r in settings.items(): groups.setdefault(tuple(getattr(r, f) for f in CACHE_FIELDS), []).append(t)
    runs = {x: {} for t in settings for x in rows(t)}
    for key, texts in groups.items():
        max_views = max(settings[t].views for t in texts)
        r0 = settings[texts[0]]
        for seed in a.seeds:
            mets = {x: (SegmentationMetric(ds.classes), SegmentationMetric(ds.classes)) for t in texts for x in rows(t)}
            probs = {t: {} for t in texts}
            secs = {t: 0.0 for t in texts}
            for k in range(a.folds):
                train_ids = [i for i in range(len(ds)) if folds[i] != k]
                t0 = time.perf_counter(); seed_everything(seed)
                cache = FeatureCache(vae, Subset(ds, train_ids), names, views=max_views, augment=default_augment(size, r0.augment_strength, r0.crop),
                                     seed=seed, progress=False, paste=r0.paste, paste_augment=default_augment(size, r0.augment_strength, crop=False))
                t_cache = time.perf_counter() - t0
                print(f'{dict(zip(CACHE_FIELDS, key))} seed {seed} fold {k}: {max_views} views of {len(train_ids)} photos cached in {t_cache:.0f} s', flush=True)
                for t in texts:
                    r = settings[t]
                    t0 = time.perf_counter()
                    seg, _ = train_segmentator(first_views(cache, r.views, len(train_ids)), ds.classes, None, r.steps, r.batch_size, r.lr, seed=seed,
                                               progress=False, fuse_max_side=r.fuse_max_side, amp=r.amp, flip=r.flip, width=r.width, fine=r.fine,
                                               class_weight=r.class_weight, loss_fn=ce_lovasz(a.lovasz))
                    secs[t] += time.perf_counter() - t0
                    val, (met, met_crf), fold_met = val_caches[k], mets[t], SegmentationMetric(ds.classes)
                    for j, i in enumerate(held_out[k]):
                        f, _ = val.batch([j]); image, m = truth[i]; m = m[None]
                        prob = predict_logits(seg, f, m.shape[1:], True)
                        met.update(prob.argmax(1), m); fold_met.update(prob.argmax(1), m); probs[t][f'photo{i}'] = prob[0].half()
                        if not a.no_crf: met_crf.update(dense_crf(image, prob[0]).argmax(0)[None], m)
                        acc = prob
                        for j2, (s, mk) in enumerate(zip(a.tta_sizes, ms_keys)):
                            fs, _ = scaled[s][k].batch([j]); acc = acc + predict_logits(seg, fs, m.shape[1:], True)
                            p2 = acc / (j2 + 2); mm, mc = mets[f'{t}@{mk}']
                            mm.update(p2.argmax(1), m)
                            if not a.no_crf: mc.update(dense_crf(image, p2[0]).argmax(0)[None], m)
                    print(f'  {t or "(recipe)"}: fold {k} mIoU {fold_met.compute()["miou"]:.4f} (raw)', flush=True)
            for t in [x for t in texts for x in rows(t)]:
                if a.save_probs and t in texts:
                    a.save_probs.mkdir(parents=True, exist_ok=True)
                    save_file(probs[t], a.save_probs/f'{t or "recipe"}_seed{seed}.safetensors')
                rec = {'miou': round(mets[t][0].compute()['miou'], 4), 'train_seconds_per_fold': round(secs[t.split('@')[0]] / a.folds, 1)}
                if not a.no_crf: rec['miou_crf'] = round(mets[t][1].compute()['miou'], 4)
                runs[t][seed] = rec
                print(f'{t or "(recipe)"} seed {seed}: pooled mIoU {rec["miou"]:.4f}' + (f', with the CRF {rec["miou_crf"]:.4f}' if 'miou_crf' in rec else '')
                      + f', {rec["train_seconds_per_fold"]:.0f} s training per fold', flush=True)
    table = {}
    for t, per_seed in runs.items():
        vals = list(per_seed.values())
        table[t or '(recipe)'] = {'miou': round(sum(v['miou'] for v in vals) / len(vals), 4), 'seeds': {s: v for s, v in per_seed.items()},
                                  **({'miou_crf': round(sum(v['miou_crf'] for v in vals) / len(vals), 4)} if not a.no_crf else {})}
    print('\n| setting | pooled mIoU | with CRF |\n|---|---|---|')
    for t, v in table.items(): print(f"| {t} | {v['miou']:.4f} | {v.get('miou_crf', float('nan')):.4f} |")
    print(json.dumps({'recipe': a.recipe, 'photos': len(ds), 'size': size, 'eval_size': a.eval_size or size, 'folds': a.folds, 'seeds': a.seeds, 'lovasz': a.lovasz,
                      'results': table}))


if __name__ == '__main__':
    main()
