"""Score LoRAs side by side as chapter 12 scores the shipped one: how close their street generations come to real Toy Streets,
how well the street segmentator's and the attention's masks agree with the street oracle, and how far apart the
text encoder holds the words of street captions.

    python benchmarks/lora_scores.py [--loras none toy-streets DIR ...] [--n 96]

For every LoRA (a shipped name, a folder made by `synthseg train-lora`, or `none` for TinySD itself), loaded with
diffusers' `load_lora_weights` at scale 1: `street_scores` on `--n` generations from the captions of as many Toy
Streets test scenes (chapter 12's seeds: `--n 96` gives the chapter's figures), i.e. the KID to the real renders of
the same scenes on the oracle's features, and the mIoU of each mask source against the oracle over the classes
present (the shipped street segmentator; the cross-attention source with `street_words` and the `tinysd` attention
recipe, no band), with per-class IoU; and the cosine similarity of the text encoder's output at a caption's last
word between captions that differ only in that word (`a street with a car` against `... a bus`; `cat` against `dog`,
words of the pet captions TinySD was trained on, for comparison): near 1, the UNet cannot tell the words apart,
whatever its cross-attention does. The last line of stdout is one JSON object.
"""
import argparse, json

WORD_PAIRS = (('car', 'bus'), ('car', 'pedestrian'), ('car', 'trees'), ('truck', 'cyclist'), ('cat', 'dog'))  # one token each; cat/dog: words TinySD was trained on


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--loras', nargs='+', default=['none', 'toy-streets'], help="shipped names, LoRA folders, or 'none' (TinySD itself)")
    ap.add_argument('--n', type=int, default=96, help="generations scored per LoRA (96: chapter 12's figures)")
    a = ap.parse_args()
    import torch
    from synthseg.attention import AttentionSource
    from synthseg.core import SynthsegError, check_lora
    from synthseg.data import CITYSCAPES_CLASSES, CITYSCAPES_PALETTE
    from synthseg.generate import load_pipeline, shipped_segmentator
    from synthseg.lora import load_lora, load_street_oracle, street_scores, street_words
    from synthseg.segmentator import load_segmentator
    try: folders = {name: None if name == 'none' else check_lora(name) for name in a.loras}
    except SynthsegError as e: ap.error(str(e))
    oracle, words, res = load_street_oracle(), street_words(), {}
    for name, folder in folders.items():
        pipe = load_pipeline() if folder is None else load_lora(load_pipeline(), folder)
        seg = load_segmentator(shipped_segmentator('toy-streets-tiny-vae'), pipe.vae)
        attn = AttentionSource(words, 'tinysd', target=CITYSCAPES_CLASSES, palette=CITYSCAPES_PALETTE, band=0)
        s = street_scores(pipe, oracle, [seg, attn], n=a.n, progress=False)

        def last_word(caption):
            ids = pipe.tokenizer([caption], return_tensors='pt').input_ids
            with torch.no_grad(): return pipe.text_encoder(ids)[0][0, -2]  # the word before the end token
        cos = {f'{u}/{v}': round(torch.cosine_similarity(last_word(f'a street with a {u}'), last_word(f'a street with a {v}'), dim=0).item(), 3)
               for u, v in WORD_PAIRS}
        res[name] = {'kid': round(s.kid, 3), 'kid_std': round(s.kid_std, 3), 'agreement': {k: round(v, 3) for k, v in s.agreement.items()},
                     'word_cosine': cos, 'per_class': {k: {c: (None if v is None else round(v, 3)) for c, v in p.items()} for k, p in s.per_class.items()}}
        print(name, json.dumps({k: v for k, v in res[name].items() if k != 'per_class'}), flush=True)
    print(json.dumps({'n': a.n, 'loras': res}))


if __name__ == '__main__': main()
