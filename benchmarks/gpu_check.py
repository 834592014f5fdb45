"""The accelerator paths, checked and timed on random and shipped weights: one JSON line.

    python benchmarks/gpu_check.py [--device cuda] [--lora-steps 30] [--seg-steps 300] [--small]

The development machines have no GPU, so the code that only runs on one is checked here, on a machine that has one:

1. **LoRA training in float16** on Stable Diffusion 1.5's exact architecture (random weights; the real ones cannot be
   downloaded) at 256x512 on Toy Streets, as `train_lora` runs it for SD 1.5: the UNet in float16, the adapter and its
   optimiser in float32 with a gradient scaler (the "Attempting to unscale FP16 gradients" failure must not happen), a
   finite loss, seconds per step. Then the round trip: the saved adapter, loaded by diffusers' own `load_lora_weights`
   into a fresh float16 pipeline, gives the images the pipeline gave right after training; unloaded, the base images.
2. **What the LoRA costs in generation** on that pipeline at 512x512, 20 steps, batch 4: plain, with the adapter loaded
   and fused, interleaved repeats, median seconds and ratios (target: at most 1.05x plain).
3. **Masks on the accelerator**: TinySD in float16 with the shipped pets segmentator and cross-attention masks (both
   sources, one run), against the same prompts and seeds in float32 on the CPU: the share of pixels whose label agrees;
   and `evaluate_segmentator` with the VAE on the accelerator and the segmentator on the CPU, against both on the CPU.
4. **Downstream training on the accelerator**: `evaluate_arms` with the real arm on Toy Pets (recipe toy-pets, CUDA's
   bfloat16 autocast), and torchvision's DeepLabV3-MobileNetV3 through `train_segmentation`, each scored on held-out renders.
5. **The command line with `--device`**: `synthseg generate --masks both`, `train-segmentator` (the hidden states and the
   segmentator's training on the accelerator) and `eval-segmentator` on Toy Pets, as a user with a GPU runs them.

`--small` shrinks every part so that the script itself can be tried on a CPU.
"""
import argparse, json, statistics, tempfile, time, traceback

def timed(fn):
    t = time.perf_counter(); out = fn(); return out, round(time.perf_counter() - t, 2)

def lora_round_trip(a, dev, out: dict, tmp: str):
    import torch
    from synthseg.generate import random_sd15_pipeline
    from synthseg.lora import train_lora
    from synthseg.toy import ToyStreets
    h, w = (64, 128) if a.small else (256, 512)
    def base(): return random_sd15_pipeline(0).to(dev, torch.float16 if dev != 'cpu' else torch.float32)
    def draw(p): return p(['a road with two cars under a clear blue sky'] * 2, num_inference_steps=4, height=h, width=w, output_type='pt',
                          generator=[torch.Generator().manual_seed(s) for s in (0, 1)]).images.float().cpu()
    pipe = base()
    reference = draw(pipe)
    run, secs = timed(lambda: train_lora(pipe, ToyStreets(n=64), f'{tmp}/lora', steps=a.lora_steps, batch_size=2 if a.small else 4,
                                         resolution=(h, w), checkpoint_every=10**6, progress=False))
    lora_dtypes = sorted({str(p.dtype) for n, p in pipe.unet.named_parameters() if 'lora_' in n})
    after = draw(pipe)
    fresh = base(); fresh.load_lora_weights(run.folder)
    loaded = draw(fresh)
    fresh.unload_lora_weights(); unloaded = draw(fresh)
    out['lora_training'] = {'resolution': [h, w], 'steps': a.lora_steps, 'seconds': secs, 'seconds_per_step': round(secs / a.lora_steps, 3),
                            'loss_first_last': [run.history[0], run.history[-1]], 'loss_finite': bool(torch.isfinite(torch.tensor(run.history)).all()),
                            'unet_dtype': str(pipe.unet.dtype), 'adapter_dtype_after': lora_dtypes,
                            'adapter_changes_images': round(float((after - reference).abs().max()), 4),
                            'loaded_vs_after_training_max_abs': round(float((loaded - after).abs().max()), 6),
                            'unloaded_vs_base_max_abs': round(float((unloaded - reference).abs().max()), 6)}
    return run.folder

