//! Interned names (party codes, organ ids, document ids, free text).
//!
//! The engine compares names millions of times per replay; comparing two
//! `u32`s is what makes a million acts per second possible. `Sym::NONE` (0)
//! stands for an absent field so that an act needs no `Option` per field.

use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

impl Sym {
    pub const NONE: Sym = Sym(0);
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
    pub fn is_some(self) -> bool {
        self.0 != 0
    }
}

/// The interner. Index 0 is the empty string and means "absent".
#[derive(Clone, Debug)]
pub struct Symbols {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols::new()
    }
}

impl Symbols {
    pub fn new() -> Symbols {
        let mut index = HashMap::new();
        index.insert(Box::<str>::from(""), Sym::NONE);
        Symbols { names: vec!["".into()], index }
    }

    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&sym) = self.index.get(name) {
            return sym;
        }
        let sym = Sym(self.names.len() as u32);
        self.names.push(name.into());
        self.index.insert(name.into(), sym);
        sym
    }

    /// Looks a name up without interning it.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map(|s| &**s).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Forgets every name interned after the first `len` (a scratch copy
    /// that is reused: a table of the treaty's names, to which one request's
    /// names are added and then dropped).
    pub fn truncate(&mut self, len: usize) {
        for name in self.names.drain(len.max(1).min(self.names.len())..) {
            self.index.remove(&name);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_forgets_the_names_after_and_keeps_the_ones_before() {
        let mut symbols = Symbols::new();
        let arm = symbols.intern("ARM");
        let kept = symbols.len();
        let extra = symbols.intern("extra");
        symbols.truncate(kept);
        assert_eq!(symbols.len(), kept);
        assert_eq!(symbols.get("ARM"), Some(arm));
        assert_eq!(symbols.get("extra"), None);
        assert_eq!(symbols.name(extra), "", "a forgotten symbol names nothing");
        // Interned again, a name gets the next number, as in a fresh copy.
        assert_eq!(symbols.intern("other"), extra);
        // The empty name is never forgotten.
        symbols.truncate(0);
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols.get(""), Some(Sym::NONE));
    }
}
