"""The ``mail`` section of the settings: PROCORE_QB_MAIL__* variables, validated at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.config import MailSettings, check_host
from procore_qb.settings import Settings

MAIL_VARIABLES = (
    "HOST",
    "PORT",
    "STARTTLS",
    "SSL",
    "USERNAME",
    "PASSWORD",
    "FROM_ADDRESS",
    "TIMEOUT_SECONDS",
    "CA_FILE",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROCORE_QB_CONFIG", raising=False)
    for name in MAIL_VARIABLES:
        monkeypatch.delenv(f"PROCORE_QB_MAIL__{name}", raising=False)


def test_by_default_no_server_is_configured_and_mail_is_held() -> None:
    mail = Settings().mail
    assert mail.host == ""
    assert mail.smtp_config() is None


def test_the_variables_configure_the_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_MAIL__HOST", "smtp.summit.example")
    monkeypatch.setenv("PROCORE_QB_MAIL__PORT", "2525")
    monkeypatch.setenv("PROCORE_QB_MAIL__STARTTLS", "true")
    monkeypatch.setenv("PROCORE_QB_MAIL__USERNAME", "procore-qb")
    monkeypatch.setenv("PROCORE_QB_MAIL__PASSWORD", "s3cret-pw")
    monkeypatch.setenv("PROCORE_QB_MAIL__FROM_ADDRESS", "Summit ERP <erp@Summit.example>")
    config = Settings().mail.smtp_config()
    assert config is not None
    assert (config.host, config.port, config.security) == ("smtp.summit.example", 2525, "starttls")
    assert (config.username, config.password) == ("procore-qb", "s3cret-pw")
    assert config.from_address == MailAddress("erp@summit.example", "Summit ERP")
    assert "s3cret-pw" not in repr(config)
    assert "s3cret-pw" not in repr(Settings())


def test_ssl_instead_of_starttls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_MAIL__HOST", "smtp.summit.example")
    monkeypatch.setenv("PROCORE_QB_MAIL__PORT", "465")
    monkeypatch.setenv("PROCORE_QB_MAIL__STARTTLS", "false")
    monkeypatch.setenv("PROCORE_QB_MAIL__SSL", "true")
    monkeypatch.setenv("PROCORE_QB_MAIL__FROM_ADDRESS", "erp@summit.example")
    config = Settings().mail.smtp_config()
    assert config is not None
    assert config.security == "ssl"


def test_an_invalid_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_MAIL__PORT", "70000")
    with pytest.raises(ValidationError, match=r"mail\.port"):
        Settings()


@settings(max_examples=100)
@given(st.integers(min_value=1, max_value=65535))
def test_every_tcp_port_is_accepted(port: int) -> None:
    assert MailSettings(port=port).port == port


@settings(max_examples=100)
@given(st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_ports_outside_the_tcp_range_are_refused(port: int) -> None:
    with pytest.raises(ValidationError, match="port"):
        MailSettings(port=port)


@settings(max_examples=100)
@given(
    st.text(max_size=40).filter(
        lambda s: s.strip() and ("@" not in s or any(ord(c) < 32 for c in s))
    )
)
def test_a_from_address_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="from_address"):
        MailSettings(host="smtp.summit.example", from_address=text)


@settings(max_examples=100)
@given(
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,12}){0,3}", fullmatch=True),
    st.sampled_from(["", "http://", "smtp://"]),
    st.sampled_from(["", ":25", "/", " x"]),
)
def test_a_host_is_a_bare_name(name: str, prefix: str, suffix: str) -> None:
    text = f"{prefix}{name}{suffix}"
    if prefix or suffix:
        with pytest.raises(ValueError, match="not a host name"):
            check_host(text)
    else:
        assert check_host(text) == name


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "SMTP.Summit.Example", "localhost"])
def test_ip_addresses_and_names_are_hosts(host: str) -> None:
    assert check_host(host) in {"127.0.0.1", "::1", "smtp.summit.example", "localhost"}


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"host": "smtp.summit.example"}, "FROM_ADDRESS"),
        ({"starttls": True, "ssl": True}, "two ways to encrypt"),
        ({"username": "erp"}, "user name and password"),
        ({"password": SecretStr("pw")}, "user name and password"),
        (
            {
                "host": "smtp.summit.example",
                "from_address": "erp@summit.example",
                "starttls": False,
                "username": "erp",
                "password": SecretStr("pw"),
            },
            "in clear",
        ),
        ({"username": "erp\nRCPT TO:<x@y>", "password": SecretStr("pw")}, "control"),
        ({"ca_file": Path("/nonexistent/ca.pem")}, "does not exist"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
    ],
)
def test_refusals_name_the_rule_and_the_fix(values: dict[str, object], rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        MailSettings.model_validate(values)


def test_a_login_in_clear_is_allowed_to_a_relay_on_this_machine() -> None:
    mail = MailSettings(
        host="127.0.0.1",
        starttls=False,
        username="erp",
        password=SecretStr("pw"),
        from_address="erp@summit.example",
    )
    config = mail.smtp_config()
    assert config is not None
    assert config.security == "none"
