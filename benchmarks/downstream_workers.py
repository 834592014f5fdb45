"""What `evaluate_arms(workers=...)` buys on a CPU: the same networks of a downstream table trained one after the other in
one process with all the threads, against side by side in one process per core with one thread each, in one run.

    python benchmarks/downstream_workers.py [--recipes toy-pets toy-streets] [--networks 4] [--steps 300] [--repeats 2]

Each recipe trains `--networks` small U-Nets (the arm `real`, 64 real renders, seeds 0, 1, ...) through `evaluate_arms`
exactly as `synthseg evaluate` does, with `workers=1` and with `workers=None` (one process per core), the two settings
alternating (A B B A ...) so that a busy machine slows both alike. The ratio is the median of the per-repeat ratios of
wall time, process start-up and the reading of the data included. The mIoUs of the two settings are printed too: the
same seeds give the same networks up to the order of floating-point sums. The last line of stdout is one JSON object.
"""
import argparse, json, statistics, sys, tempfile, time

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--recipes', nargs='+', default=['toy-pets', 'toy-streets'])
    ap.add_argument('--networks', type=int, default=4); ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--repeats', type=int, default=2)
    a = ap.parse_args()
    import torch
    from synthseg.downstream import downstream_recipe, evaluate_arms
    from synthseg.toy import load_dataset
    cores = torch.get_num_threads()
    out = {'cores': cores, 'networks': a.networks, 'steps': a.steps, 'repeats': a.repeats, 'recipes': {}}
    if cores < 2: sys.exit('downstream_workers: this machine gives torch one thread: nothing to share out')
    for name in a.recipes:
        r = downstream_recipe(name, steps=a.steps)
        test, real = load_dataset(name, None, 'test', size=None, n=100), load_dataset(name, None, 'train', size=None, n=64)
        def run(workers):
            with tempfile.TemporaryDirectory() as d:
                t = time.perf_counter()
                res = evaluate_arms(test, real, None, ['real'], [64], seeds=a.networks, recipe=r, out=d, progress=False, workers=workers)
                return time.perf_counter() - t, [round(x['miou'], 4) for x in sorted(res.runs, key=lambda x: x['seed'])]
        secs, mious = {'1 process': [], 'a process per core': []}, {}
        for k in range(a.repeats):
            for setting in (['1 process', 'a process per core'] if k % 2 == 0 else ['a process per core', '1 process']):
                s, m = run(1 if setting == '1 process' else None)
                secs[setting].append(s); mious[setting] = m
        ratios = [x / y for x, y in zip(secs['1 process'], secs['a process per core'])]
        out['recipes'][r.tag] = {'seconds': {k: [round(x, 1) for x in v] for k, v in secs.items()}, 'speedup': round(statistics.median(ratios), 2),
                                 'speedup_range': [round(min(ratios), 2), round(max(ratios), 2)], 'miou': mious}
        print(name, out['recipes'][r.tag], file=sys.stderr)
    print(json.dumps(out))

if __name__ == '__main__': main()
