//! Regressions found in review, each named after what went wrong.

mod common;

fn statuses(treaty: &str, record: &str, at: &str) -> Vec<String> {
    let rep = common::replay(treaty, record, at, &[]);
    let mut v: Vec<String> = rep.cases.iter().flat_map(|c| c.obligations.iter().map(|o| format!("{} {} {}", o.duty, o.debtor, o.status))).collect();
    v.sort();
    v
}

const ONLY_FROM_DEBTOR_TREATY: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
party CCC "Carpania"
  joins    2000-01-01  source "f"
```

## Article 5

> Each party deploys.

```casus
duty consult
  on       request consultation under art5 by $x
  owed by  every party except $x
  owed to  $x
  does     deployment to $x from $debtor
  within   2 days
```
"#;
const ONLY_FROM_DEBTOR_RECORD: &str = r#"```acts
record "r"
  treaty TST

2001-01-01 AAA request consultation
  id c1
  under art5
  source "s"

2001-01-02 BBB deployment
  to AAA
  from BBB
  source "s"
```
"#;

/// A duty whose only `does` pattern names the debtor in `from` (no `by`)
/// was never fulfilled: the debtor variable was taken from other duties.
#[test]
fn debtor_named_only_in_from_is_bound() {
    assert_eq!(statuses(ONLY_FROM_DEBTOR_TREATY, ONLY_FROM_DEBTOR_RECORD, "2001-02-01"), ["consult BBB fulfilled", "consult CCC breached"]);
}

const TWO_DUTIES: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
party CCC "Carpania"
  joins    2000-01-01  source "f"
```

## Article 4

> The requesting party reports; every other party assists.

```casus
duty report
  on       request assistance under art4 by $x
  owed by  $x
  owed to  CCC
  does     statement by $x to CCC
  within   2 days

duty assist
  on       request assistance under art4 by $victim
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
```
"#;
const TWO_DUTIES_SWAPPED: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
party CCC "Carpania"
  joins    2000-01-01  source "f"
```

## Article 4

> The requesting party reports; every other party assists.

```casus
duty assist
  on       request assistance under art4 by $victim
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days

duty report
  on       request assistance under art4 by $x
  owed by  $x
  owed to  CCC
  does     statement by $x to CCC
  within   2 days
```
"#;
const TWO_DUTIES_RECORD: &str = r#"```acts
record "r"
  treaty TST

2001-01-01 AAA request assistance
  id c1
  under art4
  source "s"

2001-01-02 CCC assistance
  to AAA
  source "s"
```
"#;

/// Verdicts depended on the order duties are declared in: another duty's
/// `by $x` was bound to each debtor.
#[test]
fn verdicts_do_not_depend_on_the_order_of_duties() {
    let want = ["assist BBB breached", "assist CCC fulfilled", "report AAA breached"];
    assert_eq!(statuses(TWO_DUTIES, TWO_DUTIES_RECORD, "2001-02-01"), want);
    assert_eq!(statuses(TWO_DUTIES_SWAPPED, TWO_DUTIES_RECORD, "2001-02-01"), want);
}
