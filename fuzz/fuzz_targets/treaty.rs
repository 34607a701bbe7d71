//! Any bytes as a treaty file (Markdown and bare): diagnostics, never a
//! panic; formatting, when it succeeds, is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["f.md", "f.casus"] {
        let mut symbols = casus_model::Symbols::new();
        let (_, diags) = casus_lang::load_treaty(name, &text, &mut symbols);
        let _ = casus_lang::render(&diags, name, &text);
        if let Ok(once) = casus_lang::format_file(name, &text, "casus") {
            assert_eq!(casus_lang::format_file(name, &once, "casus").ok().as_deref(), Some(once.as_str()));
        }
    }
});
