//! The master scenario events list (MSEL) as CSV.
//!
//! Exercise staff keep their MSEL in spreadsheets; this is the bridge. One
//! row per inject: `id,turn,scenario_time,after,title,act`, where `act` is
//! the act in the record syntax (several lines, quoted as RFC 4180 allows).
//! Import gives injects whose acts the caller reads with `casus-lang`
//! against the exercise's treaty, as it reads a scenario's acts.

use casus_model::{Precision, Time};

use crate::scenario::{Inject, MAX_INJECTS, MAX_TURN};

/// The header row.
pub const HEADER: [&str; 6] = ["id", "turn", "scenario_time", "after", "title", "act"];
/// Largest CSV read, in bytes.
pub const MAX_CSV_BYTES: usize = 16 * 1024 * 1024;

/// The injects as CSV, header first.
pub fn export(injects: &[Inject]) -> String {
    let mut out = String::new();
    row(&mut out, &HEADER.map(String::from));
    for i in injects {
        row(
            &mut out,
            &[i.id.clone(), i.turn.to_string(), Time(i.time).format(Precision::Second), i.after.clone().unwrap_or_default(), i.title.clone(), i.text.clone()],
        );
    }
    out
}

fn row(out: &mut String, cells: &[String]) {
    for (n, c) in cells.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push_str("\r\n");
}

/// Reads CSV into rows of cells (RFC 4180: quoted cells may hold commas,
/// quotes doubled, and line breaks).
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    if text.len() > MAX_CSV_BYTES {
        return Err(format!("the CSV is {} bytes; the limit is {MAX_CSV_BYTES}", text.len()));
    }
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') if cell.is_empty() => quoted = true,
            (false, '"') => return Err(format!("line {line}: a quote inside an unquoted cell")),
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                line += 1;
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
        if rows.len() > MAX_INJECTS + 1 {
            return Err(format!("more than {MAX_INJECTS} rows"));
        }
    }
    if quoted {
        return Err("the CSV ends inside a quoted cell".into());
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r[0].is_empty()));
    Ok(rows)
}

/// Reads an MSEL CSV into injects: the header row must be [`HEADER`]. The
/// scenario time is the act's own (the act is the truth; the column is for
/// the spreadsheet's sorting); the caller checks the acts against the treaty.
pub fn import(text: &str) -> Result<Vec<Inject>, String> {
    let rows = parse_csv(text)?;
    let Some((head, body)) = rows.split_first() else { return Err("the CSV is empty".into()) };
    if head.iter().map(|c| c.trim()).ne(HEADER.iter().copied()) {
        return Err(format!("the header row must be `{}`", HEADER.join(",")));
    }
    let mut out: Vec<Inject> = Vec::with_capacity(body.len());
    for (n, r) in body.iter().enumerate() {
        let at = n + 2;
        let [id, turn, _time, after, title, act] = r.as_slice() else {
            return Err(format!("row {at}: {} cells, expected {}", r.len(), HEADER.len()));
        };
        let id = id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("row {at}: `{id}` is not an inject id (letters, digits, _ and -)"));
        }
        if out.iter().any(|i| i.id == id) {
            return Err(format!("row {at}: the inject `{id}` is given twice"));
        }
        let turn: u32 = turn.trim().parse().ok().filter(|t| (1..=MAX_TURN).contains(t)).ok_or_else(|| format!("row {at}: the turn must be 1 to {MAX_TURN}"))?;
        if act.trim().is_empty() {
            return Err(format!("row {at}: the act is empty"));
        }
        out.push(Inject {
            id: id.to_string(),
            turn,
            act: String::new(),
            after: Some(after.trim().to_string()).filter(|a| !a.is_empty()),
            title: title.trim().to_string(),
            time: 0,
            actor: String::new(),
            kind: String::new(),
            text: format!("{}\n", act.trim_end()),
            span: casus_model::Span::default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inject(id: &str, text: &str) -> Inject {
        Inject {
            id: id.into(),
            turn: 2,
            act: "a".into(),
            after: Some("x".into()),
            title: "Title, with \"quotes\"".into(),
            time: 1_663_156_800,
            actor: "ARM".into(),
            kind: "request".into(),
            text: text.into(),
            span: Default::default(),
        }
    }

    #[test]
    fn the_msel_round_trips_through_csv() {
        let injects = vec![inject("I1", "2022-09-14 ARM request assistance\n  id a\n  source \"S, 1\"\n"), inject("I2", "2022-09-15 CSC session\n")];
        let csv = export(&injects);
        assert!(csv.starts_with("id,turn,scenario_time,after,title,act\r\n"));
        let back = import(&csv).unwrap();
        assert_eq!(back.len(), 2);
        for (a, b) in injects.iter().zip(&back) {
            assert_eq!((&a.id, a.turn, &a.after, &a.title, &a.text), (&b.id, b.turn, &b.after, &b.title, &b.text));
        }
    }

    #[test]
    fn bad_csv_is_refused_with_a_reason() {
        assert!(import("").is_err());
        assert!(import("a,b\r\n").unwrap_err().contains("header"));
        assert!(import("id,turn,scenario_time,after,title,act\r\nI1,0,,,,x\r\n").unwrap_err().contains("turn"));
        assert!(import("id,turn,scenario_time,after,title,act\r\nI1,1,,,\r\n").unwrap_err().contains("cells"));
        assert!(parse_csv("\"open").is_err());
        assert!(parse_csv("a\"b").is_err());
    }
}
