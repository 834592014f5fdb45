"""What the CPU settings of `train_segmentation` buy the downstream table: seconds per training step of each toy recipe's
network in three settings, in one run: float32 with contiguous images and weights (`channels_last=False`), float32
channels-last (the default on a CPU) and bfloat16 autocast, channels-last (`cpu_amp`).

    python benchmarks/downstream_precision.py [--recipes toy-pets toy-streets] [--steps 40] [--repeats 5] [--threads 1]

Each recipe's network (the small U-Net) trains on real toy renders exactly as `evaluate_arms` trains it (`train_segmentation`,
the recipe's batch, size and augmentation, class weights included), once per setting, the three interleaved in every repeat
so that a busy machine slows them alike; each ratio (to float32 contiguous) is the median of the per-repeat ratios. It needs a CPU that computes
bfloat16 in hardware (`synthseg.core.cpu_bf16`, AVX-512 BF16 or AMX); elsewhere it says so and stops. The last line of
stdout is one JSON object.
"""
import argparse, json, statistics, sys, time

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--recipes', nargs='+', default=['toy-pets', 'toy-streets'])
    ap.add_argument('--steps', type=int, default=40, help='training steps per timed run')
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    from synthseg.core import cpu_bf16
    if not cpu_bf16(): sys.exit('downstream_precision: this CPU does not compute bfloat16 in hardware (no AVX-512 BF16 or AMX): cpu_amp trains in float32 here')
    from synthseg.data import train_transform
    from synthseg.downstream import InMemory, downstream_recipe, make_network, network_input
    from synthseg.robust import train_segmentation
    from synthseg.toy import load_dataset
    out = {'threads': a.threads, 'steps': a.steps, 'repeats': a.repeats, 'recipes': {}}
    for name in a.recipes:
        r = downstream_recipe(name)
        ds = InMemory(load_dataset(name, None, 'train', size=None, n=64))
        def run(setting):
            cpu_amp, channels_last = {'float32 contiguous': (False, False), 'float32 channels-last': (False, True), 'bfloat16 channels-last': (True, True)}[setting]
            t = time.perf_counter()
            train_segmentation(lambda: make_network(r.network, len(ds.classes), r.weights_backbone, r.width), ds, 'ce', a.steps, r.batch_size, r.lr,
                               augment=train_transform(r.size, scale=tuple(r.crop_scale)), normalize=network_input(r.network), progress=False,
                               class_weight=r.class_weight, cpu_amp=cpu_amp, channels_last=channels_last)
            return (time.perf_counter() - t) / a.steps
        settings = ['float32 contiguous', 'float32 channels-last', 'bfloat16 channels-last']
        for k in settings: run(k)  # warm-up
        secs = {k: [] for k in settings}
        for _ in range(a.repeats):
            for k in settings: secs[k].append(run(k))
        ratios = {k: [f / b for f, b in zip(secs[settings[0]], secs[k])] for k in settings[1:]}
        out['recipes'][r.tag] = {'seconds_per_step': {k: round(statistics.median(v), 4) for k, v in secs.items()},
                                 'speedup': {k: round(statistics.median(v), 2) for k, v in ratios.items()},
                                 'speedup_range': {k: [round(min(v), 2), round(max(v), 2)] for k, v in ratios.items()}}
        print(name, out['recipes'][r.tag], file=sys.stderr)
    print(json.dumps(out))

if __name__ == '__main__': main()
