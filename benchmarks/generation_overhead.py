"""What masks cost: generation with segmentator masks, and with cross-attention masks, against plain generation.

    python benchmarks/generation_overhead.py [--models tinysd sd15] [--repeats 3]

For each model, the same prompts, seeds and settings run three ways:
  plain      the pipeline alone (`output_type='pt'`);
  segmentator  `generate_with_masks`: hooks on the decoder plus the segmentator's forward pass;
  attention  `generate_with_attention` plus `attention_mask` for every image: capture processors on the
             cross-attention layers, running sums, thresholds, small-component removal, reliability.
Times are medians over interleaved repeats in one process. Peak memory is measured in a fresh process per
way (the peak resident set size, `ru_maxrss`), reported as the peak and as the rise above the process's
size right after loading. Models: TinySD at 64 px (batch 8, 20 steps) and the exact SD 1.5 architecture
with random weights at 256 px (batch 1, 4 steps: the ratio does not depend on the step count much, and
CPU time does). The last line of stdout is one JSON object.
"""
import argparse, json, resource, statistics, subprocess, sys, time

import torch

SETTINGS = {'tinysd': dict(batch=8, steps=20, size=64), 'sd15': dict(batch=1, steps=4, size=256)}
PROMPTS = ['a photo of a ginger cat on the grass', 'a black dog on a carpet', 'a white kitten on a sofa', 'a brown puppy in a kitchen']


def setup(model):
    from synthseg.generate import load_pipeline, random_sd15_pipeline, shipped_segmentator
    from synthseg.segmentator import Segmentator, default_hidden_states, load_segmentator
    if model == 'tinysd':
        pipe = load_pipeline(device='cpu')
        seg = load_segmentator(shipped_segmentator(), pipe.vae)
    else:
        pipe = random_sd15_pipeline()
        names = default_hidden_states(pipe.vae, SETTINGS[model]['size'])
        from synthseg.segmentator import extract_hidden_states
        with torch.no_grad(): hs = extract_hidden_states(pipe.vae, torch.zeros(1, 3, 64, 64), names)
        seg = Segmentator({k: v.shape[1] for k, v in hs.items()}, 2).eval()
    return pipe, seg


def run(pipe, seg, model, way):
    from synthseg.attention import attention_mask, generate_with_attention
    from synthseg.generate import generate_with_masks
    cfg = SETTINGS[model]
    prompts = (PROMPTS * 4)[:cfg['batch']]; seeds = list(range(len(prompts)))
    kw = dict(steps=cfg['steps'], guidance_scale=5.0, height=cfg['size'], width=cfg['size'])
    with torch.no_grad():
        if way == 'plain':
            return pipe(prompts, num_inference_steps=cfg['steps'], guidance_scale=5.0, height=cfg['size'], width=cfg['size'],
                        generator=[torch.Generator().manual_seed(s) for s in seeds], output_type='pt').images
        if way == 'segmentator':
            return generate_with_masks(pipe, seg, prompts, seeds, **kw)['masks']
        words = {'cat': ['kitten'], 'dog': ['puppy']}
        res = generate_with_attention(pipe, None, prompts, seeds, words, **kw)
        st = res['attention']
        return [attention_mask(st.maps()[k], [1, 2], (cfg['size'], cfg['size']), present=[g in st.token_groups[k] for g in res['groups']])
                for k in range(len(prompts))]


def peak_memory(model, way):
    "Run one way in a fresh process; return (rss after load, peak rss) in MiB."
    code = (f"import resource, sys; sys.argv=['x']; sys.path.insert(0, 'benchmarks'); import generation_overhead as g; "
            f"p, s = g.setup('{model}'); "
            f"import gc; gc.collect(); base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            f"g.run(p, s, '{model}', '{way}'); print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[-2]) / 1024, int(out[-1]) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', nargs='+', default=['tinysd', 'sd15'], choices=list(SETTINGS))
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--no-memory', action='store_true', help='skip the peak-memory processes')
    a = ap.parse_args()
    report = {}
    for model in a.models:
        pipe, seg = setup(model)
        run(pipe, seg, model, 'plain')  # warm-up
        times = {w: [] for w in ('plain', 'segmentator', 'attention')}
        for _ in range(a.repeats):
            for w in times:
                t = time.perf_counter(); run(pipe, seg, model, w); times[w].append(time.perf_counter() - t)
        med = {w: statistics.median(v) for w, v in times.items()}
        r = {'settings': SETTINGS[model], 'seconds': {w: round(v, 3) for w, v in med.items()},
             'time_ratio_segmentator': round(med['segmentator'] / med['plain'], 4),
             'time_ratio_attention': round(med['attention'] / med['plain'], 4)}
        del pipe, seg
        if not a.no_memory:
            mem = {w: peak_memory(model, w) for w in ('plain', 'attention', 'segmentator')}
            r['peak_mib'] = {w: round(v[1]) for w, v in mem.items()}
            r['rise_mib'] = {w: round(v[1] - v[0]) for w, v in mem.items()}
            r['memory_ratio_attention'] = round(mem['attention'][1] / mem['plain'][1], 4)
            r['memory_ratio_segmentator'] = round(mem['segmentator'][1] / mem['plain'][1], 4)
        report[model] = r
        print(model, json.dumps(r), flush=True)
    print(json.dumps(report))


if __name__ == '__main__': main()
