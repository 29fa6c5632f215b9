#!/usr/bin/env python3
"""Runs pkilint's two certificate linters (as `lint_pkix_cert lint` and
`lint_cabf_serverauth_cert lint --detect` do) over every PEM file named on
the command line, in this one process, and prints one JSON object:
{file: {"type": ..., "pkix": [[severity, code], ...], "cabf": [...]}}.
Used by tests/it/pkilint.rs; one process instead of one per certificate."""
import json
import re
import sys

from pkilint import finding_filter, loader
from pkilint.cabf import serverauth
from pkilint.pkix import certificate, extension, name


OID = re.compile(r"type OID ([0-9.]+)")


def codes(results):
    """(severity, code) pairs; a decoding failure's code gets the OID of
    the type that failed appended (itu.invalid_asn1_syntax:2.5.29.15), so
    that one generic code maps to the rule it stands for."""
    out = set()
    for r in results:
        for f in r.finding_descriptions:
            code = f.finding.code
            m = OID.search(f.message or "")
            if code == "itu.invalid_asn1_syntax" and m:
                code = f"{code}:{m.group(1)}"
            out.add((f.finding.severity.name, code))
    return sorted(out)


def main(paths):
    pkix = certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(
            name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS
        ),
        [
            certificate.create_issuer_validator_container([]),
            certificate.create_validity_validator_container(),
            certificate.create_subject_validator_container([]),
            certificate.create_extensions_validator_container([]),
            certificate.create_spki_validator_container([]),
        ],
    )
    cabf_by_type = {}
    load = loader.RFC5280CertificateDocumentLoader().load_pem_file
    out = {}
    for p in paths:
        entry = {}
        try:
            with open(p, "rb") as f:
                cert = load(f, p)
            entry["pkix"] = codes(pkix.validate(cert.root))
            with open(p, "rb") as f:
                cert = load(f, p)
            t = serverauth.determine_certificate_type(cert)
            entry["type"] = t.to_option_str
            if t not in cabf_by_type:
                cabf_by_type[t] = certificate.create_pkix_certificate_validator_container(
                    serverauth.create_decoding_validators(),
                    serverauth.create_validators(t),
                )
            results = cabf_by_type[t].validate(cert.root)
            results, _ = finding_filter.filter_results(
                serverauth.create_serverauth_finding_filters(t), results
            )
            entry["cabf"] = codes(results)
        except Exception as e:  # a certificate pkilint cannot load
            entry["error"] = f"{type(e).__name__}: {e}"
        out[p] = entry
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
