//! Any bytes as a record checked against the shipped CST treaty (loaded
//! once per process, so that the time goes to the record).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const TREATY: &str = include_str!("../../treaties/cst.md");

fn treaty() -> &'static (casus_model::Treaty, casus_model::Symbols) {
    static TREATY_MODEL: OnceLock<(casus_model::Treaty, casus_model::Symbols)> = OnceLock::new();
    TREATY_MODEL.get_or_init(|| {
        let mut symbols = casus_model::Symbols::new();
        let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY, &mut symbols);
        (treaty, symbols)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (treaty, symbols) = treaty();
    for name in ["r.md", "r.acts"] {
        let mut symbols = symbols.clone();
        let (_, diags) = casus_lang::load_record(name, &text, treaty, &mut symbols);
        let _ = casus_lang::render(&diags, name, &text);
    }
});
