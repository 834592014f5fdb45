"""Throughput of `synthseg generate`: pairs per second and per hour, by mask source and by number of processes.

    python benchmarks/generation_throughput.py [--num 48] [--procs 1 2] [--threads 1] [--steps 20]

Two measurements in one run, on TinySD (64 px, batch 8 by default):

  by source     one process, the threads given: plain diffusers generation (the pipeline alone, `output_type='pt'`),
                generation with segmentator masks, with attention masks, and with both, on the same prompts and
                seeds; images per second over the whole batch loop (model loading excluded), after one warm-up batch.
  by processes  `synthseg generate` into a fresh folder, launched as 1 process or as N processes under torchrun
                (gloo on CPU, or one GPU each), each with the threads given; throughput is the job's pairs over the
                main process's generation time (the summary's `seconds`: loading excluded, the final barrier included).
                The ratio to one process is the scaling; on 2 CPU cores the target is 1.7x for 2 processes of 1 thread.

Run it with nothing else on the machine. On a GPU machine add `--device cuda`. The last line of stdout is one JSON object.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

PROMPTS = ['a photo of a ginger cat on the grass', 'a black dog on a carpet', 'a white kitten on a sofa', 'a brown puppy in a kitchen']

def by_source(num: int, batch: int, steps: int, threads: int, device: str) -> dict:
    import torch
    torch.set_num_threads(threads)
    from synthseg.attention import AttentionSource
    from synthseg.generate import SegmentatorSource, generate_with_masks, load_pipeline, shipped_segmentator
    from synthseg.prompts import class_words
    from synthseg.segmentator import load_segmentator
    pipe = load_pipeline(device=device)
    seg = load_segmentator(shipped_segmentator(), pipe.vae, device=pipe.device)
    att = AttentionSource({c: class_words(c, 'toy') for c in ('cat', 'dog')}, 'tinysd', target=seg.classes, palette=seg.palette)
    ways = {'plain': None, 'segmentator': [SegmentatorSource(seg)], 'attention': [att], 'both': [SegmentatorSource(seg), att]}
    def one(way, b):
        prompts = [PROMPTS[(b + k) % len(PROMPTS)] for k in range(batch)]; seeds = [b * batch + k for k in range(batch)]
        with torch.no_grad():
            if ways[way] is None:
                pipe(prompts, num_inference_steps=steps, guidance_scale=5.0, generator=[torch.Generator().manual_seed(s) for s in seeds], output_type='pt')
            else: generate_with_masks(pipe, prompts, seeds, ways[way], steps=steps)
    for way in ways: one(way, 0)  # warm-up
    secs = {w: 0.0 for w in ways}
    for b in range(max(1, num // batch)):  # interleaved, so that a slow phase of the machine hits every way alike
        for way in ways:
            t0 = time.perf_counter(); one(way, b); secs[way] += time.perf_counter() - t0
    n = max(1, num // batch) * batch
    return {w: {'images_per_s': round(n / s, 3), 'pairs_per_hour': round(3600 * n / s), 'vs_plain': round(s / secs['plain'], 3)} for w, s in secs.items()}

def by_processes(num: int, batch: int, steps: int, threads: int, procs: int, device: str | None) -> dict:
    out = Path(tempfile.mkdtemp())/'set'
    args = ['generate', '-n', str(num), '--out', str(out), '--batch-size', str(batch), '--steps', str(steps), '--masks', 'both',
            '--prompt', PROMPTS[0], '--prompt', PROMPTS[1], *(['--device', device] if device else [])]
    cmd = ([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', str(procs)] if procs > 1 else [sys.executable]) + ['-m', 'synthseg', *args]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env={**os.environ, 'OMP_NUM_THREADS': str(threads)}, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0: sys.exit(f'{" ".join(cmd)} failed:\n{res.stderr[-3000:]}')
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    return {'processes': procs, 'threads_each': threads, 'pairs': summary['generated'], 'seconds': summary['seconds'], 'wall_seconds': round(wall, 1),
            'pairs_per_s': round(summary['generated'] / summary['seconds'], 3), 'pairs_per_hour': round(3600 * summary['generated'] / summary['seconds']),
            'per_process': summary['per_process']}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--num', type=int, default=48, help='pairs per measurement')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--threads', type=int, default=1, help='threads per process')
    ap.add_argument('--procs', type=int, nargs='+', default=[1, 2], help='process counts to compare (the first is the baseline)')
    ap.add_argument('--device', help='cuda or cpu (default: the best available)')
    ap.add_argument('--skip-sources', action='store_true', help='only the process scaling')
    a = ap.parse_args()
    res = {'model': 'tinysd', 'num': a.num, 'batch': a.batch, 'steps': a.steps}
    if not a.skip_sources:
        res['by_source'] = by_source(a.num, a.batch, a.steps, a.threads, a.device or 'cpu')
        print(json.dumps(res['by_source']), file=sys.stderr, flush=True)
    runs = [by_processes(a.num, a.batch, a.steps, a.threads, p, a.device) for p in a.procs]
    for r in runs: r['speedup'] = round(r['pairs_per_s'] / runs[0]['pairs_per_s'], 3)
    res['by_processes'] = runs
    print(json.dumps(res))

if __name__ == '__main__': main()
