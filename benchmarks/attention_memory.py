"""Memory of attention masks as steps grow: our running sums against a store that keeps every map.

    python benchmarks/attention_memory.py [--model tinysd|sd15] [--steps 10 50] [--size PX] [--batch N]

Prompt-to-prompt's and DiffuMask's stores keep the attention maps of every cross-attention layer, and a store
that keeps them for every step (to average them at the end, or to show them) grows with the number of steps.
`AttentionStore` keeps one running sum per image and class at the latent resolution, whatever the number of
steps. Three ways run the same prompt and seed, each in a fresh process:

  plain      the pipeline alone;
  ours       `generate_with_masks` with an `AttentionSource` (every cross-attention layer, every step);
  keep-all   the same, with a store that also keeps every layer's head-averaged map of every token at every
             step (on the CPU, as the hooks of those tools do), and averages them at the end.

After loading and a warm-up run of 2 steps, a thread samples the resident set size every millisecond while the
way runs; reported is the rise of the peak above the size just before the run, in MiB. The model is the exact
SD 1.5 architecture with random weights (`--model sd15`, batch 1 at 256 px by default) or TinySD (`--model tinysd`, batch 8
at 64 px by default).
The last line of stdout is one JSON object.
"""
import argparse, json, subprocess, sys

PROMPT = 'a photo of a ginger cat on the grass'

PROBE = r"""
import os, sys, threading, time
import torch
from synthseg.attention import AttentionSource, AttentionStore
from synthseg.generate import generate_with_masks, load_pipeline, random_sd15_pipeline

class KeepAll(AttentionStore):
    "A store that also keeps every layer's head-averaged map of every token at every step."
    def add_cross(self, name, probs, heads):
        super().add_cross(name, probs, heads)
        self.raw.append((self.step, name, self._cond(probs, heads).cpu().clone()))

class KeepAllSource(AttentionSource):
    def capture(self, pipe, request):
        from synthseg.attention import capture_attention, class_token_positions
        h, w = request.height // pipe.vae_scale_factor, request.width // pipe.vae_scale_factor
        store = KeepAll([class_token_positions(pipe.tokenizer, p, self.words) for p in request.prompts], (h, w), cfg=request.guidance_scale > 1)
        import contextlib
        @contextlib.contextmanager
        def cm():
            with capture_attention(pipe.unet, store, request.steps): yield store
        return cm()

pipe = load_pipeline(device='cpu') if MODEL == 'tinysd' else random_sd15_pipeline()
source = {'ours': AttentionSource, 'keep-all': KeepAllSource}.get(WAY)
source = source({'cat': ['kitten']}) if source else None
def run(steps):
    with torch.no_grad():
        if source is None:
            return pipe([PROMPT] * BATCH, num_inference_steps=steps, guidance_scale=5.0, height=SIZE, width=SIZE,
                        generator=[torch.Generator().manual_seed(s) for s in range(BATCH)], output_type='pt').images
        return generate_with_masks(pipe, [PROMPT] * BATCH, list(range(BATCH)), source, steps=steps, guidance_scale=5.0, height=SIZE, width=SIZE).masks
run(2)
import gc; gc.collect()
page = os.sysconf('SC_PAGE_SIZE')
def rss(): return int(open('/proc/self/statm').read().split()[1]) * page
peak, stop = [rss()], threading.Event()
def watch():
    while not stop.is_set(): peak.append(rss()); time.sleep(0.001)
base = rss(); t = threading.Thread(target=watch); t.start()
t0 = time.perf_counter(); run(STEPS); secs = time.perf_counter() - t0
stop.set(); t.join()
print(base, max(peak), secs)
"""


def measure(model: str, way: str, steps: int, size: int, batch: int) -> dict:
    "Run one way in a fresh process: the rise of its peak resident set above the size before the run, in MiB."
    code = f'MODEL, WAY, STEPS, SIZE, BATCH, PROMPT = {model!r}, {way!r}, {steps}, {size}, {batch}, {PROMPT!r}\n' + PROBE
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    if res.returncode != 0: sys.exit(f'{model} {way} {steps} steps failed:\n{res.stderr[-3000:]}')
    base, peak, secs = res.stdout.split()[-3:]
    return {'rise_mib': round((int(peak) - int(base)) / 2**20, 1), 'seconds': round(float(secs), 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='tinysd', choices=['tinysd', 'sd15'])
    ap.add_argument('--batch', type=int, help='images per run (default: 8 for tinysd, 1 for sd15)')
    ap.add_argument('--steps', type=int, nargs='+', default=[10, 50])
    ap.add_argument('--size', type=int, help='image side in pixels (default: 256 for sd15, 64 for tinysd)')
    a = ap.parse_args()
    size = a.size or (256 if a.model == 'sd15' else 64)
    batch = a.batch or (1 if a.model == 'sd15' else 8)
    report = {'model': a.model, 'size': size, 'batch': batch, 'rise_mib': {}}
    for way in ('plain', 'ours', 'keep-all'):
        report['rise_mib'][way] = {}
        for steps in a.steps:
            r = measure(a.model, way, steps, size, batch)
            report['rise_mib'][way][str(steps)] = r['rise_mib']
            print(way, steps, 'steps', json.dumps(r), flush=True)
    lo, hi = str(min(a.steps)), str(max(a.steps))
    report['growth_mib'] = {w: round(v[hi] - v[lo], 1) for w, v in report['rise_mib'].items()}
    print(json.dumps(report))


if __name__ == '__main__': main()
