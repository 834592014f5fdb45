"""How high can any judge of Toy Streets go at 64×128, and how much of that survives the tiny VAE?

    python benchmarks/street_ceiling.py [--inputs renders round-trips] [--width 32] [--steps 4000] [--n 4000] [--n-test 500] [--vae DIR] [--out DIR]

The question behind the 0.80 target for the street segmentator: a segmentator reads the tiny VAE's decoder, so it
can label only what survives the VAE's round trip. This trains a pixel network (the street oracle's U-Net, wider and
longer than the shipped oracle, class-weighted loss with three quarters of the weighting taken back at prediction, as
the oracle and the segmentator do) once on the renders themselves and once on their round trips through the tiny
VAE, and scores each on the 500 held-out test renders that `synthseg eval-segmentator --dataset toy-streets` scores
(seen the same way it was trained: renders or round trips). The first figure bounds any judge at this size (what a
network this size can learn from the pixels); the second bounds what a judge reading the VAE can see. Training scenes
are the street oracle's (train split, seed 1), never the test ones. Each network saves a safetensors checkpoint to
`--out`/INPUTS every 250 steps and resumes from it (a resume with other settings is refused). `--vae` makes the round trips
through another autoencoder folder (diffusers layout; default: the shipped tiny VAE), to ask how much a VAE that keeps
more would let a judge see. The last line of stdout is one JSON object.
"""
import argparse, json, math, time
from pathlib import Path

import torch, torch.nn.functional as F


def main():
    from synthseg.blocks import SmallUNet
    from synthseg.core import (check_resume, cpu_bf16, load_checkpoint, load_optimizer_state, optimizer_state, sample_seed, save_checkpoint,
                               seed_everything)
    from synthseg.data import CITYSCAPES_CLASSES
    from synthseg.metrics import SegmentationMetric
    from synthseg.segmentator import class_weights
    from synthseg.toy import ToyStreets
    from synthseg.vae_features import load_vae, reconstruct
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--inputs', nargs='+', choices=('renders', 'round-trips'), default=['renders', 'round-trips'])
    ap.add_argument('--width', type=int, default=32); ap.add_argument('--steps', type=int, default=4000)
    ap.add_argument('--batch-size', type=int, default=16); ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--n', type=int, default=4000); ap.add_argument('--n-test', type=int, default=500)
    ap.add_argument('--vae', help='autoencoder folder for the round trips (default: the shipped tiny VAE)')
    ap.add_argument('--seed', type=int, default=1); ap.add_argument('--out', type=Path, default=Path('runs/street-ceiling'))
    a = ap.parse_args()
    vae, amp = load_vae(a.vae), cpu_bf16()

    def renders(ds):
        pairs = [ds[i] for i in range(len(ds))]
        return torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs]).long()

    def round_trips(images):
        return torch.cat([reconstruct(vae, images[b:b + 128]) for b in range(0, len(images), 128)])

    t0 = time.perf_counter()
    train_x, train_m = renders(ToyStreets(n=a.n, split='train', seed=a.seed))
    test_x, test_m = renders(ToyStreets(n=a.n_test, split='test'))
    print(f'{a.n} training and {a.n_test} test renders in {time.perf_counter() - t0:.0f} s', flush=True)
    w = class_weights(train_m, len(CITYSCAPES_CLASSES), 0.5)
    res = {}
    for kind in a.inputs:
        x, tx = (train_x, test_x) if kind == 'renders' else (round_trips(train_x), round_trips(test_x))
        seed_everything(a.seed)
        net = SmallUNet(len(CITYSCAPES_CLASSES), a.width)
        opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-2)
        ckpt, start, secs = a.out/kind/'checkpoint', 0, 0.0
        settings = {'inputs': kind, **({'vae': str(a.vae)} if a.vae and kind == 'round-trips' else {}), 'width': a.width, 'steps': a.steps, 'batch_size': a.batch_size, 'lr': a.lr, 'n': a.n, 'seed': a.seed}
        check_resume(ckpt, 'street ceiling', settings)
        if (saved := load_checkpoint(ckpt)) is not None:
            tensors, meta = saved
            net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith('net.')})
            load_optimizer_state(opt, tensors, meta['optimizer']); start, secs = meta['step'], meta['seconds']
        t1 = time.perf_counter(); net.train()
        for step in range(start, a.steps):
            g = torch.Generator().manual_seed(sample_seed(a.seed, step))
            idx = torch.randint(0, len(x), (a.batch_size,), generator=g)
            xb = (x[idx] + 0.02 * torch.randn(x[idx].shape, generator=g)).clamp(0, 1); mb = train_m[idx]
            flip = (torch.rand(a.batch_size, generator=g) < 0.5)[:, None, None, None]
            xb, mb = torch.where(flip, xb.flip(-1), xb), torch.where(flip[:, 0], mb.flip(-1), mb)
            for group in opt.param_groups: group['lr'] = a.lr * min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
            with torch.autocast('cpu', torch.bfloat16, enabled=amp): logits = net(xb)
            loss = F.cross_entropy(logits.float(), mb, weight=w, ignore_index=255)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            if (step + 1) % 250 == 0 or step + 1 == a.steps:
                t_, m_ = optimizer_state(opt); meta = {'step': step + 1, 'optimizer': m_, 'seconds': round(secs + time.perf_counter() - t1, 1)}
                save_checkpoint(ckpt, {**{f'net.{k}': v for k, v in net.state_dict().items()}, **t_}, meta, 'street ceiling', settings)
                print(f'{kind} step {step + 1}: loss {loss.item():.3f}, {meta["seconds"]:.0f} s', flush=True)
        net.eval(); met = SegmentationMetric(CITYSCAPES_CLASSES); bias = (-0.75 * w.log())[None, :, None, None]
        with torch.no_grad():
            for b in range(0, len(tx), 64):
                xb = tx[b:b + 64]
                logits = (net(xb) + net(xb.flip(-1)).flip(-1)) / 2
                met.update((logits + bias).argmax(1), test_m[b:b + 64])
        r = met.compute()
        res[kind] = {'miou': round(r['miou'], 4), 'per_class': {c: (None if v is None else round(v, 3)) for c, v in r['per_class'].items()},
                     'train_seconds': round(secs + time.perf_counter() - t1)}
        print(kind, json.dumps(res[kind]), flush=True)
    print(json.dumps({'vae': a.vae or 'tiny', 'width': a.width, 'steps': a.steps, 'batch_size': a.batch_size, 'n_train': a.n, 'n_test': a.n_test, 'bf16': amp, 'results': res}))


if __name__ == '__main__': main()
