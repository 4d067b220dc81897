"""The last measurement of a function: saved by profile/tune, read by cost --from-profile."""

from genesys_tasks import measured
from genesys_tasks.measured import Measurement


def sample(**changes):
    fields = dict(source="tune", function="api", memory_mb=512, architecture="arm64",
                  duration_ms=41.5, init_ms=180.0, measured_at="2026-12-06T04:00:00Z")
    fields.update(changes)
    return Measurement(**fields)


def test_a_saved_measurement_is_read_back_as_the_functions_last(tmp_path):
    measured.save(tmp_path, sample(memory_mb=256))
    measured.save(tmp_path, sample(memory_mb=1024))
    assert measured.last(tmp_path, "api") == sample(memory_mb=1024)
    assert measured.last(tmp_path, "other") is None


def test_an_unreadable_or_foreign_record_is_no_measurement(tmp_path):
    path = measured.record_path(tmp_path, "api")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert measured.last(tmp_path, "api") is None
    path.write_text('{"source": "guess", "function": "api", "memory_mb": 128, "architecture": "x86_64",'
                    ' "duration_ms": 1, "init_ms": null, "measured_at": "x"}')
    assert measured.last(tmp_path, "api") is None
