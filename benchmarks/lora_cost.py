"""What a LoRA costs: its file against the UNet's, and generation with it against plain generation, in one run.

    python benchmarks/lora_cost.py [--lora toy-streets] [--repeats 7] [--batch 8] [--steps 20] [--threads 1]

On TinySD at Toy Streets' 64×128: the same prompts and seeds are generated with the plain pipeline, with the LoRA loaded
(peft's extra matrix products at every adapted layer) and with the LoRA fused into the weights (`fuse_lora`), the three
interleaved in every repeat so that a busy machine slows all three alike; the medians give the ratios. The target is a
file under 2% of the UNet's and generation at most 1.05x plain. The last line of stdout is one JSON object.
"""
import argparse, json, statistics, time
from pathlib import Path

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lora', default='toy-streets'); ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--batch', type=int, default=8); ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    from synthseg.generate import load_pipeline, tinysd_dir
    from synthseg.lora import LORA_WEIGHTS, check_lora, load_lora
    folder = check_lora(a.lora)
    unet_bytes = sum(f.stat().st_size for f in (tinysd_dir()/'unet').glob('*.safetensors'))
    lora_bytes = (folder/LORA_WEIGHTS).stat().st_size
    pipes = {'plain': load_pipeline(), 'lora': load_lora(load_pipeline(), folder), 'fused': load_lora(load_pipeline(), folder, fuse=True)}
    prompts = ['a road with two cars and a pedestrian under a cloudy sky', 'a city street with three cars and trees on a sunny day'] * (a.batch // 2)
    def run(p):
        with torch.no_grad():
            p(prompts, num_inference_steps=a.steps, guidance_scale=5.0, height=64, width=128, output_type='pt',
              generator=[torch.Generator().manual_seed(s) for s in range(len(prompts))])
    for p in pipes.values(): run(p)  # warm-up
    secs = {k: [] for k in pipes}
    for _ in range(a.repeats):
        for k, p in pipes.items():
            t = time.perf_counter(); run(p); secs[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in secs.items()}
    out = {'lora': str(folder), 'lora_bytes': lora_bytes, 'unet_bytes': unet_bytes, 'size_ratio': round(lora_bytes / unet_bytes, 4),
           'seconds_per_batch': {k: round(v, 3) for k, v in med.items()},
           'time_ratio': {'lora': round(med['lora'] / med['plain'], 3), 'fused': round(med['fused'] / med['plain'], 3)},
           'batch': len(prompts), 'steps': a.steps, 'repeats': a.repeats, 'threads': a.threads}
    print(json.dumps(out))

if __name__ == '__main__':
    main()
