"""The whole miniature downstream table, both worlds, every arm, 3 seeds, timed end to end on the machine's cores.

    python benchmarks/miniature_table.py --out DIR [--workers 2] [--n 384] [--seeds 3] [--n-real 16 64 384] [--worlds pets streets] [--steps N]

Nothing but `synthseg` commands, run as jobs on `--workers` processes of one thread each (2 on the development machines):

  generation    Toy Pets: `synthseg generate --masks both --augment` (TinySD, both mask sources, augmented prompts);
                Toy Streets: `synthseg generate` from N Toy Streets captions of seed 7 (scenes the real training set does not
                hold) at 64x128, once with the shipped LoRA and once without it, both with the street segmentator's masks.
  training      `synthseg evaluate` for each world, split by arm (real arms need no generation and start at once), every run
                recorded in DIR/eval-WORLD/runs; the networks are each world's downstream recipe (`--recipe`, default the
                world's own: toy-pets, toy-streets).
  table         one last `synthseg evaluate` per world over every arm, which finds every run recorded and only writes
                results.json, results.md and the pictures.

A job starts when the folders it reads are complete: generation first, then the longest first. Rerun with the same arguments to resume: generation
and every trained network resume from what is on disk. The last line of stdout is one JSON object: the wall time, and each
job's command and seconds.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

PETS_ARMS = ['real', 'mixed-segmentator', 'mixed-attention', 'synthetic-attention-cotrain', 'synthetic-segmentator', 'synthetic-segmentator-jitter',
             'synthetic-attention', 'synthetic-attention-reliability', 'synthetic-attention-agreement', 'synthetic-segmentator-agreement']
STREETS_ARMS = ['real', 'synthetic-segmentator', 'synthetic-segmentator-jitter', 'mixed-segmentator', 'mixed-segmentator-jitter']

def jobs(out: Path, n: int, seeds: int, n_real: list[int], steps: int | None = None) -> list[dict]:
    "The table as jobs: name, command, the jobs it waits for, and a guess of its cost (thread-seconds) to start the longest first."
    pets, streets = out/'synthetic-pets', {k: out/f'synthetic-streets-{k}' for k in ('lora', 'plain')}
    prompts = out/'street-prompts.txt'
    size = ['--prompts-file', str(prompts), '--height', '64', '--width', '128']
    common = ['-n', str(n), '--batch-size', '16']
    js = [dict(name='generate pets', cmd=['generate', '--masks', 'both', '--augment', *common, '--out', str(pets)], after=[], cost=0.5 * n),
          dict(name='generate streets lora', cmd=['generate', '--lora', 'toy-streets', *size, *common, '--out', str(streets['lora'])], after=[], cost=1.1 * n),
          dict(name='generate streets plain', cmd=['generate', '--segmentator', 'toy-streets-tiny-vae', *size, *common, '--out', str(streets['plain'])],
               after=[], cost=1.1 * n)]
    reals = [str(k) for k in n_real] + (['--steps', str(steps)] if steps else [])  # --steps: a smoke test of the whole pipeline
    for arm in PETS_ARMS:
        nets = (len(n_real) if arm.startswith(('real', 'mixed')) else 1) * seeds * (2 if arm.endswith('cotrain') else 1)
        syn = [] if arm == 'real' else ['--synthetic', f'tinysd={pets}']  # the real arm needs no generated folder and starts at once
        js.append(dict(name=f'pets {arm}', after=[] if arm == 'real' else ['generate pets'], cost=30 * nets,
                       cmd=['evaluate', *syn, '--arms', arm, '--n-real', *reals, '--seeds', str(seeds), '--out', str(out/'eval-pets')]))
    for arm in STREETS_ARMS:
        nets = (len(n_real) if arm.startswith(('real', 'mixed')) else 1) * seeds * (1 if arm == 'real' else 2)
        syn = [] if arm == 'real' else ['--synthetic', f'lora={streets["lora"]}', f'plain={streets["plain"]}']
        js.append(dict(name=f'streets {arm}', after=[] if arm == 'real' else ['generate streets lora', 'generate streets plain'], cost=62 * nets,
                       cmd=['evaluate', '--test-dataset', 'toy-streets', *syn, '--arms', arm, '--n-real', *reals, '--seeds', str(seeds),
                            '--out', str(out/'eval-streets')]))
    return js

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, required=True); ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--n', type=int, default=384, help='generated pairs per folder'); ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--n-real', type=int, nargs='+', default=[16, 64, 384])
    ap.add_argument('--worlds', nargs='+', choices=('pets', 'streets'), default=['pets', 'streets'], help='run the table of these worlds only')
    ap.add_argument('--steps', type=int, help="training steps per network (default: the recipes'; fewer only to try the pipeline out)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    from synthseg.downstream import street_prompts, write_prompts
    write_prompts(a.out/'street-prompts.txt', street_prompts(a.n))  # as `synthseg evaluate --test-dataset toy-streets` writes them
    todo = sorted([j for j in jobs(a.out, a.n, a.seeds, a.n_real, a.steps) if any(w in j['name'].split() for w in a.worlds)], key=lambda j: (not j['name'].startswith('generate'), -j['cost']))  # generation unlocks the most
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}
    logs = a.out/'logs'; logs.mkdir(exist_ok=True)
    running, done, record = {}, set(), []
    t0 = time.perf_counter()
    while todo or running:
        for name, (p, j, t) in list(running.items()):
            if p.poll() is None: continue
            del running[name]; j['log'].close()
            if p.returncode != 0: sys.exit(f'miniature_table: `synthseg {" ".join(j["cmd"])}` failed (exit {p.returncode}); see {logs}/{name.replace(" ", "_")}.log')
            done.add(name); record.append({'job': name, 'seconds': round(time.perf_counter() - t, 1), 'command': 'synthseg ' + ' '.join(j['cmd'])})
            print(f'{time.perf_counter() - t0:7.0f} s  done {name} ({record[-1]["seconds"]} s)', file=sys.stderr)
        ready = [j for j in todo if all(d in done for d in j['after'])]
        while ready and len(running) < a.workers:
            j = ready.pop(0); todo.remove(j)
            j['log'] = open(logs/f'{j["name"].replace(" ", "_")}.log', 'w')
            running[j['name']] = (subprocess.Popen(['synthseg', *j['cmd']], stdout=j['log'], stderr=subprocess.STDOUT, env=env), j, time.perf_counter())
            print(f'{time.perf_counter() - t0:7.0f} s  start {j["name"]}', file=sys.stderr)
        time.sleep(2)
    train_end = time.perf_counter() - t0
    tables = {}
    for world, arms in [(w, PETS_ARMS if w == 'pets' else STREETS_ARMS) for w in a.worlds]:  # every run is recorded: this only writes the table and the pictures
        cmd = list(next(j for j in jobs(a.out, a.n, a.seeds, a.n_real, a.steps) if j['name'] == f'{world} {arms[1]}')['cmd'])
        i = cmd.index('--arms'); cmd[i + 1:i + 2] = arms
        res = subprocess.run(['synthseg', *cmd], capture_output=True, text=True, env=env)
        if res.returncode != 0: sys.exit(f'miniature_table: the table of {world} failed: {res.stderr[-2000:]}')
        tables[world] = json.loads(res.stdout.strip().splitlines()[-1])
    print(json.dumps({'workers': a.workers, 'wall_seconds': round(time.perf_counter() - t0, 1), 'jobs_wall_seconds': round(train_end, 1),
                      'thread_seconds': round(sum(r['seconds'] for r in record), 1), 'jobs': record,
                      'tables': {w: t['rows'] for w, t in tables.items()}}))

if __name__ == '__main__': main()
