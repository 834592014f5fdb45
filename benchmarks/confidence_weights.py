"""Does the segmentator's own confidence help as a reliability map? Toy Streets' jittered mixture (16 real renders and
the LoRA pairs, recipe toy-streets), trained three ways on the same pairs:

- `ce`: every pixel of the segmentator's masks counts, as the table's arm `mixed-segmentator-jitter` does;
- `weighted`: every pixel weighted by the segmentator's probability of the class it chose (the `reliability` loss);
- `skip-T`: pixels where that probability is under T left out (for each T of `--skip`).

`--arm synthetic-segmentator-jitter` asks the same of the pairs alone, and `--no-lora` of the pairs generated without
the LoRA (the table's control).

    python benchmarks/confidence_weights.py --out DIR [--arm mixed-segmentator-jitter] [--no-lora] [--n 384] [--n-real 16]
                                            [--seeds 0 1 2] [--skip 0.8] [--workers 2]

It first generates the pairs into DIR/pairs with the settings `synthseg evaluate --test-dataset toy-streets` generates
them with (the shipped LoRA, fused, and street segmentator, the first N Toy Streets captions of seed 7, 64x128, batch 16,
20 steps, guidance 5, seed 0), with a mask source that saves the segmentator's confidence map as the masks' reliability map; a run again resumes. The images and masks are the
table's; only the reliability maps are new. Scored on the first 200 test renders, as the table is. The last line of
stdout is one JSON object: mean, standard deviation and per-seed mIoU of each way.
"""
import argparse, dataclasses, json, sys, time
from pathlib import Path

import torch

from synthseg.cli import check_segmentator
from synthseg.core import IGNORE_INDEX, check_lora
from synthseg.data import SegmentationDataset, open_generated
from synthseg.downstream import ARMS, downstream_recipe, evaluate_arms, street_prompts, write_prompts
from synthseg.generate import SegmentatorSource, SourceOutput, generate_dataset, load_pipeline, speed_up
from synthseg.lora import load_lora
from synthseg.segmentator import load_segmentator
from synthseg.toy import load_dataset


class ConfidentSegmentatorSource(SegmentatorSource):
    "The segmentator's masks, with its probability of the chosen class saved as each mask's reliability map."
    def masks(self, images, captured, request):
        out = super().masks(images, captured, request)
        return SourceOutput(out.masks, out.extras['confidence'], out.extras)


class Skipped(SegmentationDataset):
    "The segmentator pairs of a generated folder, pixels whose confidence is under `t` labelled 255 (skipped by the loss)."
    def __init__(self, folder, t):
        self.f, self.t = folder, t
        self.classes, self.palette, self.sources = folder.classes, folder.palette, ['segmentator']
    def __len__(self): return len(self.f)
    def load(self, i):
        image, mask = self.f[i]
        return image, torch.where(self.f.reliability(i) < self.t, IGNORE_INDEX, mask)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--n', type=int, default=384, help='pairs to generate')
    ap.add_argument('--n-real', type=int, default=16)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--skip', type=float, nargs='*', default=[0.8], help='confidence thresholds of the skip-T ways')
    ap.add_argument('--workers', type=int, default=None)
    ap.add_argument('--arm', default='mixed-segmentator-jitter', help='the arm trained three ways: any arm of ARMS that reads segmentator masks')
    ap.add_argument('--no-lora', action='store_true', help='generate without the LoRA (the table\'s control, `--segmentator toy-streets-tiny-vae`)')
    a = ap.parse_args()
    if a.arm not in ARMS or ARMS[a.arm].synthetic != 'segmentator': sys.exit(f'--arm {a.arm}: choose an arm that reads segmentator masks')
    pairs = a.out/'pairs'
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    prompts = [l for l in write_prompts(a.out/'street-prompts.txt', street_prompts(a.n)).read_text().splitlines() if l.strip()]
    pipe = load_pipeline(device='cpu')  # what `synthseg generate --lora toy-streets --prompts-file FILE --height 64 --width 128 --batch-size 16` loads
    if not a.no_lora: load_lora(pipe, check_lora('toy-streets'), 1.0, fuse=True)
    speed_up(pipe)
    seg = load_segmentator(check_segmentator('toy-streets-tiny-vae')[0], pipe.vae)
    generate_dataset(pipe, [ConfidentSegmentatorSource(seg)], prompts, a.n, pairs, 0, 16, 20, 5.0, None, 64, 128)
    t_gen = time.perf_counter() - t0
    folder = open_generated(pairs, source='segmentator')
    if folder.reliability(0) is None: sys.exit(f'{pairs} holds no reliability maps: it was made without them; give another --out')
    conf = torch.stack([folder.reliability(i) for i in range(len(folder))])
    test = load_dataset('toy-streets', None, 'test', n=200)
    real = load_dataset('toy-streets', None, 'train', n=a.n_real)
    base = ARMS[a.arm]
    ways = {'ce': (base, pairs), 'weighted': (dataclasses.replace(base, name=base.name + '-weighted', loss='reliability'), pairs)}
    for t in a.skip: ways[f'skip-{t}'] = (dataclasses.replace(base, name=f'{base.name}-skip{t}'), Skipped(folder, t))
    out, times = {}, {}
    for way, (arm, data) in ways.items():
        t1 = time.perf_counter()
        res = evaluate_arms(test, real, {'lora': data}, [arm], [a.n_real], None, a.seeds, downstream_recipe('toy-streets'), a.out/way,
                            workers=a.workers)
        row = next(r for r in res.rows() if r['arm'] == arm.name)  # the folder keeps the rows of earlier calls
        out[way] = {'miou': round(row['miou'], 4), 'std': round(row['std'], 4), 'seeds': [round(r['miou'], 4) for r in res.runs if r['arm'] == arm.name]}
        times[way] = round(time.perf_counter() - t1, 1)
        print(way, out[way], file=sys.stderr)
    print(json.dumps({'arm': base.name, 'lora': not a.no_lora, 'pairs': len(folder), 'n_real': a.n_real if base.real else None, 'mean_confidence': round(float(conf.mean()), 4),
                      **{f'share_under_{t}': round(float((conf < t).float().mean()), 4) for t in a.skip},
                      'generation_seconds': round(t_gen, 1), 'seconds': times, 'results': out}))


if __name__ == '__main__':
    main()
