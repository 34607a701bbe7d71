//! The engine's behaviour on small, hand-made treaties and records: each
//! test states a record, a date and readings, and the verdicts expected,
//! as one line per fact.

mod common;

const TREATY: &str = r#"
```casus
treaty TST "Test Alliance Treaty"
  in-force 2000-01-01

version v2 "Amended"
  in-force 2005-01-01

party AAA "Aland"
  joins    2000-01-01  source "fixture"
party BBB "Borduria"
  joins    2000-01-01  source "fixture"
party CCC "Carpania"
  joins    2000-01-01  source "fixture"
  leaves   2003-01-01  source "fixture"
party DDD "Drusselstein"
  joins    2000-01-01  source "fixture"
  suspended 2006-01-01 source "fixture"

organ CNL "Council"
  seats    every party
  decides  unanimity
  chair    yearly from 2000-01-01 in order AAA BBB CCC DDD

organ CON "Conference"
  seats    every party
  decides  consensus with opt-out
```

## Article 4

> Each Party will assist a Party that is attacked.

```casus
question trigger "Request or determination?"
  option   request        "The request"
  option   determination  "The determination"
  default  request

duty assist
  on       request assistance under art4 by $victim
  needs    determination aggression against $victim by CNL
           when trigger = determination
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
```

## Article 5

> From 2005, the Parties will also consult.

```casus
duty consult
  version  v2
  on       request consultation under art5 by $x
  owed by  every party except $x
  owed to  $x
  does     session under art5 about $x from $debtor
  within   2 days
```
"#;

/// One line per fact: chairs, documents, obligations.
fn summary(record: &str, at: &str, readings: &[(&str, &str)]) -> String {
    let r = common::replay(TREATY, record, at, readings);
    let mut lines = Vec::new();
    for c in &r.chairs {
        lines.push(format!("chair {} {} since {}", c.organ, c.party, c.since));
    }
    for d in &r.documents {
        let sheet: Vec<String> = d.sheet.iter().map(|s| format!("{}:{}", s.party, s.position)).collect();
        lines.push(format!(
            "document {} {} since {} blocked_by [{}] limited={} sheet {}",
            d.id,
            d.status,
            d.since,
            d.blocked_by.join(" "),
            d.limited_format,
            sheet.join(" ")
        ));
    }
    for c in &r.cases {
        for o in &c.obligations {
            lines.push(format!(
                "case {} {} {}->{} {} since {} deadline {}",
                c.id,
                o.duty,
                o.debtor,
                o.creditor,
                o.status,
                o.since,
                o.deadline.clone().unwrap_or("-".into())
            ));
        }
    }
    lines.join("\n")
}

/// The summary's lines of one kind (`case`, `document`, `chair`): tests
/// compare all of them, so an extra or a missing fact fails as a wrong one does.
fn facts<'a>(s: &'a str, kind: &str) -> Vec<&'a str> {
    s.lines().filter(|l| l.split_whitespace().next() == Some(kind)).collect()
}

const REQUEST: &str = "2001-01-01 AAA request assistance\n  id c1\n  under art4\n  to CNL\n  source \"f\"\n";

#[test]
fn deadline_is_the_end_of_the_last_day() {
    let on_time = format!("{REQUEST}\n2001-01-08 BBB assistance\n  to AAA\n  source \"f\"\n");
    let s = summary(&on_time, "2001-02-01", &[]);
    assert_eq!(
        facts(&s, "case"),
        [
            "case c1 assist BBB->AAA fulfilled since 2001-01-08 deadline 2001-01-08",
            "case c1 assist CCC->AAA breached since 2001-01-09 deadline 2001-01-08",
            "case c1 assist DDD->AAA breached since 2001-01-09 deadline 2001-01-08",
        ]
    );
    let late = format!("{REQUEST}\n2001-01-09 BBB assistance\n  to AAA\n  source \"f\"\n");
    let s = summary(&late, "2001-02-01", &[]);
    assert_eq!(facts(&s, "case"), BREACHED_ON_THE_9TH);
}

