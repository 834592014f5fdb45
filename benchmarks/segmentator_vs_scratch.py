"""The seed's claim, measured: a segmentator on frozen VAE decoder hidden states against a standard
segmentation network trained from scratch, on the same images, with the same augmentation and the same
wall-time budget, on this machine's CPU.

    python benchmarks/segmentator_vs_scratch.py [--root DIR] [--vae DIR] [--budget 600] [--recipe oxford-pets]
                                                [--views N] [--steps N]

Defaults: the 58 trainval / 20 test real Oxford-IIIT Pet photos of `oxford-iiit-pet-more` and the real TAESD
weights of the development machines' shared assets; the segmentator is trained by the `oxford-pets` recipe
(the shipped one's), scored without its dense CRF so that both networks are judged on their raw predictions. The external network is torchvision's LRASPP-MobileNetV3-Large with
random weights (no ImageNet backbone: it sees only these images, as the segmentator's own weights do).
Both are evaluated on the test photos at fixed intervals; evaluation time is not counted. The last line
of stdout is one JSON object with both curves and the speed-up: the external network's wall time divided
by the time the segmentator needs to reach the external network's final mIoU (`speedup`), and the time the
external network took to its best mIoU divided by the segmentator's time to that (`speedup_vs_best`; None
if the segmentator never gets there). The `_staying` variants use the time from which the segmentator's
curve never drops below that level again, which discounts a lucky early evaluation. The segmentator's
times include computing its hidden-state cache.
"""
import argparse, json, sys, time
from pathlib import Path

import torch
import torch.nn.functional as F

from synthseg.core import real_assets_dir, seed_everything, IGNORE_INDEX
from synthseg.data import OxfordPets, normalize
from synthseg.metrics import SegmentationMetric
from synthseg.segmentator import default_augment, fit_segmentator, segmentator_recipe
from synthseg.vae_features import load_vae


def external_curve(train, test, budget, size, eval_every, seed):
    from torchvision.models.segmentation import lraspp_mobilenet_v3_large
    seed_everything(seed)
    net = lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=train.num_classes)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    aug = default_augment(size)
    pairs = [test[i] for i in range(len(test))]
    test_x = normalize(torch.stack([p[0] for p in pairs])); test_y = torch.stack([p[1] for p in pairs])
    curve, spent, next_eval, step = [], 0.0, eval_every, 0
    while spent < budget:
        t = time.perf_counter()
        net.train()
        pairs = [aug(*train[int(i)]) for i in torch.randint(0, len(train), (8,))]
        x = normalize(torch.stack([p[0] for p in pairs])); y = torch.stack([p[1] for p in pairs])
        loss = F.cross_entropy(net(x)['out'], y, ignore_index=IGNORE_INDEX)
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
        spent += time.perf_counter() - t
        if spent >= next_eval or spent >= budget:
            net.eval()
            with torch.no_grad(): pred = net(test_x)['out'].argmax(1)
            miou = SegmentationMetric(train.classes).update(pred, test_y).compute()['miou']
            curve.append({'seconds': round(spent, 1), 'step': step, 'miou': round(miou, 4)})
            print('external', curve[-1], flush=True)
            next_eval += eval_every
    return curve


def summarize(seg_curve, ext_curve):
    "Speed-ups from the two curves: first time the segmentator reaches a level, and the time from which it stays there."
    def first(level): return next((c['seconds'] for c in seg_curve if c['miou'] >= level), None)
    def stays(level):
        below = [k for k, c in enumerate(seg_curve) if c['miou'] < level]
        k = below[-1] + 1 if below else 0
        return seg_curve[k]['seconds'] if k < len(seg_curve) else None
    final, best = ext_curve[-1], max(ext_curve, key=lambda c: c['miou'])  # a from-scratch network on 13 photos swings
    ratio = lambda t, s: round(t / s, 2) if s else None
    return {'external_final_miou': final['miou'], 'external_seconds': final['seconds'],
            'external_best_miou': best['miou'], 'external_seconds_to_best': best['seconds'],
            'segmentator_final_miou': seg_curve[-1]['miou'],
            'segmentator_seconds_to_reach': first(final['miou']), 'segmentator_seconds_to_stay': stays(final['miou']),
            'speedup': ratio(final['seconds'], first(final['miou'])), 'speedup_staying': ratio(final['seconds'], stays(final['miou'])),
            'speedup_vs_best': ratio(best['seconds'], first(best['miou'])), 'speedup_vs_best_staying': ratio(best['seconds'], stays(best['miou']))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    assets = real_assets_dir()
    ap.add_argument('--root', type=Path, default=assets/'oxford-iiit-pet-more' if assets else None)
    ap.add_argument('--vae', default=str(assets/'taesd') if assets else 'madebyollin/taesd')
    ap.add_argument('--budget', type=float, default=600, help='wall-time budget of the external network, seconds')
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--recipe', default='oxford-pets', help='the segmentator recipe (SEGMENTATOR_RECIPES)')
    ap.add_argument('--views', type=int, help="views per photo for the segmentator (default: the recipe's)")
    ap.add_argument('--steps', type=int, help="segmentator steps (default: the recipe's)")
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    if a.root is None: sys.exit('pass --root: a folder holding oxford-iiit-pet/ in torchvision layout')
    train, test = OxfordPets(a.root, 'trainval', size=a.size), OxfordPets(a.root, 'test', size=a.size)
    vae = load_vae(a.vae)
    steps = a.steps or segmentator_recipe(a.recipe).steps
    seg, hist = fit_segmentator(vae, train, None, a.recipe, size=a.size, views=a.views, steps=a.steps, val_ds=test, eval_every=max(20, steps // 30),
                                seed=a.seed, progress=False)
    seg_curve = [{'seconds': h['seconds_total'], 'step': h['step'], 'miou': h['val_miou']} for h in hist if 'val_miou' in h]
    for c in seg_curve: print('segmentator', c, flush=True)
    ext_curve = external_curve(train, test, a.budget, a.size, a.budget / 20, a.seed)
    res = {'external': 'lraspp_mobilenet_v3_large (random init)', **summarize(seg_curve, ext_curve),
           'segmentator_curve': seg_curve, 'external_curve': ext_curve, 'recipe': seg.info['recipe'], 'views': seg.info['views'],
           'steps': seg.info['steps'], 'size': a.size}
    print(json.dumps(res))


if __name__ == '__main__': main()
