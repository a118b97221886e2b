//! Closed vocabularies: values that a dossier picks from a fixed list (a partner's roles, the
//! nature of a funding, the state of an action, a weekday…).
//!
//! Each is a Rust enum with an ASCII key (what the schema lists and what is stored) and a French
//! label (what the document prints). Input is read case-, accent- and punctuation-insensitively,
//! in TOML as in a table file, and names a value by its key or by its label — « Numéraire »,
//! « numeraire » and « NUMÉRAIRE » are one value, and so are « principal » and « Site principal »,
//! the label the starter workbook's drop-down lists offer — so free spellings never reach the
//! document, and an unknown value is refused with the list of allowed ones.

/// A value as users type it, folded for comparison with a key: lowercase ASCII, accents
/// removed, spaces, hyphens and apostrophes as `_` ("À venir" → "a_venir").
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text.trim())
        .to_lowercase()
        .chars()
        .map(|c| if matches!(c, ' ' | '-' | '\'') { '_' } else { c })
        .collect()
}

/// Lower case words without accents or punctuation, how typed values and column headers are
/// compared: « Site principal », « site-principal » and "site_principal" → "site principal".
pub fn words(text: &str) -> String {
    let folded: String = deunicode::deunicode(text)
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two spellings name one value (see [`words`]): the one comparison of typed values
/// against a vocabulary, in the model, in the TOML checks and in table cells.
pub fn same(a: &str, b: &str) -> bool {
    words(a) == words(b)
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

            /// The value whose key or label is `text`, ignoring case, accents and
            /// punctuation.
            pub fn parse(text: &str) -> Option<Self> {
                use $crate::model::vocab::same;
                Self::ALL.iter().copied().find(|v| same(v.key(), text) || same(v.label(), text))
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
                // Keys first (one per value, in order: `allowed_values` relies on it), then the
                // printed labels, so that editors checking against the schema accept what
                // cdm-render accepts; the labels again under `x-labels`, in order, for what
                // speaks the user's words (the starter workbook's drop-down lists).
                let labels: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                let mut values: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                values.extend(labels.iter().filter(|l| !values.contains(l)).copied().collect::<Vec<_>>());
                schemars::json_schema!({ "type": "string", "enum": values, "x-labels": labels })
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

    #[test]
    fn a_value_is_named_by_its_key_or_its_label_in_any_case_or_punctuation() {
        use crate::model::TypeSite;
        for typed in ["principal", "Site principal", "SITE-PRINCIPAL", " site principal. "] {
            assert_eq!(TypeSite::parse(typed), Some(TypeSite::Principal), "{typed}");
        }
        assert_eq!(TypeSite::parse("Centre associé"), Some(TypeSite::CentreAssocie));
        assert_eq!(TypeSite::parse("centre_associe"), Some(TypeSite::CentreAssocie));
        assert_eq!(TypeSite::parse("site"), None);
    }
}
