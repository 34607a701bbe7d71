//! Matching acts against patterns with variable bindings, and the index
//! that makes finding a fulfilling act a lookup rather than a scan.

use crate::fxhash::FxMap;
use casus_model::{Act, ActKind, Field, Pattern, Sym, Term};

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

    /// These bindings with the bound `var` set to `value`, in place (so
    /// that the order of the variables stays as matching made it).
    fn with_value(&self, var: Sym, value: Sym) -> Bindings {
        Bindings(self.0.iter().map(|&(v, s)| (v, if v == var { value } else { s })).collect())
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

/// Every way `act` matches `p` from empty bindings, one binding per
/// reading of the act: a variable on `by` binds each of the act's authors
/// (its actor, then the parties it was made `from`, together), and a
/// variable on `about` each party the act is about. A joint request thus
/// engages a duty once for every requester. In the order of the act's
/// lists, without repeats; empty if it does not match.
pub fn matches_each(p: &Pattern, act: &Act) -> Vec<Bindings> {
    let Some(first) = matches(p, act, &Bindings::default()) else { return Vec::new() };
    let mut out = vec![first];
    for &(field, term) in &p.constraints {
        let Term::Var(v) = term else { continue };
        // Only a variable written on this field alone: substituting another
        // of the field's values then keeps every constraint met.
        if p.constraints.iter().any(|&(f, t)| t == term && f != field) {
            continue;
        }
        let values: Vec<Sym> = match field {
            Field::By => std::iter::once(act.actor).chain(act.from.iter().copied()).collect(),
            Field::About => act.abouts().collect(),
            _ => continue,
        };
        if values.len() < 2 || out.first().and_then(|b| b.get(v)) != values.first().copied() {
            continue;
        }
        let mut next = Vec::with_capacity(out.len() * values.len());
        for b in &out {
            for &value in &values {
                let nb = b.with_value(v, value);
                if !next.contains(&nb) {
                    next.push(nb);
                }
            }
        }
        out = next;
    }
    out
}

/// Which index list a pattern is looked up in, given which of its terms
/// are fixed at lookup time. The same function chooses the lists to build
/// and the list to read, so they always agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    Kind(ActKind),
    One(ActKind, Field),
    /// An actor-like field (`by` or `from`) and the addressee (`to`).
    Pair(ActKind, Field),
}

/// The most selective fields first: an actor is often an organ that acts
/// on everything, a victim or an addressee narrows far more.
const ONE_FIELDS: [Field; 5] = [Field::Against, Field::About, Field::To, Field::From, Field::By];

pub fn shape(p: &Pattern, fixed: impl Fn(Term) -> bool) -> Shape {
    let is_fixed = |field: Field| p.constraints.iter().any(|&(f, t)| f == field && fixed(t));
    let actorish = [Field::By, Field::From].into_iter().find(|&f| is_fixed(f));
    match actorish {
        Some(a) if is_fixed(Field::To) => Shape::Pair(p.kind, a),
        _ => ONE_FIELDS.into_iter().find(|&f| is_fixed(f)).map(|f| Shape::One(p.kind, f)).unwrap_or(Shape::Kind(p.kind)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Kind(ActKind),
    One(ActKind, Field, Sym),
    Pair(ActKind, Field, Sym, Sym),
}

/// Acts of the kinds that duties look for, in the lists their patterns
/// read. Each list is in time order.
pub struct Index {
    lists: FxMap<Key, Vec<u32>>,
}

impl Index {
    /// Indexes `order` (indices into `acts`, in time order) under `shapes`.
    /// The lists hold ranks in `order`, not act indices.
    pub fn build(acts: &[Act], order: &[u32], shapes: &[Shape]) -> Index {
        let mut by_kind: [Vec<Shape>; ActKind::ALL.len()] = std::array::from_fn(|_| Vec::new());
        for &s in shapes {
            let k = match s {
                Shape::Kind(k) | Shape::One(k, _) | Shape::Pair(k, _) => k,
            };
            if !by_kind[k as usize].contains(&s) {
                by_kind[k as usize].push(s);
            }
        }
        let mut lists: FxMap<Key, Vec<u32>> = FxMap::default();
        let mut push = |key: Key, i: u32| lists.entry(key).or_default().push(i);
        for (rank, &i) in order.iter().enumerate() {
            let act = &acts[i as usize];
            let i = rank as u32;
            for &s in &by_kind[act.kind as usize] {
                match s {
                    Shape::Kind(k) => push(Key::Kind(k), i),
                    Shape::One(k, Field::From) => act.from.iter().for_each(|&p| push(Key::One(k, Field::From, p), i)),
                    Shape::One(k, Field::About) => act.abouts().for_each(|p| push(Key::One(k, Field::About, p), i)),
                    Shape::One(k, f) => {
                        let v = act.field(f);
                        if v.is_some() {
                            push(Key::One(k, f, v), i);
                        }
                    }
                    Shape::Pair(k, f) if act.to.is_some() => {
                        if f == Field::From {
                            act.from.iter().for_each(|&p| push(Key::Pair(k, f, p, act.to), i));
                        } else {
                            push(Key::Pair(k, f, act.actor, act.to), i);
                        }
                    }
                    Shape::Pair(..) => {}
                }
            }
        }
        Index { lists }
    }

    /// The ranks (in `order`) of the candidate acts for a pattern under
    /// bindings: a superset of the matches, in time order.
    pub fn candidates(&self, p: &Pattern, b: &Bindings) -> &[u32] {
        let value = |field: Field| p.constraints.iter().filter(|(f, _)| *f == field).find_map(|&(_, t)| b.resolve(t)).unwrap_or(Sym::NONE);
        let key = match shape(p, |t| b.resolve(t).is_some()) {
            Shape::Kind(k) => Key::Kind(k),
            Shape::One(k, f) => Key::One(k, f, value(f)),
            Shape::Pair(k, f) => Key::Pair(k, f, value(f), value(Field::To)),
        };
        self.lists.get(&key).map(|v| v.as_slice()).unwrap_or(&[])
    }
}
