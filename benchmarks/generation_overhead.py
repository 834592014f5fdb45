"""What masks cost: generation with segmentator masks, and with cross-attention masks, against plain generation.

    python benchmarks/generation_overhead.py [--models tinysd sd15] [--repeats 9]

For each model, the same prompts, seeds and settings run three ways:
  plain      the pipeline alone (`output_type='pt'`);
  segmentator  `generate_with_masks`: hooks on the decoder plus the segmentator's forward pass;
  attention  `generate_with_masks` with an `AttentionSource` (DiffuMask's recipe): capture processors on the
             cross-attention layers, running sums, thresholds, small-component removal, reliability.
Each repeat runs the three ways once, in a shuffled order (seeded); a ratio is the median over repeats of the
way's time over plain's time in the same repeat, so that slow phases of the machine cancel. Peak memory is measured in a fresh process per
way: after loading and one warm-up run, a thread samples the resident set size (`/proc/self/statm`) every
millisecond while the way runs; reported are the peak and its rise above the size just before the run.
(`ru_maxrss` would not do: loading the weights peaks higher than generating.) `--unet-calls N` also times N single UNet calls
(the batch of one denoising step, with guidance) with diffusers' processors and inside `capture_attention` (every cross-attention
layer read), alternating which goes first: the capture's cost alone, without the rest of a generation around it. Models: TinySD at 64 px (batch 8, 20 steps) and the exact SD 1.5 architecture
with random weights at 256 px (batch 1, 4 steps by default, to keep CPU time down). The segmentator's cost
is per image, not per step, so its ratio falls as steps rise: `--steps 20` measures SD 1.5 at a usual setting. The last line of stdout is one JSON object.
"""
import argparse, json, random, statistics, subprocess, sys, time

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
    from synthseg.attention import AttentionSource
    from synthseg.generate import generate_with_masks
    cfg = SETTINGS[model]
    prompts = (PROMPTS * 4)[:cfg['batch']]; seeds = list(range(len(prompts)))
    kw = dict(steps=cfg['steps'], guidance_scale=5.0, height=cfg['size'], width=cfg['size'])
    with torch.no_grad():
        if way == 'plain':
            return pipe(prompts, num_inference_steps=cfg['steps'], guidance_scale=5.0, height=cfg['size'], width=cfg['size'],
                        generator=[torch.Generator().manual_seed(s) for s in seeds], output_type='pt').images
        if way == 'segmentator':
            return generate_with_masks(pipe, prompts, seeds, seg, **kw).masks
        return generate_with_masks(pipe, prompts, seeds, AttentionSource({'cat': ['kitten'], 'dog': ['puppy']}), **kw).masks

def unet_calls(pipe, model, n):
    "Median over `n` pairs of the time of one UNet call inside `capture_attention` over the time of one without."
    from synthseg.attention import AttentionStore, capture_attention
    cfg = SETTINGS[model]; h = cfg['size'] // pipe.vae_scale_factor; b = 2 * cfg['batch']
    lat = torch.randn(b, pipe.unet.config.in_channels, h, h, generator=torch.Generator().manual_seed(0))
    enc = torch.randn(b, 77, pipe.unet.config.cross_attention_dim, generator=torch.Generator().manual_seed(1))
    store = AttentionStore([{'cat': [5], 'dog': [7]}] * cfg['batch'], (h, h))
    def call():  # the UNet call alone is timed: installing the processors happens once per generation, not per step
        with torch.no_grad():
            t0 = time.perf_counter(); pipe.unet(lat, 500, enc); return time.perf_counter() - t0
    def captured():
        with capture_attention(pipe.unet, store, 10**9): return call()
    call(); captured()
    ratios = []
    for i in range(n):
        t = {name: f() for name, f in (('plain', call), ('captured', captured))[::1 if i % 2 else -1]}
        ratios.append(t['captured'] / t['plain'])
    return {'unet_call_ratio_attention': round(statistics.median(ratios), 4), 'unet_call_ratio_range': [round(min(ratios), 3), round(max(ratios), 3)], 'unet_calls': n}

PROBE = """
import os, sys, threading, time
sys.argv = ['x']; sys.path.insert(0, 'benchmarks')
import generation_overhead as g
g.SETTINGS[MODEL]['steps'] = STEPS
page = os.sysconf('SC_PAGE_SIZE')
def rss(): return int(open('/proc/self/statm').read().split()[1]) * page
p, s = g.setup(MODEL); g.run(p, s, MODEL, WAY)  # load and warm up
import gc; gc.collect()
peak, stop = [rss()], threading.Event()
def watch():
    while not stop.is_set(): peak.append(rss()); time.sleep(0.001)
base = rss(); t = threading.Thread(target=watch); t.start()
g.run(p, s, MODEL, WAY)
stop.set(); t.join()
print(base, max(peak))
"""

def peak_memory(model, way):
    "Run one way in a fresh process; return (rss before the run, peak rss during it) in MiB."
    code = f"MODEL, WAY, STEPS = {model!r}, {way!r}, {SETTINGS[model]['steps']}\n" + PROBE
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[-2]) / 2**20, int(out[-1]) / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', nargs='+', default=['tinysd', 'sd15'], choices=list(SETTINGS))
    ap.add_argument('--repeats', type=int, default=9)
    ap.add_argument('--no-memory', action='store_true', help='skip the peak-memory processes')
    ap.add_argument('--no-generation', action='store_true', help='skip the whole-generation timing (with --unet-calls: only those)')
    ap.add_argument('--unet-calls', type=int, default=0, metavar='N', help='also time N single UNet calls with and without the capture')
    ap.add_argument('--steps', type=int, help='denoising steps for every model (default: 20 TinySD, 4 SD 1.5)')
    a = ap.parse_args()
    if a.steps:
        for cfg in SETTINGS.values(): cfg['steps'] = a.steps
    report = {}
    for model in a.models:
        pipe, seg = setup(model)
        r = {'settings': SETTINGS[model]}
        if a.unet_calls: r.update(unet_calls(pipe, model, a.unet_calls))
        if a.no_generation:
            report[model] = r; print(model, json.dumps(r), flush=True); continue
        run(pipe, seg, model, 'plain')  # warm-up
        times = {w: [] for w in ('plain', 'segmentator', 'attention')}
        rng = random.Random(0)
        for _ in range(a.repeats):
            for w in rng.sample(list(times), len(times)):
                t = time.perf_counter(); run(pipe, seg, model, w); times[w].append(time.perf_counter() - t)
        med = {w: statistics.median(v) for w, v in times.items()}
        ratio = {w: statistics.median(x / p for x, p in zip(v, times['plain'])) for w, v in times.items()}
        r |= {'repeats': a.repeats, 'seconds': {w: round(v, 3) for w, v in med.items()},
             'time_ratio_segmentator': round(ratio['segmentator'], 4), 'time_ratio_attention': round(ratio['attention'], 4),
             'time_ratio_range': {w: [round(min(x / p for x, p in zip(v, times['plain'])), 3), round(max(x / p for x, p in zip(v, times['plain'])), 3)]
                                  for w, v in times.items() if w != 'plain'}}
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
