//! The question parser: every form a date and a reading take, from the
//! command line's flags and from a query string, each limit and each
//! error, and resolution against the shipped treaty (its readings, today,
//! the known prefix and the cache key).

use casus_model::{Act, Symbols, Time};
use casus_query::question::{AS_OF, AT, MAX_READINGS, MAX_VALUE_BYTES, READING, READING_ALIAS, READING_SHORT};
use casus_query::{Book, Question, QuestionError, Reading, format_time, parse_time, today};
use proptest::prelude::*;

const TREATY: (&str, &str) = ("cst.md", include_str!("../../../treaties/cst.md"));

fn t(s: &str) -> Time {
    let (t, _) = Time::parse(s).expect("a date");
    t
}

#[test]
fn a_date_means_the_end_of_that_day_and_a_time_means_that_second() {
    let cases: &[(&str, Option<&str>)] = &[
        ("2022-12-01", Some("2022-12-01T23:59:59")),
        (" 2022-12-01 ", Some("2022-12-01T23:59:59")),
        ("2022-12-01T10:30", Some("2022-12-01T10:30:00")),
        ("2022-12-01T10:30:05", Some("2022-12-01T10:30:05")),
        ("2022-12-01T10:30:05Z", Some("2022-12-01T10:30:05")),
        ("2022-12-01T00:00", Some("2022-12-01T00:00:00")),
        ("2022-13-01", None),
        ("2022-02-30", None),
        ("yesterday", None),
        ("", None),
        ("2022-12-01T25:00", None),
    ];
    for (input, want) in cases {
        assert_eq!(parse_time(input), want.map(t), "{input:?}");
    }
}

#[test]
fn a_formatted_time_reads_back_as_itself() {
    for s in ["2022-12-01T23:59:59", "2022-12-01T00:00:00", "1995-06-30T12:00:01", "0001-01-01T00:00:00"] {
        let time = t(s);
        assert_eq!(parse_time(&format_time(time)), Some(time), "{s}");
    }
    assert_eq!(format_time(t("2022-12-01T23:59:59")), "2022-12-01");
    assert_eq!(format_time(t("2022-12-01T00:00:00")), "2022-12-01T00:00:00Z");
}

proptest! {
    /// Any time a question holds goes into a link and comes back the same.
    #[test]
    fn every_time_round_trips_through_a_link(secs in -62_135_596_800i64..253_402_300_799) {
        prop_assert_eq!(parse_time(&format_time(Time(secs))), Some(Time(secs)));
    }
}

#[test]
fn today_is_the_end_of_the_current_day() {
    let noon = t("2026-12-01T12:00:00").0;
    assert_eq!(today(noon), t("2026-12-01T23:59:59"));
    assert_eq!(Question::default().at_or_today(noon), t("2026-12-01T23:59:59"));
}

#[test]
fn a_reading_is_question_equals_option() {
    let ok = |q: &str, o: &str| Ok(Reading { question: q.into(), option: o.into() });
    assert_eq!(Reading::parse("art4_trigger=request"), ok("art4_trigger", "request"));
    assert_eq!(Reading::parse(" art4_trigger = request "), ok("art4_trigger", "request"));
    for bad in ["art4_trigger", "=request", "art4_trigger=", " = ", ""] {
        assert_eq!(Reading::parse(bad), Err(QuestionError::BadReading(bad.trim().into())), "{bad:?}");
    }
    assert_eq!(Reading::parse(&format!("q={}", "o".repeat(MAX_VALUE_BYTES))), Err(QuestionError::TooLong { param: READING }));
}

#[test]
fn the_flags_and_the_query_string_ask_the_same_question() {
    let flags = Question::parse(Some("2022-12-01"), Some("2023-01-01T10:00"), &["art4_trigger=determination".into()]).expect("flags");
    let mut query = Question::default();
    for (k, v) in [("at", "2022-12-01"), ("as_of", "2023-01-01T10:00"), ("i", "art4_trigger=determination"), ("fact", "party/ARM"), ("at2", "x")] {
        let taken = query.set(k, v).expect("param");
        assert_eq!(taken, !k.starts_with("fact") && k != "at2", "{k}");
    }
    assert_eq!(flags, query);
    assert_eq!(flags.at, Some(t("2022-12-01T23:59:59")));
    assert_eq!(flags.as_of, Some(t("2023-01-01T10:00:00")));
    // The three names of a reading, and an empty value is no value.
    let mut q = Question::default();
    for (k, v) in [(READING, "a=b"), (READING_SHORT, "c=d"), (READING_ALIAS, "e=f"), (AT, ""), (AS_OF, " "), (READING, "")] {
        assert!(q.set(k, v).expect("param"));
    }
    assert_eq!(q.readings.iter().map(|r| r.to_string()).collect::<Vec<_>>(), ["a=b", "c=d", "e=f"]);
    assert_eq!(READING, "reading", "links write the one word");
    assert_eq!((q.at, q.as_of), (None, None));
}