/// Every debtor of [`REQUEST`] in breach the day after its 7-day deadline.
const BREACHED_ON_THE_9TH: [&str; 3] = [
    "case c1 assist BBB->AAA breached since 2001-01-09 deadline 2001-01-08",
    "case c1 assist CCC->AAA breached since 2001-01-09 deadline 2001-01-08",
    "case c1 assist DDD->AAA breached since 2001-01-09 deadline 2001-01-08",
];

#[test]
fn pending_until_the_deadline_then_breached() {
    let s = summary(REQUEST, "2001-01-08", &[]);
    assert_eq!(
        facts(&s, "case"),
        [
            "case c1 assist BBB->AAA pending since 2001-01-01 deadline 2001-01-08",
            "case c1 assist CCC->AAA pending since 2001-01-01 deadline 2001-01-08",
            "case c1 assist DDD->AAA pending since 2001-01-01 deadline 2001-01-08",
        ]
    );
    let s = summary(REQUEST, "2001-01-09", &[]);
    assert_eq!(facts(&s, "case"), BREACHED_ON_THE_9TH);
}

#[test]
fn debtors_are_the_members_on_the_day_except_the_victim() {
    let s = summary(REQUEST, "2001-01-02", &[]);
    let debtors: Vec<&str> = s.lines().filter(|l| l.starts_with("case c1")).map(|l| l.split_whitespace().nth(3).unwrap_or("")).collect();
    assert_eq!(debtors, ["BBB->AAA", "CCC->AAA", "DDD->AAA"]);
    // After CCC left and DDD was suspended, only BBB owes.
    let later = REQUEST.replace("2001-01-01", "2007-01-01");
    let s = summary(&later, "2007-01-02", &[]);
    let debtors: Vec<&str> = s.lines().filter(|l| l.starts_with("case c1")).map(|l| l.split_whitespace().nth(3).unwrap_or("")).collect();
    assert_eq!(debtors, ["BBB->AAA"]);
}

#[test]
fn determination_reading_waits_for_the_determination() {
    let s = summary(REQUEST, "2001-03-01", &[("trigger", "determination")]);
    assert_eq!(
        facts(&s, "case"),
        [
            "case c1 assist BBB->AAA not_triggered since 2001-01-01 deadline -",
            "case c1 assist CCC->AAA not_triggered since 2001-01-01 deadline -",
            "case c1 assist DDD->AAA not_triggered since 2001-01-01 deadline -",
        ]
    );
    let determined = format!("{REQUEST}\n2001-02-01 CNL determination aggression\n  against AAA\n  source \"f\"\n");
    let s = summary(&determined, "2001-02-05", &[("trigger", "determination")]);
    assert_eq!(
        facts(&s, "case"),
        [
            "case c1 assist BBB->AAA pending since 2001-02-01 deadline 2001-02-08",
            "case c1 assist CCC->AAA pending since 2001-02-01 deadline 2001-02-08",
            "case c1 assist DDD->AAA pending since 2001-02-01 deadline 2001-02-08",
        ]
    );
    // Under the request reading the determination changes nothing.
    let s = summary(&determined, "2001-02-05", &[("trigger", "request")]);
    assert_eq!(facts(&s, "case"), BREACHED_ON_THE_9TH);
}

#[test]
fn duties_follow_the_text_in_force() {
    let before = "2004-06-01 AAA request consultation\n  id early\n  under art5\n  to CNL\n  source \"f\"\n";
    assert_eq!(summary(before, "2004-07-01", &[]).lines().filter(|l| l.starts_with("case")).count(), 0, "Article 5's duty is not in the 2000 text");
    let after = format!("{}\n2005-06-02 CNL session\n  under art5\n  about AAA\n  from BBB\n  source \"f\"\n", before.replace("2004-06-01", "2005-06-01"));
    let s = summary(&after, "2005-07-01", &[]);
    // CCC left in 2003: it owes nothing.
    assert_eq!(
        facts(&s, "case"),
        [
            "case early consult BBB->AAA fulfilled since 2005-06-02 deadline 2005-06-03",
            "case early consult DDD->AAA breached since 2005-06-04 deadline 2005-06-03"
        ]
    );
}

