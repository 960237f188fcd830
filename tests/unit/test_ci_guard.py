"""The CI guard in tests/conftest.py: under CI=true a skipped test fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = (Path(__file__).parent.parent / "conftest.py").read_text()


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_sample="""
        import pytest

        def test_runs():
            assert True

        def test_needs_a_service():
            pytest.skip("no service here")
        """
    )
    return pytester


def test_a_skip_is_only_a_skip_on_a_developer_machine(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.OK


def test_a_skip_fails_the_run_under_ci(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*CI=true: 1 test(s) were skipped*"])


def test_a_missing_reference_folder_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_ref="""
        def test_reads_reference(reference_dir):
            assert reference_dir.is_dir()
        """
    )
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PROCORE_QB_REFERENCE_DIR", str(pytester.path / "missing"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*a required service is missing*"])
