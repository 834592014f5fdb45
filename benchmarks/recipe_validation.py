"""Choose a setting of a downstream recipe on validation renders, never on the test split: what each setting does to the
real arm, to a mixed arm, and to the gap between them (what synthetic pairs add to n real images).

    python benchmarks/recipe_validation.py --synthetic DIR --out DIR [--world toy-streets] [--arms real mixed-segmentator-jitter]
                                           [--n-real 16] [--settings low_res=0.5 low_res=0.25 low_res=0] [--seeds 3] [--n-val 200]

The validation renders are the world's training split drawn with another seed (`--val-seed`, 3 by default: the real
training images are seed 0, the oracles' renders seed 1), as in `benchmarks/real_share.py`. Each setting is a
comma-separated list of recipe fields changed from the world's downstream recipe (`low_res=0.25`, `steps=1200,width=24`;
`default` changes nothing); it trains `--seeds` networks per arm (`evaluate_arms`, networks side by side on the cores) into
OUT/SETTING, which resumes. The last line of stdout is one JSON object: per setting, mean and std per arm, the gap of the
mixed arm over the real one in points, and the seconds.
"""
import argparse, json, time


def main():
    from synthseg.core import SynthsegError
    from synthseg.downstream import ARMS, downstream_recipe, evaluate_arms
    from _validation import add_validation_args, validation_sets
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_validation_args(ap)
    ap.add_argument('--arms', nargs='+', default=['real', 'mixed-segmentator-jitter'], choices=list(ARMS))
    ap.add_argument('--settings', nargs='+', default=['low_res=0.5', 'low_res=0.25', 'low_res=0'])
    a = ap.parse_args()
    val, real = validation_sets(a)
    base, res = downstream_recipe(a.world), {}
    try: recipes = {text: downstream_recipe(base, **base.parse_changes('' if text == 'default' else text)) for text in a.settings}
    except SynthsegError as e: ap.error(str(e))
    for text, recipe in recipes.items():
        t = time.time()
        rows = evaluate_arms(val, real, {'synthetic': a.synthetic}, a.arms, [a.n_real], None, a.seeds, recipe,
                             f'{a.out}/{text.replace(",", "_")}', progress=False, workers=None).rows()
        arms = {row['arm']: {'miou': round(row['miou'], 4), 'std': round(row['std'], 4)} for row in rows}
        mixed = [k for k in arms if k != 'real']
        gap = {k: round(100 * (arms[k]['miou'] - arms['real']['miou']), 1) for k in mixed} if 'real' in arms else {}
        res[text] = {'arms': arms, 'gap_points': gap, 'seconds': round(time.time() - t)}
        print(text, res[text], flush=True)
    print(json.dumps({'world': a.world, 'n_real': a.n_real, 'recipe': base.tag, 'val': f'{a.n_val} training renders of seed {a.val_seed}',
                      'settings': res}))

if __name__ == '__main__': main()
