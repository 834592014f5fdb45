"""What does a tiny VAE keep of Toy Streets? Round trips of held-out renders, as PSNR and as the street oracle sees them.

    python benchmarks/vae_round_trips.py [--vaes tiny DIR ...] [--n 500] [--n-pets 300]

Each VAE (`tiny`: the shipped one; a folder: any `AutoencoderKL` in the diffusers layout, such as
`synthseg train-vae --latent-channels 8 --out DIR` makes in DIR/vae) encodes and decodes the 500 Toy Streets test
renders that `synthseg eval-segmentator --dataset toy-streets` scores and 300 Toy Pets test images. Reported: PSNR of
the round trips on both worlds, and the shipped street oracle's mIoU and per-class IoU on the street round trips,
next to its figures on the renders themselves. A segmentator on a VAE's decoder can label only what the round trip
keeps, so the oracle's loss from renders to round trips is a quick measure of what a VAE costs the 19-class masks.
(The oracle was trained on renders and on round trips through the shipped VAE, which favours that VAE a little;
`benchmarks/street_ceiling.py --vae DIR` trains a judge on a VAE's own round trips, the full measure.)
The last line of stdout is one JSON object.
"""
import argparse, json, time

import torch


def main():
    from synthseg.data import CITYSCAPES_CLASSES
    from synthseg.lora import load_street_oracle
    from synthseg.metrics import SegmentationMetric
    from synthseg.toy import ToyPets, ToyStreets
    from synthseg.vae_features import load_vae, psnr, reconstruct
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--vaes', nargs='+', default=['tiny'], help='tiny (the shipped VAE) or autoencoder folders')
    ap.add_argument('--n', type=int, default=500, help='Toy Streets test renders')
    ap.add_argument('--n-pets', type=int, default=300, help='Toy Pets test images (64 px)')
    a = ap.parse_args()
    oracle = load_street_oracle()
    streets, pets = ToyStreets(n=a.n, split='test'), ToyPets(n=a.n_pets, size=64, split='test')
    x = torch.stack([streets[i][0] for i in range(len(streets))]); m = torch.stack([streets[i][1] for i in range(len(streets))]).long()
    px = torch.stack([pets[i][0] for i in range(len(pets))])

    def judged(images):
        met = SegmentationMetric(CITYSCAPES_CLASSES)
        for b in range(0, len(images), 100): met.update(oracle.predict(images[b:b + 100]), m[b:b + 100])
        r = met.compute()
        return {'oracle_miou': round(r['miou'], 4), 'per_class': {c: (None if v is None else round(v, 3)) for c, v in r['per_class'].items()}}

    def round_trip(vae, images): return torch.cat([reconstruct(vae, images[b:b + 100]) for b in range(0, len(images), 100)])

    res = {'renders': judged(x)}
    print('renders', res['renders']['oracle_miou'], flush=True)
    for name in a.vaes:
        t0 = time.perf_counter()
        vae = load_vae(None if name == 'tiny' else name)
        rt = round_trip(vae, x)
        res[name] = {'latent_channels': vae.config.latent_channels, 'downsample': 2 ** (len(vae.config.block_out_channels) - 1),
                     'parameters': sum(p.numel() for p in vae.parameters()), 'psnr_streets': round(psnr(rt, x), 2),
                     'psnr_pets': round(psnr(round_trip(vae, px), px), 2), **judged(rt), 'seconds': round(time.perf_counter() - t0, 1)}
        print(name, {k: v for k, v in res[name].items() if k != 'per_class'}, flush=True)
    print(json.dumps({'n_streets': a.n, 'n_pets': a.n_pets, 'results': res}))


if __name__ == '__main__': main()
