//! Configuration: layering, validation, redaction and production refusals.

use figment::Jail;
use obcan::config::{Config, ConfigError, Mode};

fn load_in(jail: &mut Jail, toml: Option<&str>) -> Result<Config, ConfigError> {
    match toml {
        Some(contents) => {
            jail.create_file("obcan.toml", contents).unwrap();
            Config::load(Some(std::path::Path::new("obcan.toml")))
        }
        None => Config::load(None),
    }
}

#[test]
fn the_committed_sample_is_what_the_code_generates() {
    let committed = include_str!("../../../../config/obcan.sample.toml");
    assert_eq!(
        committed,
        Config::sample().unwrap(),
        "config/obcan.sample.toml is stale: run `cargo run -p obcan -- config print-default > config/obcan.sample.toml`"
    );
}

#[test]
fn the_sample_loads_back_to_the_defaults() {
    Jail::expect_with(|jail| {
        let config = load_in(jail, Some(&Config::sample().unwrap())).unwrap();
        assert_eq!(config, Config::default());
        Ok(())
    });
}

#[test]
fn environment_overrides_file_overrides_defaults() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "OBCAN_DATABASE_URL",
            "postgres://obcan:s3cret@db.internal/obcan",
        );
        jail.set_env("OBCAN_LISTEN", "0.0.0.0:9000");
        let config = load_in(
            jail,
            Some("[session]\nidle_timeout_minutes = 15\n[http]\nbody_limit_bytes = 65536\n"),
        )
        .unwrap();
        assert_eq!(
            config.database.url.expose(),
            "postgres://obcan:s3cret@db.internal/obcan"
        );
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(config.session.idle_timeout_minutes, 15);
        assert_eq!(config.http.body_limit_bytes, 65536);

        jail.set_env("OBCAN_SESSION_IDLE_TIMEOUT_MINUTES", "20");
        assert_eq!(
            load_in(jail, Some("[session]\nidle_timeout_minutes = 15\n"))
                .unwrap()
                .session
                .idle_timeout_minutes,
            20
        );

        // The environment gives an IČO as a number; its leading zeros stay.
        jail.set_env("OBCAN_BRANDING_ICO", "00064581");
        assert_eq!(load_in(jail, None).unwrap().branding.ico, "00064581");
        Ok(())
    });
}

#[test]
fn secrets_and_passwords_never_show_in_debug_output() {
    Jail::expect_with(|jail| {
        jail.set_env("OBCAN_DATABASE_URL", "postgres://obcan:s3cret@db/obcan");
        jail.set_env(
            "OBCAN_SECRETS_SESSION_KEY",
            "a-very-secret-key-that-is-long-enough-0123",
        );
        jail.set_env("OBCAN_MAIL_PASSWORD", "smtp-s3cret");
        jail.set_env("OBCAN_MAIL_USERNAME", "portal");
        jail.set_env("OBCAN_SMS_TOKEN", "sms-s3cret");
        let shown = format!("{:?}", load_in(jail, None).unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("a-very-secret-key"), "{shown}");
        assert!(
            !shown.contains("smtp-s3cret") && !shown.contains("sms-s3cret"),
            "{shown}"
        );
        assert!(shown.contains("[redacted]"));
        Ok(())
    });
}

