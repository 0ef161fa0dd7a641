"""`habilita dian sample-set` and `habilita dian verify`."""

from click.testing import CliRunner

from habilita.cli.dian import dian_group


def test_sample_set_writes_every_type_and_verify_accepts_them(tmp_path, tamper):
    runner = CliRunner()
    result = runner.invoke(dian_group, ["sample-set", "--out", str(tmp_path), "--nit", "900123456",
                                        "--software-id", "56f2ae4e", "--pin", "75315", "--count", "2"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.glob("*.xml"))
    assert [name[:2] for name in files].count("fv") == 2
    assert len(files) == 10 and (tmp_path / "cert.pem").exists()
    paths = [str(p) for p in sorted(tmp_path.glob("*.xml"))]
    result = runner.invoke(dian_group, ["verify", "--pin", "75315", *paths])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK") == 10

    invoice = next(tmp_path.glob("fv*.xml"))
    invoice.write_bytes(tamper(invoice.read_bytes()))
    result = runner.invoke(dian_group, ["verify", str(invoice)])
    assert result.exit_code == 1
    assert "ZE02" in result.output and "FAD06" in result.output


def test_sample_set_with_a_pkcs12_certificate(tmp_path, test_key):
    p12 = tmp_path / "cert.p12"
    p12.write_bytes(test_key.to_pkcs12(b"clave"))
    out = tmp_path / "out"
    result = CliRunner().invoke(dian_group, ["sample-set", "--out", str(out), "--nit", "900123456",
                                             "--software-id", "s", "--pin", "1", "--cert-p12", str(p12),
                                             "--cert-password", "clave"])
    assert result.exit_code == 0, result.output
    assert (out / "cert.pem").read_bytes() == test_key.cert_pem()
    result = CliRunner().invoke(dian_group, ["sample-set", "--out", str(out), "--nit", "900123456",
                                             "--software-id", "s", "--pin", "1", "--cert-p12", str(p12),
                                             "--cert-password", "wrong"])
    assert result.exit_code == 1 and "wrong password" in result.output


def test_bad_nit_is_reported_not_raised(tmp_path):
    result = CliRunner().invoke(dian_group, ["sample-set", "--out", str(tmp_path), "--nit", "90012A",
                                             "--software-id", "s", "--pin", "1"])
    assert result.exit_code == 1 and "NIT must be digits only" in result.output


def test_help_of_each_command():
    for args in (["--help"], ["sample-set", "--help"], ["verify", "--help"]):
        result = CliRunner().invoke(dian_group, args)
        assert result.exit_code == 0 and "Usage" in result.output
