#!/usr/bin/env python3
"""Summarises the engine double's validation log of one test run.

Every request the double received was validated against each supported engine schema
(shared/reference/schemas/<version>.graphqls); with REGISTRY_CONFIG_VALIDATION_LOG set it appended
one line per request and version: version, verdict, SHA-256 of the query, and who sent it (the
cargo package whose tests ran the double, or registry-config-runtime for the runtime SDK module
run through the Python SDK). This prints, per sender and version, how many distinct requests were
validated and how many were rejected, and exits 1 if a request sent by the module, the library or
the runtime was rejected by any version. The engine double's own tests send invalid documents on
purpose, so their rejections are reported but expected.
"""

import collections
import pathlib
import sys

PROJECT_SENDERS = ("registry-config", "registry-config-runtime")


def main(log_dir: str) -> int:
    files = sorted(pathlib.Path(log_dir).glob("*.tsv"))
    if not files:
        print(f"schema-report: no validation log in {log_dir}", file=sys.stderr)
        return 1
    seen: dict[tuple[str, str], dict[str, set[str]]] = collections.defaultdict(
        lambda: {"accepted": set(), "rejected": set()}
    )
    for path in files:
        for line in path.read_text().splitlines():
            version, verdict, digest, package = line.split("\t")
            seen[(package, version)][verdict].add(digest)
    failed = False
    print("Requests validated against each engine schema (distinct documents):")
    for (package, version), verdicts in sorted(seen.items()):
        validated = len(verdicts["accepted"] | verdicts["rejected"])
        rejected = len(verdicts["rejected"])
        print(f"  {package:<24} {version:<16} {validated:>6} validated, {rejected:>4} rejected")
        if package in PROJECT_SENDERS and rejected:
            failed = True
    if failed:
        print(f"schema-report: FAILED: {' or '.join(PROJECT_SENDERS)} sent requests an engine "
              "schema rejects",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
