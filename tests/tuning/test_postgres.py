"""Test 3 of nbs/07_tuning.ipynb: two `tinycnn_tune` worker processes share one study in a real PostgreSQL server.

Run by .ci/checks/30-postgres.sh, which starts a throwaway server and sets TINYCNN_PG_URL; it uses the same helper
(`run_distributed`) as the journal-file test in the notebook."""
import os, uuid
import pytest
from tinycnn.tuning import run_distributed, n_finished

URL = os.environ.get('TINYCNN_PG_URL')

@pytest.mark.skipif(not URL, reason='needs TINYCNN_PG_URL (postgresql://...), set by .ci/checks/30-postgres.sh')
def test_two_workers_share_a_postgres_study():
    name = f'test-{uuid.uuid4().hex[:8]}'
    study = run_distributed(2, URL, 4, '--dataset', 'sample', '--epochs', '1', '--train-images', '500', study_name=name)
    assert 4 <= n_finished(study) <= 5
    assert len({t.user_attrs['worker'] for t in study.trials}) == 2, 'both workers should have run trials'
