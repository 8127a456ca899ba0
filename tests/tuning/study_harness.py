"""Test harness for shared tuning studies: real `tinycnn_tune` workers run together on one storage, checked, or one
of them killed mid-trial. Used by nbs/api/10_studies.ipynb and tests/tuning/test_postgres.py; not part of the library."""
import signal, time
import optuna, sqlalchemy
from optuna.storages import RDBStorage
from optuna.trial import TrialState
from tinycnn.studies import FINISHED, database_url, launch_workers, n_finished, open_storage, retry_of

def check_distributed_study(storage:str, # the storage the workers used
                             trials:int, # finished trials requested
                             n_workers:int, # how many workers ran
                             study_name:str='tinycnn', # the study's name
                            )->optuna.Study:
    "Load the study; check it has `trials` finished trials, at most one extra per extra worker, all distinct"
    study = optuna.load_study(study_name=study_name, storage=open_storage(storage))
    done = n_finished(study)
    if not trials <= done <= trials + n_workers - 1:
        raise AssertionError(f'{done} finished trials, expected {trials} to {trials + n_workers - 1}')
    numbers = [t.number for t in study.trials]
    if len(set(numbers)) != len(numbers): raise AssertionError(f'repeated trial numbers: {numbers}')
    configs = [tuple(sorted(t.params.items())) for t in study.get_trials(states=FINISHED) if retry_of(t) is None]
    if len(set(configs)) != len(configs): raise AssertionError('two trials tried the same configuration')
    running = study.get_trials(states=(TrialState.RUNNING, TrialState.WAITING))
    if running: raise AssertionError(f'trials left running or waiting: {[t.number for t in running]}')
    return study

def run_distributed(n:int, # worker processes
                     storage:str, # see `open_storage`
                     trials:int, # finished trials the study must reach
                     *args:str, # more `tinycnn_tune` options
                     study_name:str='tinycnn', # the study's name
                     timeout:float=300, # seconds to wait for each worker
                    )->optuna.Study: # the checked study
    "Run `n` workers with `launch_workers`, wait, check they all succeeded, then `check_distributed_study`"
    procs = launch_workers(n, storage, trials, *args, study_name=study_name)
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0: # the error itself, without the progress bar's redraws around it
            lines = [l for l in err.replace('\r', '\n').splitlines() if l.strip() and not l.startswith('trials:')]
            raise AssertionError(
                f'a worker failed (exit code {p.returncode}):\n'
                + '\n'.join(lines[-30:])
                + f'\nits output:\n{out[-1000:]}'
            )
    return check_distributed_study(storage, trials, n, study_name)

def kill_mid_trial(storage:str, # see `open_storage`
                    trials:int, # finished trials the study must reach
                    *args:str, # more `tinycnn_tune` options
                    study_name:str='tinycnn', # the study's name
                    timeout:float=120, # give up after this many seconds
                   )->optuna.Study: # the study as the killed worker left it
    "Start one worker, SIGKILL it once it has finished a trial and is training the next; return the study"
    [p] = launch_workers(1, storage, trials, *args, study_name=study_name)
    def reader(): # a database is only read (no table creation), so a frozen worker's locks do not block it
        if '://' not in str(storage): return open_storage(storage)
        return RDBStorage(database_url(str(storage)), skip_table_creation=True, skip_compatibility_check=True)
    deadline, frozen = time.time() + timeout, False
    while time.time() < deadline and not frozen:
        time.sleep(0.2)
        p.send_signal(signal.SIGSTOP) # freeze the worker: the study read now is the one it is killed in
        try:
            study = optuna.load_study(study_name=study_name, storage=reader())
            running = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                       if 'epochs_run' in t.user_attrs] # its whole configuration drawn: it is training
            frozen = n_finished(study) >= 1 and bool(running)
        except (KeyError, ValueError, sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError):
            pass # not created yet
        if not frozen: p.send_signal(signal.SIGCONT)
    p.kill(); p.communicate()
    return optuna.load_study(study_name=study_name, storage=open_storage(storage))
