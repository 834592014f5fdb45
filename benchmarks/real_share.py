"""Choose the real part of each batch of a mixed arm on validation renders, never on the test split.

    python benchmarks/real_share.py [--world toy-streets] [--arm mixed-segmentator-jitter] [--n-real 16] [--shares 0.25 0.5 0.75]
                                    --synthetic DIR --out DIR [--seeds 3] [--n-val 200]

The validation renders are the world's training split drawn with another seed (`--val-seed`, 3 by default: the real
training images are seed 0, the oracles' renders seed 1), so they share nothing with the n real training images or the
test renders. Each share trains `--seeds` networks by the world's downstream recipe (`evaluate_arms`, networks side by side
on the cores) into OUT/share-S, which resumes. The last line of stdout is one JSON object: mean, std and seconds per share.
"""
import argparse, json, time

def main():
    from synthseg.downstream import ARMS, downstream_recipe, evaluate_arms
    from _validation import add_validation_args, validation_sets
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_validation_args(ap)
    ap.add_argument('--arm', default='mixed-segmentator-jitter', choices=[a for a, v in ARMS.items() if v.real and v.synthetic])
    ap.add_argument('--shares', type=float, nargs='+', default=[0.25, 0.5, 0.75])
    a = ap.parse_args()
    val, real = validation_sets(a)
    recipe, res = downstream_recipe(a.world), {}
    for share in a.shares:
        t = time.time()
        rows = evaluate_arms(val, real, {'synthetic': a.synthetic}, [ARMS[a.arm].changed(real_share=share)], [a.n_real], None, a.seeds, recipe,
                             f'{a.out}/share-{share}', progress=False, workers=None).rows()
        res[share] = {'miou': round(rows[0]['miou'], 4), 'std': round(rows[0]['std'], 4), 'seconds': round(time.time() - t)}
        print(share, res[share], flush=True)
    print(json.dumps({'world': a.world, 'arm': a.arm, 'n_real': a.n_real, 'recipe': recipe.tag, 'val': f'{a.n_val} training renders of seed {a.val_seed}',
                      'shares': res}))

if __name__ == '__main__': main()