#[test]
fn unanimity_and_consensus_with_opt_out() {
    let propose = |doc: &str, organ: &str| format!("2001-05-01 {organ} propose\n  document {doc}\n  to {organ}\n  title \"{doc}\"\n  source \"f\"\n\n");
    let act = |party: &str, kind: &str, doc: &str, day: u32| format!("2001-05-{day:02} {party} {kind}\n  document {doc}\n  source \"f\"\n\n");
    let mut r = propose("u1", "CNL");
    for p in ["AAA", "BBB", "CCC", "DDD"] {
        r += &act(p, "sign", "u1", 2);
    }
    r += &propose("u2", "CNL");
    r += &act("AAA", "sign", "u2", 2);
    r += &act("BBB", "refuse", "u2", 3);
    r += &propose("u3", "CNL");
    r += &act("BBB", "refuse", "u3", 3);
    for p in ["AAA", "BBB", "CCC", "DDD"] {
        r += &act(p, "sign", "u3", 4);
    }
    r += &propose("u4", "CNL");
    r += &act("AAA", "opt-out", "u4", 2);
    for p in ["BBB", "CCC", "DDD"] {
        r += &act(p, "sign", "u4", 3);
    }
    r += &propose("c1", "CON");
    r += &act("AAA", "opt-out", "c1", 2);
    for p in ["BBB", "CCC", "DDD"] {
        r += &act(p, "sign", "c1", 3);
    }
    let s = summary(&r, "2001-06-01", &[]);
    let want = [
        "document u1 adopted since 2001-05-02 blocked_by [] limited=false sheet AAA:signed BBB:signed CCC:signed DDD:signed",
        "document u2 blocked since 2001-05-03 blocked_by [BBB] limited=false sheet AAA:signed BBB:refused CCC:pending DDD:pending",
        "document u3 adopted since 2001-05-04 blocked_by [] limited=false sheet AAA:signed BBB:signed CCC:signed DDD:signed",
        "document u4 pending since 2001-05-01 blocked_by [] limited=false sheet AAA:opted_out BBB:signed CCC:signed DDD:signed",
        "document c1 adopted since 2001-05-03 blocked_by [] limited=true sheet AAA:opted_out BBB:signed CCC:signed DDD:signed",
    ];
    assert_eq!(facts(&s, "document"), want);
}

#[test]
fn a_party_that_left_is_off_the_sheet() {
    let r = "2002-12-01 CNL propose\n  document d\n  to CNL\n  source \"f\"\n\n2002-12-02 CCC refuse\n  document d\n  source \"f\"\n";
    let s = summary(r, "2002-12-31", &[]);
    assert_eq!(
        facts(&s, "document"),
        ["document d blocked since 2002-12-02 blocked_by [CCC] limited=false sheet AAA:pending BBB:pending CCC:refused DDD:pending"]
    );
    let s = summary(r, "2003-06-01", &[]);
    assert_eq!(facts(&s, "document"), ["document d pending since 2002-12-01 blocked_by [] limited=false sheet AAA:pending BBB:pending DDD:pending"]);
}

#[test]
fn chairs_rotate_and_handovers_take_precedence() {
    assert_eq!(facts(&summary("", "2000-06-01", &[]), "chair"), ["chair CNL AAA since 2000-01-01"]);
    assert_eq!(facts(&summary("", "2002-06-01", &[]), "chair"), ["chair CNL CCC since 2002-01-01"]);
    assert_eq!(facts(&summary("", "2004-12-31", &[]), "chair"), ["chair CNL AAA since 2004-01-01"]);
    let handover = "2001-03-01 CNL handover\n  organ CNL\n  to DDD\n  effective 2001-04-01\n  source \"f\"\n";
    assert_eq!(facts(&summary(handover, "2001-03-31", &[]), "chair"), ["chair CNL BBB since 2001-01-01"]);
    assert_eq!(facts(&summary(handover, "2001-06-01", &[]), "chair"), ["chair CNL DDD since 2001-04-01"]);
    assert_eq!(facts(&summary(handover, "2002-06-01", &[]), "chair"), ["chair CNL CCC since 2002-01-01"]);
}
