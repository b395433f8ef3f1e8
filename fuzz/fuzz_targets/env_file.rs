//! The env-file parser keeps every byte: any text parses and prints back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saasctl::magento::env_file::EnvFile;

fuzz_target!(|text: &str| {
    let file = EnvFile::parse(text);
    assert_eq!(
        file.to_text(),
        text,
        "the env file does not print back as parsed"
    );
    file.get("CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__ENVIRONMENT_ID");
});
