//! The env-file parser keeps every byte: any text parses and prints back unchanged, in every
//! dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saasctl::config::EnvFileFormat;
use saasctl::magento::env_file::EnvFile;

fuzz_target!(|text: &str| {
    for format in [
        EnvFileFormat::Dotenv,
        EnvFileFormat::Shell,
        EnvFileFormat::Docker,
    ] {
        let file = EnvFile::parse(text, format);
        assert_eq!(
            file.to_text(),
            text,
            "the {} env file does not print back as parsed",
            format.as_str()
        );
        file.get("CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__ENVIRONMENT_ID");
    }
});