#[test]
fn links_ask_the_question_again() {
    let q =
        Question::parse(Some("2022-12-01"), Some("2023-01-01T10:00"), &["art4_trigger=determination".into(), "immediately=one_week".into()]).expect("question");
    let params = q.params();
    assert_eq!(
        params,
        vec![
            (AT, "2022-12-01".to_string()),
            (AS_OF, "2023-01-01T10:00:00Z".to_string()),
            (READING, "art4_trigger=determination".to_string()),
            (READING, "immediately=one_week".to_string()),
        ]
    );
    let mut again = Question::default();
    for (k, v) in &params {
        again.set(k, v).expect("param");
    }
    assert_eq!(again, q);
    // Choosing an option replaces the question's earlier choice, and only it.
    let chosen = q.choosing("art4_trigger", "request");
    assert_eq!(chosen.chosen("art4_trigger"), Some("request"));
    assert_eq!(chosen.chosen("immediately"), Some("one_week"));
    assert_eq!(chosen.readings.len(), 2);
}

#[test]
fn bad_dates_and_too_many_readings_are_refused_with_their_codes() {
    let e = Question::parse(Some("2022-13-01"), None, &[]).expect_err("bad date");
    assert_eq!(e, QuestionError::BadDate { param: AT, value: "2022-13-01".into() });
    assert_eq!(e.code(), "bad_date");
    assert_eq!(e.to_string(), "`at`: `2022-13-01` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]");
    let e = Question::parse(None, Some("yesterday"), &[]).expect_err("bad as_of");
    assert_eq!(e, QuestionError::BadDate { param: AS_OF, value: "yesterday".into() });
    let long = "2".repeat(MAX_VALUE_BYTES + 1);
    assert_eq!(Question::parse(Some(&long), None, &[]), Err(QuestionError::TooLong { param: AT }));
    let many: Vec<String> = (0..=MAX_READINGS).map(|i| format!("q{i}=o")).collect();
    let e = Question::parse(None, None, &many).expect_err("too many");
    assert_eq!(e, QuestionError::TooManyReadings);
    assert_eq!(e.code(), "bad_request");
    assert!(Question::parse(None, None, &many[..MAX_READINGS]).is_ok(), "the limit itself is allowed");
    let e = Question::parse(None, None, &["nonsense".into()]).expect_err("bad reading");
    assert_eq!(e.code(), "unknown_reading");
}

#[test]
fn readings_resolve_against_the_treaty_or_say_what_it_asks() {
    let book = Book::from_treaty_text(TREATY.0, TREATY.1).expect("treaty");
    let now = t("2026-12-01T12:00:00").0;
    let q = Question::parse(None, None, &["art4_trigger=determination".into(), "art4_trigger=request".into()]).expect("question");
    let r = q.resolve(&book.treaty, &book.symbols, now).expect("resolves");
    assert_eq!(r.at, t("2026-12-01T23:59:59"));
    let trigger = book.symbols.get("art4_trigger").expect("question");
    assert_eq!(r.readings.get(&trigger).map(|o| book.symbols.name(*o)), Some("request"), "the later choice wins");
    assert!(!r.is_default(), "a reading is chosen");
    assert!(Question::default().resolve(&book.treaty, &book.symbols, now).expect("default").is_default());

    let e = Question::parse(None, None, &["art4_trigger=maybe".into()]).expect("parse").resolve(&book.treaty, &book.symbols, now).expect_err("option");
    assert_eq!(e.to_string(), "`maybe` is not an option of `art4_trigger`; options: request, determination");
    assert_eq!(e.code(), "unknown_reading");
    let e = Question::parse(None, None, &["art99=x".into()]).expect("parse").resolve(&book.treaty, &book.symbols, now).expect_err("question");
    assert!(e.to_string().starts_with("unknown question `art99`; the treaty asks: "), "{e}");
    assert!(e.to_string().contains("art4_trigger"), "{e}");
}

#[test]
fn as_of_knows_the_acts_recorded_by_then_and_keys_the_state() {
    let mut symbols = Symbols::new();
    let act = |recorded: Option<&str>| Act { recorded: recorded.map(t), ..Act::default() };
    let _ = symbols.intern("x");
    let acts = vec![act(None), act(Some("2022-01-01T10:00")), act(Some("2022-01-01T23:00")), act(Some("2022-01-02T00:00"))];
    let book = Book::from_treaty_text(TREATY.0, TREATY.1).expect("treaty");
    let now = t("2026-12-01T12:00:00").0;
    let known = |as_of: Option<&str>| Question::parse(None, as_of, &[]).expect("q").resolve(&book.treaty, &book.symbols, now).expect("r").known(&acts);
    assert_eq!(known(None), 4);
    assert_eq!(known(Some("2021-12-31")), 1, "an act from a file is known from the start");
    assert_eq!(known(Some("2022-01-01T10:00")), 2);
    assert_eq!(known(Some("2022-01-01")), 3, "the end of that day");
    let a = Question::parse(Some("2022-12-01"), Some("2022-01-01"), &[]).expect("q").resolve(&book.treaty, &book.symbols, now).expect("r");
    let b = Question::parse(Some("2022-12-01"), Some("2022-01-01T23:30"), &[]).expect("q").resolve(&book.treaty, &book.symbols, now).expect("r");
    assert_eq!(a.key(&acts), b.key(&acts), "the same acts known, the same state");
    let c = Question::parse(Some("2022-12-01"), None, &["art4_trigger=request".into()]).expect("q").resolve(&book.treaty, &book.symbols, now).expect("r");
    assert_ne!(a.key(&acts), c.key(&acts));
}
