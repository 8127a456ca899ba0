"""The PostgreSQL part of the shared-studies tests (nbs/api/10_studies.ipynb): `tinycnn_tune` workers sharing one study
in a real PostgreSQL server.

Run by .ci/checks/30-postgres.sh, which starts a throwaway server and sets TINYCNN_PG_URL; it uses the same harness
(`study_harness.py` beside it) as the journal-file and SQLite tests in the notebook."""
import os, sys, uuid
from pathlib import Path
import optuna, pytest
sys.path.insert(0, str(Path(__file__).parent))
from tinycnn.data import load_data, train_subset
from tinycnn.studies import n_finished, open_storage
from tinycnn.tuning import tune
from study_harness import run_distributed

URL = os.environ.get('TINYCNN_PG_URL')
pytestmark = pytest.mark.skipif(not URL, reason='needs TINYCNN_PG_URL (postgresql://...), set by .ci/checks/30-postgres.sh')
QUICK = ('--dataset', 'sample', '--epochs', '1', '--train-images', '500')

def test_two_workers_share_a_postgres_study():
    # the first test on the fresh database: the two workers also race to create Optuna's tables, and neither may die
    name = f'test-{uuid.uuid4().hex[:8]}'
    study = run_distributed(2, URL, 4, *QUICK, study_name=name)
    assert 4 <= n_finished(study) <= 5
    assert len({t.user_attrs['worker'] for t in study.trials}) == 2, 'both workers should have run trials'
    assert study.user_attrs['tinycnn']['train_images'] == 500

def test_postgres_study_of_another_kind_is_refused_untouched():
    name = f'test-{uuid.uuid4().hex[:8]}'
    optuna.create_study(storage=open_storage(URL), study_name=name, direction='minimize')
    data = train_subset(load_data('sample', verbose=False), 200)
    with pytest.raises(ValueError, match='minimize'): tune(data, trials=1, epochs=1, storage=URL, study_name=name, progress=False)
    study = optuna.load_study(study_name=name, storage=open_storage(URL))
    assert (len(study.trials), study.user_attrs) == (0, {})

def test_postgres_storage_has_optunas_heartbeat():
    storage = open_storage(URL, heartbeat=10, grace=60)
    assert (storage.heartbeat_interval, storage.grace_period) == (10, 60)
    assert storage.get_heartbeat_stale_trial_callback() is not None
