"""`habilita dian ...`: make habilitación samples and check DIAN documents from the shell.

A thin shell over :mod:`dian`: it reads and writes files and turns domain
errors into messages and exit codes; the work is in the toolkit.
"""

from __future__ import annotations

import pathlib

import click

from habilita.dian.certificates import generate_test_certificate
from habilita.dian.errors import DianError
from habilita.dian.sample import SampleIssuer, build_sample_set
from habilita.dian.signing import Signer
from habilita.dian.verify import verify_document


@click.group("dian", context_settings={"help_option_names": ["-h", "--help"]})
def dian_group() -> None:
    """DIAN electronic documents: habilitación samples and verification."""


@dian_group.command("sample-set")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=pathlib.Path),
              help="Directory to write the XML files and cert.pem into (created if missing).")
@click.option("--nit", required=True, help="Issuer NIT without check digit, e.g. 900123456.")
@click.option("--legal-name", default="EMPRESA DE PRUEBAS S.A.S.", show_default=True, help="Issuer legal name.")
@click.option("--software-id", required=True, help="SoftwareID given by the DIAN portal.")
@click.option("--pin", required=True, help="Software PIN given by the DIAN portal.")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 1000), help="Documents of each type.")
@click.option("--cert-p12", type=click.Path(dir_okay=False, exists=True, path_type=pathlib.Path),
              help="PKCS#12 signing certificate; a test certificate is generated when absent.")
@click.option("--cert-password", default=None, help="Password of --cert-p12.")
@click.option("--role", type=click.Choice(["supplier", "third party"]), default="supplier", show_default=True,
              help="Signer role: the issuer itself or a technology provider.")
def sample_set(out_dir: pathlib.Path, nit: str, legal_name: str, software_id: str, pin: str, count: int,
               cert_p12: pathlib.Path | None, cert_password: str | None, role: str) -> None:
    """Write a signed habilitación sample of every type (01, 91, 92, 05, 95) and cert.pem."""
    try:
        if cert_p12 is not None:
            signer = Signer.from_pkcs12(cert_p12.read_bytes(), cert_password, role=role)
        else:
            signer = Signer(generate_test_certificate(nit, legal_name), role=role)
        issuer = SampleIssuer(nit=nit, legal_name=legal_name, software_id=software_id, pin=pin)
        documents = build_sample_set(signer=signer, issuer=issuer, count=count)
    except DianError as exc:
        raise click.ClickException(str(exc)) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (out_dir / document.file_name).write_bytes(document.xml)
        click.echo(f"{document.type_code} {document.number:<16} {document.file_name}")
    (out_dir / "cert.pem").write_bytes(signer.key.chain_pem())
    click.echo(f"{len(documents)} documents and cert.pem written to {out_dir}")


@dian_group.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=pathlib.Path))
@click.option("--technical-key", default=None,
              help="Technical key of the numbering range (CUFE); DIAN's test key for test invoices when absent.")
@click.option("--pin", default=None, help="Software PIN: checks CUDE, CUDS and the SoftwareSecurityCode.")
@click.option("--no-schema", is_flag=True, help="Skip the XSD validation.")
def verify(files: tuple[pathlib.Path, ...], technical_key: str | None, pin: str | None, no_schema: bool) -> None:
    """Check schema, signature and CUFE/CUDE/CUDS of DIAN documents; exit 1 when any fails."""
    failed = 0
    for path in files:
        problems = verify_document(path.read_bytes(), technical_key=technical_key, pin=pin,
                                   check_schema=not no_schema)
        if not problems:
            click.echo(f"OK    {path}")
            continue
        failed += 1
        click.echo(f"FAIL  {path}")
        for problem in problems:
            click.echo(f"      {problem.code}: {problem.message}")
    if failed:
        click.echo(f"{failed} of {len(files)} documents failed", err=True)
        raise SystemExit(1)
