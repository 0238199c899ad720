"""The dependency audit CI runs: every pinned package installed in the virtualenv, checked by pip-audit.

    .venv/bin/python -m yishi.ops.audit_dependencies

Exit 1 on any known vulnerability (each printed with the versions that fix it), and when pip-audit fails for
a reason other than the network. Where the vulnerability service cannot be reached, or does not answer for
some packages (a registry mirror without the per-version pages the service reads), it prints a WARNING naming
how many packages went unchecked and exits 0: a network outage must not block a merge, but it must be seen.
"""

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

NETWORK_SIGNS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "timed out",
    "ReadTimeout",
    "ConnectTimeout",
    "Network is unreachable",
)


@dataclass
class Outcome:
    failed: bool
    lines: list[str]


def judge(returncode: int, report: dict | None, stderr: str) -> Outcome:
    """Read pip-audit's JSON report (None when it wrote none) and its stderr into a verdict."""
    if report is None:
        if any(sign in stderr for sign in NETWORK_SIGNS):
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            return Outcome(
                False,
                [
                    f"WARNING: dependency audit skipped, the vulnerability service is unreachable: "
                    f"{last[:300]}"
                ],
            )
        return Outcome(
            True, [f"pip-audit failed (exit {returncode}) without a report:", stderr.strip()[-2000:]]
        )
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE: {dep['name']} {dep.get('version', '?')}: {vuln.get('id')} (fixed in {fixes})"
            )
    audited = len(dependencies) - len(skipped)
    if skipped:
        lines.append(
            f"WARNING: {len(skipped)} of {len(dependencies)} packages could not be audited (the "
            f"vulnerability service did not answer for them), e.g. {skipped[0]['skip_reason']}"
        )
    if vulnerable:
        lines.append(
            f"{len(vulnerable)} vulnerable packages: upgrade them (pin the fixed version in pyproject.toml)"
        )
        return Outcome(True, lines)
    lines.append(f"no known vulnerabilities in the {audited} packages audited")
    return Outcome(False, lines)


def main() -> int:
    python = Path(sys.executable)
    pip_audit = python.with_name("pip-audit")
    with tempfile.TemporaryDirectory() as work:
        requirements = Path(work) / "requirements.txt"
        frozen = subprocess.run(  # noqa: S603 - this virtualenv's pip
            [str(python), "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        )
        requirements.write_text(frozen.stdout)
        output = Path(work) / "audit.json"
        # --no-deps --disable-pip: audit exactly the pinned versions installed, without resolving them again.
        result = subprocess.run(  # noqa: S603
            [
                str(pip_audit),
                "--disable-pip",
                "--no-deps",
                "--progress-spinner",
                "off",
                "--requirement",
                str(requirements),
                "--format",
                "json",
                "--output",
                str(output),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        report = json.loads(output.read_text()) if output.exists() and output.stat().st_size else None
    outcome = judge(result.returncode, report, result.stderr)
    for line in outcome.lines:
        print(line)
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
