"""How TinySD's attention recipe (`synthseg.attention.ATTENTION_RECIPES['tinysd']`) was chosen.

    python benchmarks/attention_settings.py [--n 64] [--seed 1]

Generates `n` TinySD pets from the fidelity prompts of chapter 08 with seed 1 (chapter 09 scores seed 0,
so the choice never sees the images it is judged on), once per set of cross-attention resolutions, and
scores the masks against the toy oracle's segmentation (mIoU, no uncertain band):
  1. resolutions x threshold x self-attention refinement (none, power 1, power 4);
  2. dense CRF options on the best resolutions and threshold of step 1, with and without refinement.
Prints one line per setting; the last line of stdout is one JSON object with every score and the best of each step.
"""
import argparse, itertools, json

import torch

from synthseg.attention import AttentionStore, attention_mask, capture_attention, class_token_positions
from synthseg.core import sample_seed
from synthseg.generate import fidelity_prompts, generate_with_masks, load_pipeline
from synthseg.metrics import SegmentationMetric
from synthseg.tinysd import load_oracle
from synthseg.toy_drawing import SPECIES_WORDS

RESOLUTIONS = {'all': None, '8+16': [8, 16], '16': [16], '8': [8]}
THRESHOLDS = ['adaptive', 'otsu']
REFINE = {'none': None, 'power 1': 1, 'power 4': 4}
CRF = [dict(sharpness=sh, crf=dict(sxy=sxy, srgb=srgb, compat=c))
       for sh, sxy, srgb, c in itertools.product((5, 10), (5, 10, 20), (10, 20, 40), (3, 8))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=64, help='generated images')
    ap.add_argument('--seed', type=int, default=1, help='seed of the prompts and images (chapter 09 reports seed 0)')
    ap.add_argument('--steps', type=int, default=20)
    a = ap.parse_args()
    pipe, oracle = load_pipeline(device='cpu'), load_oracle()
    words = {'pet': [w for ws in SPECIES_WORDS.values() for w in ws]}
    prompts = [t[0] for t in fidelity_prompts(a.n, a.seed)]
    runs = {}
    for name, res in RESOLUTIONS.items():  # one generation per resolution set: the images are the same, the maps differ
        out = {'images': [], 'maps': [], 'affinity': []}
        for b in range(0, a.n, 16):
            ps = prompts[b:b + 16]
            h = pipe.unet.config.sample_size  # the latent size: maps are summed at it, self-attention read there
            store = AttentionStore([class_token_positions(pipe.tokenizer, p, words) for p in ps], (h, h), resolutions=set(res) if res else None,
                                   self_attention_res=h)
            with capture_attention(pipe.unet, store, a.steps):
                r = generate_with_masks(pipe, ps, [sample_seed(a.seed, b + k) for k in range(len(ps))], steps=a.steps)
            out['images'].append(r.images); out['maps'].append(store.maps()); out['affinity'].append(store.mean_affinity())
        runs[name] = {k: torch.cat(v) for k, v in out.items()}
    ref = oracle.predict(runs['all']['images']).mask

    def score(run, **kw):
        met = SegmentationMetric(['background', 'pet'])
        size = tuple(run['images'].shape[-2:])
        power = kw.pop('power')
        for k in range(a.n):  # power None: no self-attention refinement
            aff = run['affinity'][k] if power else None
            met.update(attention_mask(run['maps'][k], [1], size, band=0, affinity=aff, power=power or 1, image=run['images'][k], **kw)[0], ref[k])
        return round(met.compute()['miou'], 4)

    step1 = {}
    for (rn, run), thr, (fn, power) in itertools.product(runs.items(), THRESHOLDS, REFINE.items()):
        step1[f'{rn} | {thr} | {fn}'] = s = score(run, threshold=thr, power=power)
        print('step 1', rn, thr, fn, s, flush=True)
    best1 = max(step1, key=step1.get)
    rn, thr, _ = best1.split(' | ')
    step2 = {}
    for fn, opt in itertools.product(('none', 'power 1'), CRF):  # the CRF may make refinement unnecessary: try both
        key = f"{rn} | {thr} | {fn} | sharpness {opt['sharpness']} | " + ' '.join(f'{k}={v}' for k, v in opt['crf'].items())
        step2[key] = s = score(runs[rn], threshold=thr, power=REFINE[fn], **opt)
        print('step 2', key, s, flush=True)
    best2 = max(step2, key=step2.get)
    print(json.dumps({'n': a.n, 'seed': a.seed, 'step1': step1, 'best_step1': [best1, step1[best1]], 'step2': step2, 'best_step2': [best2, step2[best2]]}))


if __name__ == '__main__': main()
