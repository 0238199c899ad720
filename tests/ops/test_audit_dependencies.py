"""The CI dependency audit fails on a finding and only warns when the vulnerability service is out of reach."""

from yishi.ops.audit_dependencies import judge


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "pillow", "version": "12.0.0", "vulns": []},
        ]
    }
    outcome = judge(1, report, "")
    assert outcome.failed
    assert "VULNERABLE: django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in outcome.lines


def test_a_clean_report_passes():
    outcome = judge(0, {"dependencies": [{"name": "pillow", "version": "12.0.0", "vulns": []}]}, "")
    assert not outcome.failed
    assert outcome.lines == ["no known vulnerabilities in the 1 packages audited"]


def test_packages_the_service_did_not_answer_for_are_a_warning_not_a_failure():
    report = {
        "dependencies": [
            {
                "name": "anyio",
                "skip_reason": "Dependency not found on PyPI and could not be audited: anyio (4.16.0)",
            },
            {"name": "pillow", "version": "12.0.0", "vulns": []},
        ]
    }
    outcome = judge(0, report, "")
    assert not outcome.failed
    assert outcome.lines[0].startswith("WARNING: 1 of 2 packages could not be audited")


def test_an_unreachable_service_warns_but_a_vulnerability_still_fails_beside_skips():
    stderr = (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev'): NameResolutionError"
    )
    outcome = judge(1, None, stderr)
    assert not outcome.failed and outcome.lines[0].startswith("WARNING: dependency audit skipped")
    mixed = {
        "dependencies": [
            {"name": "anyio", "skip_reason": "not found"},
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "GHSA-x", "fix_versions": []}]},
        ]
    }
    assert judge(1, mixed, "").failed


def test_pip_audit_failing_for_another_reason_fails_the_step():
    outcome = judge(2, None, "usage: pip-audit: error: unrecognized arguments: --bogus")
    assert outcome.failed and "unrecognized arguments" in outcome.lines[1]
