//! `#[cfg(feature = …)]` attributes from the IR's features (`lower::features`).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Api;

/// When an item is compiled: always, or when any of some features is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Always,
    Any(BTreeSet<String>),
}

impl Reach {
    /// When the type `name` is compiled.
    pub fn of_type(api: &Api, name: &str) -> Reach {
        match api.features.of_type.get(name) {
            Some(features) => Reach::Any(features.clone()),
            None => Reach::Always,
        }
    }

    /// When the operations module `module` is compiled.
    pub fn of_module(api: &Api, module: &str) -> Reach {
        match api.features.of_module.get(module) {
            Some(feature) => Reach::Any(BTreeSet::from([feature.clone()])),
            None => Reach::Always,
        }
    }

    /// When any of `reaches` is compiled; `None` for none.
    pub fn union<'a>(reaches: impl IntoIterator<Item = &'a Reach>) -> Option<Reach> {
        let mut out: Option<Reach> = None;
        for reach in reaches {
            out = Some(match (out, reach) {
                (None, r) => r.clone(),
                (Some(Reach::Always), _) | (_, Reach::Always) => Reach::Always,
                (Some(Reach::Any(mut a)), Reach::Any(b)) => {
                    a.extend(b.iter().cloned());
                    Reach::Any(a)
                }
            });
        }
        out
    }

    /// The attribute for an item compiled so, inside a module compiled as `within`:
    /// nothing when the two agree.
    pub fn cfg_within(&self, within: &Reach) -> TokenStream {
        if self == within {
            TokenStream::new()
        } else {
            self.cfg()
        }
    }

    /// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", …))]`; nothing for `Always`.
    pub fn cfg(&self) -> TokenStream {
        match self {
            Reach::Always => TokenStream::new(),
            Reach::Any(features) if features.len() == 1 => {
                let f = features.iter().next();
                quote!(#[cfg(feature = #f)])
            }
            Reach::Any(features) => {
                let f = features.iter();
                quote!(#[cfg(any(#(feature = #f),*))])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(names: &[&str]) -> Reach {
        Reach::Any(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn reaches_join_and_give_their_attributes() {
        assert_eq!(
            Reach::union([&any(&["users"]), &any(&["groups"])]),
            Some(any(&["groups", "users"]))
        );
        assert_eq!(
            Reach::union([&any(&["users"]), &Reach::Always]),
            Some(Reach::Always)
        );
        assert_eq!(Reach::union([]), None);
        assert_eq!(
            any(&["users"]).cfg().to_string(),
            quote!(#[cfg(feature = "users")]).to_string()
        );
        assert_eq!(
            any(&["apps", "users"]).cfg().to_string(),
            quote!(#[cfg(any(feature = "apps", feature = "users"))]).to_string()
        );
        assert!(any(&["users"]).cfg_within(&any(&["users"])).is_empty());
        assert!(Reach::Always.cfg().is_empty());
    }
}
