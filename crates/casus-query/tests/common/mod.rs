//! What the engine's test files share: load a treaty and a record (failing
//! on any error), derive the state on a date under readings, and report it.

use casus_engine::{Query, derive};
use casus_model::{Precision, Symbols, Time};
use casus_query::{Report, report};

/// The report on `at` (a date means the end of that day; a date and time,
/// that second) under `readings` given as (question, option) names.
pub fn replay(treaty: &str, record: &str, at: &str, readings: &[(&str, &str)]) -> Report {
    let mut symbols = Symbols::new();
    let (t, diags) = casus_lang::load_treaty("t.md", treaty, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "t.md", treaty));
    // Literate records (with ```acts fences) are read as Markdown.
    let name = if record.contains("```acts") { "r.md" } else { "r.acts" };
    let (r, diags) = casus_lang::load_record(name, record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, name, record));
    let at = match Time::parse(at).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    };
    let mut query = Query { at, readings: Default::default() };
    for (q, o) in readings {
        query.readings.insert(symbols.get(q).expect("question"), symbols.get(o).expect("option"));
    }
    let state = derive(&t, &r.acts, &query);
    report(&t, &r.acts, &symbols, &state)
}
