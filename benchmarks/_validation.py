"""What the validation benchmarks (`real_share.py`, `recipe_validation.py`) share: their data options and the two sets they train and score on.

The validation renders are the world's training split drawn with another seed (`--val-seed`, 3 by default: the real
training images are seed 0, the oracles' renders seed 1), so they share nothing with the n real training images or the
test renders.
"""


def add_validation_args(ap):
    "The options of the world, the real images, the synthetic folder, the validation renders and the output folder."
    ap.add_argument('--world', choices=('toy-pets', 'toy-streets'), default='toy-streets')
    ap.add_argument('--n-real', type=int, default=16); ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--synthetic', required=True, help='a folder made by synthseg generate (Toy Streets: the LoRA pairs of the table)')
    ap.add_argument('--n-val', type=int, default=200); ap.add_argument('--val-seed', type=int, default=3)
    ap.add_argument('--out', required=True)


def validation_sets(a):
    "The validation renders and the n real training images the options `a` name."
    from synthseg.toy import load_dataset
    return load_dataset(a.world, None, 'train', n=a.n_val, seed=a.val_seed), load_dataset(a.world, None, 'train', n=a.n_real)
