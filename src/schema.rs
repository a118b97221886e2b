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
    fn the_schema_is_strict_about_keys_and_requires_the_cover() {
        let schema = super::dossier_schema();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["cite"]));
        assert_eq!(schema["$defs"]["Cite"]["additionalProperties"], false);
        let label = &schema["$defs"]["Phase"]["oneOf"];
        assert_eq!(label.as_array().map(Vec::len), Some(3));
    }
}
