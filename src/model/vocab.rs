//! Closed vocabularies: values that a dossier picks from a fixed list (a partner's roles, the
//! nature of a funding, the state of an action, a weekday…).
//!
//! Each is a Rust enum with an ASCII key (what the schema lists and what is stored) and a French
//! label (what the document prints). Input is read case- and accent-insensitively, in TOML as
//! in CSV — « Numéraire », « numeraire » and « NUMÉRAIRE » are one value — so free spellings
//! never reach the document, and an unknown value is refused with the list of allowed ones.

/// A value as users type it, folded for comparison with a key: lowercase ASCII, accents
/// removed, spaces, hyphens and apostrophes as `_` ("À venir" → "a_venir").
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text.trim())
        .to_lowercase()
        .chars()
        .map(|c| if matches!(c, ' ' | '-' | '\'') { '_' } else { c })
        .collect()
}

/// Defines a vocabulary enum: `Name { Variant = "key" / "Label", … }`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order of the list.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The key stored in data files ("numeraire").
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The label printed in the dossier ("Numéraire").
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value whose key matches `text`, ignoring case and accents.
            pub fn parse(text: &str) -> Option<Self> {
                let folded = $crate::model::vocab::fold(text);
                Self::ALL.iter().copied().find(|v| v.key() == folded)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| {
                    let keys: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                    serde::de::Error::custom(format!(
                        "valeur non reconnue « {text} » (valeurs possibles : {})",
                        keys.join(", ")
                    ))
                })
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Keys first, then the printed labels that read as the same key ("Numéraire"),
                // so that editors checking against the schema accept what cdm-render accepts.
                let mut values: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                values.extend(
                    Self::ALL
                        .iter()
                        .filter(|v| v.label() != v.key() && $crate::model::vocab::fold(v.label()) == v.key())
                        .map(|v| v.label()),
                );
                schemars::json_schema!({ "type": "string", "enum": values })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_values_fold_to_their_key() {
        assert_eq!(super::fold(" Numéraire "), "numeraire");
        assert_eq!(super::fold("À venir"), "a_venir");
        assert_eq!(super::fold("Centre associé"), "centre_associe");
    }
}
