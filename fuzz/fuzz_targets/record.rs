//! Any bytes as a record checked against the shipped CST treaty.
#![no_main]
use libfuzzer_sys::fuzz_target;

const TREATY: &str = include_str!("../../treaties/cst.md");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut symbols = casus_model::Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY, &mut symbols);
    for name in ["r.md", "r.acts"] {
        let (_, diags) = casus_lang::load_record(name, &text, &treaty, &mut symbols);
        let _ = casus_lang::render(&diags, name, &text);
    }
});