def lora_generation_cost(a, dev, out: dict, folder):
    import torch
    from synthseg.generate import random_sd15_pipeline
    from synthseg.lora import load_lora
    dt = torch.float16 if dev != 'cpu' else torch.float32
    size, steps, batch, repeats = (64, 4, 2, 2) if a.small else (512, 20, 4, 5)
    pipes = {'plain': random_sd15_pipeline(0).to(dev, dt), 'lora': load_lora(random_sd15_pipeline(0).to(dev, dt), folder),
             'fused': load_lora(random_sd15_pipeline(0).to(dev, dt), folder, fuse=True)}
    def run(p):
        with torch.no_grad():
            p(['a city street with three cars and trees on a sunny day'] * batch, num_inference_steps=steps, height=size, width=size,
              output_type='pt', generator=[torch.Generator().manual_seed(s) for s in range(batch)])
        if dev == 'cuda': torch.cuda.synchronize()
    for p in pipes.values(): run(p)
    secs = {k: [] for k in pipes}
    for _ in range(repeats):
        for k, p in pipes.items(): secs[k].append(timed(lambda: run(p))[1])
    med = {k: statistics.median(v) for k, v in secs.items()}
    out['lora_generation'] = {'size': size, 'steps': steps, 'batch': batch, 'repeats': repeats, 'median_seconds': med,
                              'ratio_lora': round(med['lora'] / med['plain'], 3), 'ratio_fused': round(med['fused'] / med['plain'], 3)}
    del pipes

def masks_on_device(a, dev, out: dict):
    import torch
    from synthseg.attention import AttentionSource
    from synthseg.generate import generate_with_masks, load_pipeline, shipped_segmentator
    from synthseg.segmentator import load_segmentator
    prompts = ['a photo of a ginger cat on a sofa', 'a photo of a black dog in a garden'] * (1 if a.small else 4)
    seeds = list(range(len(prompts)))
    def gen(device, dtype):
        pipe = load_pipeline(device=device, dtype=dtype)
        seg = load_segmentator(shipped_segmentator(), pipe.vae, device=device)
        att = AttentionSource({'cat': ['cat'], 'dog': ['dog']}, target=seg.classes)
        return timed(lambda: generate_with_masks(pipe, prompts, seeds, [seg, att], steps=20))
    (acc, acc_s), (cpu, cpu_s) = gen(dev, torch.float16 if dev != 'cpu' else torch.float32), gen('cpu', torch.float32)
    agree = {k: round(float((acc.masks[k] == cpu.masks[k]).float().mean()), 4) for k in acc.masks}
    out['masks'] = {'images': len(prompts), 'seconds': {'device': acc_s, 'cpu': cpu_s}, 'label_agreement_with_cpu': agree,
                    'image_max_abs_vs_cpu': round(float((acc.images - cpu.images).abs().max()), 4),
                    'attention_fg_share': round(float((acc.masks['attention'] > 0).float().mean()), 3)}
    from synthseg.segmentator import evaluate_segmentator
    from synthseg.toy import ToyPets
    from synthseg.vae_features import load_vae
    test = ToyPets(n=8 if a.small else 64, size=64, split='test')
    scores = {}
    for where, vae in (('vae_on_device', load_vae(device=dev, dtype=torch.float16 if dev != 'cpu' else torch.float32)), ('cpu', load_vae())):
        scores[where] = round(evaluate_segmentator(load_segmentator(shipped_segmentator()), vae, test, progress=False)[0]['miou'], 4)  # segmentator on the CPU
    out['segmentator_eval'] = scores

