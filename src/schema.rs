//! The JSON Schema of the dossier format, derived from the Rust types.

use crate::model::Dossier;

/// The JSON Schema of a dossier file, as a JSON value.
pub fn dossier_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Dossier).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "title".into(),
            "Dossier de labellisation d'une Cité des métiers (cdm-render)".into(),
        );
    }
    schema
}

#[cfg(test)]
mod tests {
    #[test]
    fn print_schema() {
        println!("{}", serde_json::to_string_pretty(&super::dossier_schema()).unwrap());
    }
}
