//! Matching acts against patterns with variable bindings, and the index
//! that makes finding a fulfilling act a lookup rather than a scan.

use casus_model::{Act, ActKind, Field, Pattern, Sym, Term};
use std::collections::HashMap;

/// Variable bindings: a handful at most, so a small vector beats a map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings(pub Vec<(Sym, Sym)>);

impl Bindings {
    pub fn get(&self, var: Sym) -> Option<Sym> {
        self.0.iter().find(|(v, _)| *v == var).map(|(_, s)| *s)
    }

    pub fn with(&self, var: Sym, value: Sym) -> Bindings {
        let mut b = self.clone();
        b.0.retain(|(v, _)| *v != var);
        b.0.push((var, value));
        b
    }

    /// The value a term stands for, if fixed.
    pub fn resolve(&self, term: Term) -> Option<Sym> {
        match term {
            Term::Name(s) => Some(s),
            Term::Var(v) => self.get(v),
            Term::Any => None,
        }
    }
}

/// Matches `act` against `p`; unbound variables are bound (in a copy).
pub fn matches(p: &Pattern, act: &Act, b: &Bindings) -> Option<Bindings> {
    if p.kind != act.kind {
        return None;
    }
    let mut out: Option<Bindings> = None;
    for &(field, term) in &p.constraints {
        let current = out.as_ref().unwrap_or(b);
        match term {
            Term::Any => {
                if act.field(field).is_none() {
                    return None;
                }
            }
            Term::Name(s) => {
                if !act.has(field, s) {
                    return None;
                }
            }
            Term::Var(v) => match current.get(v) {
                Some(s) => {
                    if !act.has(field, s) {
                        return None;
                    }
                }
                None => {
                    let value = act.field(field);
                    if value.is_none() {
                        return None;
                    }
                    out = Some(current.with(v, value));
                }
            },
        }
    }
    Some(out.unwrap_or_else(|| b.clone()))
}

/// Index key: an act kind and up to two names (an actor-like name and an
/// addressee), or one name in a given field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Kind(ActKind),
    One(ActKind, Field, Sym),
    Pair(ActKind, Sym, Sym),
}

/// Acts of the kinds that duties look for, by kind, by field value, and by
/// (actor or contributor, addressee). Each list is in time order.
pub struct Index {
    lists: HashMap<Key, Vec<u32>>,
}

const INDEXED_FIELDS: [Field; 4] = [Field::By, Field::To, Field::Against, Field::About];

impl Index {
    /// Indexes `order` (indices into `acts`, in time order), keeping only acts
    /// whose kind is in `kinds`.
    pub fn build(acts: &[Act], order: &[u32], kinds: &[ActKind]) -> Index {
        let mut lists: HashMap<Key, Vec<u32>> = HashMap::new();
        for &i in order {
            let act = &acts[i as usize];
            if !kinds.contains(&act.kind) {
                continue;
            }
            let k = act.kind;
            lists.entry(Key::Kind(k)).or_default().push(i);
            for f in INDEXED_FIELDS {
                let v = act.field(f);
                if v.is_some() {
                    lists.entry(Key::One(k, f, v)).or_default().push(i);
                }
            }
            for &p in act.from.iter() {
                lists.entry(Key::One(k, Field::From, p)).or_default().push(i);
                if act.to.is_some() {
                    lists.entry(Key::Pair(k, p, act.to)).or_default().push(i);
                }
            }
            if act.to.is_some() {
                lists.entry(Key::Pair(k, act.actor, act.to)).or_default().push(i);
            }
        }
        Index { lists }
    }

    /// The candidate acts for a pattern under bindings: a superset of the
    /// matches, in time order.
    pub fn candidates(&self, p: &Pattern, b: &Bindings) -> &[u32] {
        let bound = |field: Field| p.constraints.iter().filter(|(f, _)| *f == field).find_map(|&(_, t)| b.resolve(t));
        let actorish = bound(Field::By).or_else(|| bound(Field::From));
        let key = match (actorish, bound(Field::To)) {
            (Some(a), Some(to)) => Key::Pair(p.kind, a, to),
            _ => INDEXED_FIELDS
                .into_iter()
                .chain([Field::From])
                .find_map(|f| bound(f).map(|v| Key::One(p.kind, f, v)))
                .unwrap_or(Key::Kind(p.kind)),
        };
        self.lists.get(&key).map(|v| v.as_slice()).unwrap_or(&[])
    }
}