def downstream_on_device(a, dev, out: dict, tmp: str):
    import torch
    from synthseg.downstream import evaluate_arms, make_network, network_input
    from synthseg.metrics import SegmentationMetric
    from synthseg.robust import train_segmentation
    from synthseg.toy import ToyPets
    from synthseg.data import train_transform
    test = ToyPets(n=16 if a.small else 200, split='test')
    res, secs = timed(lambda: evaluate_arms(test, real=ToyPets(n=64), arms=['real'], n_real=[64], seeds=1, recipe='toy-pets',
                                            out=f'{tmp}/eval', device=dev, progress=False))
    row = res.rows()[0]
    out['evaluate_arms_real'] = {'seconds': secs, 'label': row['label'], 'miou': row['miou']}
    net_name = 'deeplabv3-mobilenet-v3'
    ds = ToyPets(n=256, size=64)
    net, secs = timed(lambda: train_segmentation(lambda: make_network(net_name, 2), ds, steps=a.seg_steps, batch_size=16, lr=1e-3,
                                                 augment=train_transform(64), normalize=network_input(net_name), device=dev, progress=False))
    m = SegmentationMetric(ds.classes)
    with torch.no_grad():
        for i in range(0, len(test), 32):
            xs = torch.stack([test[j][0] for j in range(i, min(i + 32, len(test)))])
            ys = torch.stack([test[j][1] for j in range(i, min(i + 32, len(test)))])
            m.update(net(xs.to(dev)).argmax(1).cpu(), ys)
    out['deeplabv3_mobilenet'] = {'steps': a.seg_steps, 'seconds': secs, 'miou': round(m.compute()['miou'], 3)}

def command_line(a, dev, out: dict, tmp: str):
    import subprocess, sys
    def cli(*args):
        r = subprocess.run([sys.executable, '-m', 'synthseg', *args, '--device', dev], capture_output=True, text=True)
        if r.returncode != 0: raise RuntimeError(f'synthseg {" ".join(args)} failed: {r.stderr[-1500:]}')
        return json.loads(r.stdout.strip().splitlines()[-1])
    n = '4' if a.small else '16'
    gen, secs = timed(lambda: cli('generate', '--masks', 'both', '--classes', 'cat', 'dog', '--augment', '-n', n, '--batch-size', '8', '--out', f'{tmp}/gen'))
    seg, seg_s = timed(lambda: cli('train-segmentator', '--dataset', 'toy-pets', '--num', '32' if a.small else '128', '--steps', '20' if a.small else '200',
                                   '--out', f'{tmp}/seg'))
    ev = cli('eval-segmentator', '--segmentator', f'{tmp}/seg', '--dataset', 'toy-pets', '--num', '16')
    out['command_line'] = {'generate_seconds': secs, 'generated': gen['generated'], 'train_segmentator_seconds': seg_s,
                           'eval_segmentator_miou': round(ev['miou'], 3)}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default='cuda'); ap.add_argument('--lora-steps', type=int, default=30)
    ap.add_argument('--seg-steps', type=int, default=300); ap.add_argument('--small', action='store_true')
    a = ap.parse_args()
    import torch
    out = {'device': a.device, 'torch': torch.__version__}
    if a.device == 'cuda': out['gpu'] = torch.cuda.get_device_name()
    with tempfile.TemporaryDirectory() as tmp:
        folder = None
        parts = {'lora_round_trip': lambda: lora_round_trip(a, a.device, out, tmp),
                 'lora_generation': lambda: folder is not None and lora_generation_cost(a, a.device, out, folder),
                 'masks': lambda: masks_on_device(a, a.device, out), 'downstream': lambda: downstream_on_device(a, a.device, out, tmp),
                 'command_line': lambda: command_line(a, a.device, out, tmp)}
        for name, part in parts.items():
            try:
                result = part()
                if name == 'lora_round_trip': folder = result
            except Exception as e:
                out.setdefault('errors', {})[name] = f'{type(e).__name__}: {e}'; traceback.print_exc()
            print(f'{name} done', flush=True)
    print(json.dumps(out))

if __name__ == '__main__':
    main()