#[test]
fn invalid_values_name_the_key() {
    Jail::expect_with(|jail| {
        let cases = [
            (
                "[session]\nidle_timeout_minutes = \"soon\"\n",
                "idle_timeout_minutes",
            ),
            ("listen = \"nowhere\"\n", "listen"),
            ("[database]\nurl = \"mysql://x\"\n", "database.url"),
            (
                "[branding]\nprimary_color = \"#ffff00\"\n",
                "branding.primary_color",
            ),
            ("[branding]\nico = \"00012345\"\n", "branding.ico"),
            ("[databse]\nurl = \"sqlite://x\"\n", "databse"),
            ("mode = \"staging\"\n", "mode"),
            ("[log]\nlevel = \"=[\"\n", "log.level"),
            (
                "[http]\npublic_url = \"portal.example\"\n",
                "http.public_url",
            ),
            (
                "[[identity.oidc]]\nid = \"Moje ID\"\nlabel = \"x\"\nissuer = \"https://x\"\nclient_id = \"c\"\nclient_secret = \"s\"\n",
                "identity.oidc.id",
            ),
            (
                "[[identity.oidc]]\nid = \"x\"\nlabel = \"x\"\nclient_id = \"c\"\nclient_secret = \"s\"\n",
                "identity.oidc",
            ),
            (
                "[[identity.oidc]]\nid = \"x\"\nlabel = \"x\"\nissuer = \"https://x\"\nclient_id = \"c\"\n",
                "identity.oidc.client_secret",
            ),
            (
                "[[identity.oidc]]\nid = \"nia\"\npreset = \"nia\"\nlabel = \"x\"\nclient_id = \"c\"\n",
                "identity.oidc.decryption_key",
            ),
            ("[mail]\nhost = \"smtp.vzorov.example\"\n", "mail.from"),
            (
                "[mail]\nhost = \"smtp.vzorov.example:25\"\nfrom = \"portal@vzorov.example\"\n",
                "mail.host",
            ),
            (
                "[mail]\nhost = \"smtp.vzorov.example\"\nfrom = \"Město Vzorov\"\n",
                "mail.from",
            ),
            ("[mail]\nusername = \"portal\"\n", "mail.username"),
            ("[mail]\nsecurity = \"ssl\"\n", "security"),
            ("[mail]\nport = 70000\n", "port"),
            ("[sms]\nurl = \"sms.vzorov.example\"\n", "sms.url"),
            ("[sms]\ntimeout_ms = 0\n", "sms.timeout_ms"),
            (
                "[[identity.oidc]]\nid = \"m\"\npreset = \"mojeid\"\nlabel = \"x\"\nclient_id = \"c\"\n\
                 client_secret = \"s\"\ndecryption_key = \"k.pem\"\n",
                "nia and nia-test presets",
            ),
        ];
        for (toml, key) in cases {
            let error = load_in(jail, Some(toml)).unwrap_err().to_string();
            assert!(error.contains(key), "{toml:?} → {error}");
        }
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error() {
    let error = Config::load(Some(std::path::Path::new("/nonexistent/obcan.toml"))).unwrap_err();
    assert!(matches!(error, ConfigError::MissingFile(_)), "{error}");
}

#[test]
fn production_refuses_the_demo_idp_plain_cookies_and_default_secrets() {
    Jail::expect_with(|jail| {
        let error = load_in(jail, Some("mode = \"production\"\n"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("identity.demo = false"), "{error}");
        assert!(error.contains("http.secure_cookies = true"), "{error}");
        assert!(error.contains("OBCAN_SECRETS_SESSION_KEY"), "{error}");
        assert!(error.contains("registers.connector"), "{error}");
        assert!(error.contains("secrets.master_key_file"), "{error}");
        assert!(error.contains("OBCAN_BRANDING_ICO"), "{error}");

        jail.set_env("OBCAN_REGISTERS_CONNECTOR", "http");
        jail.set_env("OBCAN_REGISTERS_URL", "https://registers.vzorov.example/v1");
        jail.set_env("OBCAN_IDENTITY_DEMO", "false");
        jail.set_env("OBCAN_HTTP_SECURE_COOKIES", "true");
        jail.set_env("OBCAN_SECRETS_SESSION_KEY", "short");
        let error = load_in(jail, Some("mode = \"production\"\n"))
            .unwrap_err()
            .to_string();
        assert!(!error.contains("identity.demo"), "{error}");
        assert!(error.contains("OBCAN_SECRETS_SESSION_KEY"), "{error}");

        jail.set_env(
            "OBCAN_SECRETS_SESSION_KEY",
            "7d1f0c8a9b2e4f6a8c0d2e4f6a8b0c2d4e6f8a0b",
        );
        let error = load_in(jail, Some("mode = \"production\"\n"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("http.public_url"), "{error}");
        assert!(error.contains("OBCAN_MAIL_HOST"), "{error}");

        jail.set_env("OBCAN_HTTP_PUBLIC_URL", "https://portal.vzorov.example");
        set_production_gateways(jail);
        let config = load_in(jail, Some("mode = \"production\"\n")).unwrap();
        assert_eq!(config.mode, Mode::Production);
        Ok(())
    });
}

/// What production needs besides the portal's own settings: the register
/// gateway, the mail server, a master key, and the office's own IČO.
fn set_production_gateways(jail: &mut Jail) {
    jail.set_env("OBCAN_BRANDING_ICO", "00064581");
    jail.set_env("OBCAN_SECRETS_MASTER_KEY_FILE", "/etc/obcan/master.key");
    jail.set_env("OBCAN_REGISTERS_CONNECTOR", "http");
    jail.set_env(
        "OBCAN_REGISTERS_URL",
        "https://registry-gw.vzorov.example/v1",
    );
    jail.set_env("OBCAN_MAIL_HOST", "smtp.vzorov.example");
    jail.set_env("OBCAN_MAIL_FROM", "Město Vzorov <portal@vzorov.example>");
}

#[test]
fn production_sends_mail_and_texts_only_encrypted() {
    Jail::expect_with(|jail| {
        jail.set_env("OBCAN_IDENTITY_DEMO", "false");
        jail.set_env("OBCAN_HTTP_SECURE_COOKIES", "true");
        jail.set_env("OBCAN_HTTP_PUBLIC_URL", "https://portal.vzorov.example");
        jail.set_env(
            "OBCAN_SECRETS_SESSION_KEY",
            "7d1f0c8a9b2e4f6a8c0d2e4f6a8b0c2d4e6f8a0b",
        );
        set_production_gateways(jail);
        let config = load_in(jail, Some("mode = \"production\"\n")).unwrap();
        assert!(config.sms.url.is_empty(), "a gateway is optional");

        let error = load_in(
            jail,
            Some(
                "mode = \"production\"\n[mail]\nsecurity = \"none\"\nusername = \"portal\"\n\
                 password = \"smtp-secret\"\n[sms]\nurl = \"http://sms.vzorov.example/v1/messages\"\n",
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("mail.password would travel unencrypted"),
            "{error}"
        );
        assert!(error.contains("sms.url to an https:// address"), "{error}");
        assert!(!error.contains("smtp-secret"), "{error}");
        Ok(())
    });
}

#[test]
fn the_audit_log_time_stamps_are_recommended_in_production_not_required() {
    Jail::expect_with(|jail| {
        jail.set_env("OBCAN_IDENTITY_DEMO", "false");
        jail.set_env("OBCAN_HTTP_SECURE_COOKIES", "true");
        jail.set_env("OBCAN_HTTP_PUBLIC_URL", "https://portal.vzorov.example");
        jail.set_env(
            "OBCAN_SECRETS_SESSION_KEY",
            "7d1f0c8a9b2e4f6a8c0d2e4f6a8b0c2d4e6f8a0b",
        );
        set_production_gateways(jail);
        assert!(
            Config::default().warnings().is_empty(),
            "the demo warns of nothing"
        );
        let config = load_in(jail, Some("mode = \"production\"\n")).unwrap();
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("audit.tsa_url"), "{warnings:?}");

        let stamped = "mode = \"production\"\n[audit]\ntsa_url = \"https://tsa.vzorov.example/tsa\"\n\
                       tsa_ca_file = \"/etc/obcan/tsa-ca.pem\"\ntsa_username = \"portal\"\n\
                       tsa_password = \"tsa-secret\"\n";
        let config = load_in(jail, Some(stamped)).unwrap();
        assert!(config.warnings().is_empty());
        assert_eq!(config.audit.stamp_every_minutes, 60);
        assert!(!format!("{config:?}").contains("tsa-secret"));

        let plain = stamped.replace("https://", "http://");
        let error = load_in(jail, Some(&plain)).unwrap_err().to_string();
        assert!(
            error.contains("audit.tsa_url an https:// address"),
            "{error}"
        );
        assert!(!error.contains("tsa-secret"), "{error}");
        Ok(())
    });
}

#[test]
fn a_time_stamping_authority_needs_its_ca_and_whole_credentials() {
    Jail::expect_with(|jail| {
        for (toml, key) in [
            (
                "[audit]\ntsa_url = \"https://tsa.example/tsa\"\n",
                "audit.tsa_ca_file",
            ),
            (
                "[audit]\ntsa_url = \"tsa.example\"\ntsa_ca_file = \"ca.pem\"\n",
                "audit.tsa_url",
            ),
            ("[audit]\ntsa_username = \"portal\"\n", "audit.tsa_username"),
            ("[audit]\ntsa_timeout_ms = 0\n", "audit.tsa_timeout_ms"),
        ] {
            let error = load_in(jail, Some(toml)).unwrap_err().to_string();
            assert!(error.contains(key), "{toml}: {error}");
        }
        jail.set_env("OBCAN_AUDIT_TSA_CA_FILE", "tsa-ca.pem");
        jail.set_env("OBCAN_AUDIT_STAMP_EVERY_MINUTES", "0");
        let config = load_in(jail, None).unwrap();
        assert_eq!(config.audit.tsa_ca_file.to_str(), Some("tsa-ca.pem"));
        assert_eq!(config.audit.stamp_every_minutes, 0);
        Ok(())
    });
}

#[test]
fn presets_fill_in_what_the_provider_always_has() {
    Jail::expect_with(|jail| {
        let config = load_in(
            jail,
            Some(
                "[[identity.oidc]]\nid = \"bankid\"\npreset = \"bankid\"\nlabel = \"Bank iD\"\n\
                 client_id = \"c\"\nclient_secret = \"s\"\n",
            ),
        )
        .unwrap();
        let bankid = config.identity.oidc[0].resolved();
        assert_eq!(bankid.issuer, "https://oidc.bankid.cz/");
        assert_eq!(
            bankid.default_loa,
            Some(obcan_core::identity::Loa::Substantial)
        );
        assert!(bankid.scopes.contains(&"openid".to_owned()));
        assert!(
            !format!("{config:?}").contains("client_secret: \"s\""),
            "secret redacted"
        );
        Ok(())
    });
}

#[test]
fn the_nia_presets_fill_in_nias_openid_connect_profile() {
    Jail::expect_with(|jail| {
        let provider = |preset: &str| {
            format!(
                "[[identity.oidc]]\nid = \"nia\"\npreset = \"{preset}\"\nlabel = \"Identita občana\"\n\
                 client_id = \"https://portal.vzorov.example\"\ndecryption_key = \"nia.key\"\n"
            )
        };
        let config = load_in(jail, Some(&provider("nia-test"))).unwrap();
        let nia = config.identity.oidc[0].resolved();
        assert_eq!(nia.issuer, "urn:microsoft:cgg2010:fpsts");
        assert_eq!(
            nia.discovery_url,
            "https://tnia.identitaobcana.cz/fpsts/oidc/openid-configuration"
        );
        assert_eq!(nia.min_loa, Some(obcan_core::identity::Loa::Substantial));
        assert!(nia.client_secret.expose().is_empty(), "NIA issues none");

        // Production takes the URN issuer; the discovery document must be https.
        jail.set_env("OBCAN_REGISTERS_CONNECTOR", "http");
        jail.set_env("OBCAN_REGISTERS_URL", "https://registers.vzorov.example/v1");
        jail.set_env("OBCAN_IDENTITY_DEMO", "false");
        jail.set_env("OBCAN_HTTP_SECURE_COOKIES", "true");
        jail.set_env("OBCAN_HTTP_PUBLIC_URL", "https://portal.vzorov.example");
        jail.set_env(
            "OBCAN_SECRETS_SESSION_KEY",
            "7d1f0c8a9b2e4f6a8c0d2e4f6a8b0c2d4e6f8a0b",
        );
        set_production_gateways(jail);
        let production = format!("mode = \"production\"\n{}", provider("nia"));
        load_in(jail, Some(&production)).unwrap();
        let plain = format!("{production}discovery_url = \"http://nia.test/oidc\"\n");
        let error = load_in(jail, Some(&plain)).unwrap_err().to_string();
        assert!(error.contains("discovery_url without https://"), "{error}");
        Ok(())
    });
}
