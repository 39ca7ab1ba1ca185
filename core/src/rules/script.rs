//! A rule set's compiled Rhai script and the decisions it returns.

use std::path::Path;
use std::sync::Arc;

use rhai::{AST, Array, Dynamic, Engine, EvalAltResult, INT, Map, Scope};
use rust_decimal::Decimal;

use super::RuleError;
use super::engine;
use super::tables::Tariff;
use crate::dian::TariffCode;

/// What a rule script decided for one subpartida.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// The line is eligible and belongs to `group`.
    Eligible {
        /// The group's key.
        group: Arc<str>,
        /// The group's name for people.
        label: Arc<str>,
        /// The group's rate in percent.
        #[serde(with = "rust_decimal::serde::str")]
        rate_percent: Decimal,
        /// The table row that decided (`groups:agricola`, `special:0901`).
        row: String,
        /// The script branch that decided.
        branch: String,
    },
    /// The line adds nothing to the base.
    NotEligible {
        /// Why, for people (Spanish).
        reason: Arc<str>,
        /// The script branch that decided.
        branch: String,
    },
}

/// The compiled script with the tables it receives.
#[derive(Debug)]
pub(super) struct Script {
    engine: Engine,
    ast: AST,
    tables: Map,
    /// Every `branch: "..."` the script can return, in the order written.
    pub branches: Vec<String>,
}

impl Script {
    pub fn compile(path: &Path, text: &str, tariff: &Tariff) -> Result<Script, RuleError> {
        let engine = engine::sandboxed();
        let ast = engine.compile(text).map_err(|e| RuleError::ScriptSyntax {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if !ast
            .iter_functions()
            .any(|f| f.name == "classify" && f.params.len() == 2)
        {
            return Err(RuleError::ScriptSyntax {
                path: path.to_owned(),
                message: "the script must define fn classify(line, tables)".to_owned(),
            });
        }
        Ok(Script {
            engine,
            ast,
            tables: tables_map(tariff),
            branches: declared_branches(text),
        })
    }

    /// Runs `classify` for `code`. `rule_set` names the version in errors.
    pub fn classify(&self, rule_set: &str, code: &TariffCode) -> Result<Decision, RuleError> {
        let mut line = Map::new();
        line.insert("code".into(), code.as_str().into());
        line.insert("chapter".into(), INT::from(code.chapter_number()).into());
        line.insert("heading".into(), code.heading().into());
        line.insert("subheading".into(), code.subheading().into());
        let result = engine::with_deadline(|| {
            self.engine.call_fn::<Dynamic>(
                &mut Scope::new(),
                &self.ast,
                "classify",
                (line, self.tables.clone()),
            )
        })
        .map_err(|e| RuleError::ScriptFailed {
            rule_set: rule_set.to_owned(),
            code: code.as_str().to_owned(),
            limit: is_limit(&e),
            message: engine::describe(&e),
        })?;
        decision(result).map_err(|message| RuleError::ScriptResult {
            rule_set: rule_set.to_owned(),
            code: code.as_str().to_owned(),
            message,
        })
    }
}

fn is_limit(e: &EvalAltResult) -> bool {
    matches!(
        e,
        EvalAltResult::ErrorTooManyOperations(..)
            | EvalAltResult::ErrorStackOverflow(..)
            | EvalAltResult::ErrorDataTooLarge(..)
            | EvalAltResult::ErrorTooManyVariables(..)
            | EvalAltResult::ErrorTerminated(..)
    ) || matches!(e, EvalAltResult::ErrorInFunctionCall(_, _, inner, _) if is_limit(inner))
}

/// The tables as the script sees them: `#{ groups: [...], special: [...] }`.
fn tables_map(tariff: &Tariff) -> Map {
    let groups: Array = tariff
        .groups
        .iter()
        .map(|g| {
            let mut m = Map::new();
            m.insert("group".into(), g.group.clone().into());
            m.insert("label".into(), g.label.clone().into());
            m.insert("chapter_from".into(), INT::from(g.chapter_from).into());
            m.insert("chapter_to".into(), INT::from(g.chapter_to).into());
            m.insert("rate_percent".into(), Dynamic::from_decimal(g.rate_percent));
            m.into()
        })
        .collect();
    let special: Array = tariff
        .special
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("heading".into(), s.heading.clone().into());
            m.insert("group".into(), s.group.clone().into());
            m.insert("label".into(), s.label.clone().into());
            m.insert("rate_percent".into(), Dynamic::from_decimal(s.rate_percent));
            m.into()
        })
        .collect();
    let mut tables = Map::new();
    tables.insert("groups".into(), groups.into());
    tables.insert("special".into(), special.into());
    tables
}

/// The branch names a script declares, found as `branch: "name"` in its text.
fn declared_branches(text: &str) -> Vec<String> {
    let mut branches = Vec::new();
    for piece in text.split("branch:").skip(1) {
        let piece = piece.trim_start();
        if let Some(rest) = piece.strip_prefix('"')
            && let Some(end) = rest.find('"')
        {
            let name = rest[..end].to_owned();
            if !branches.contains(&name) {
                branches.push(name);
            }
        }
    }
    branches
}

fn decision(value: Dynamic) -> Result<Decision, String> {
    let type_name = value.type_name();
    let map = value
        .try_cast::<Map>()
        .ok_or_else(|| format!("a {type_name}, not a map"))?;
    let text = |key: &str| -> Result<String, String> {
        let v = map.get(key).ok_or_else(|| format!("a map without {key}"))?;
        v.clone()
            .into_string()
            .map_err(|t| format!("{key} as {t}, not a string"))
    };
    let eligible = match map.get("eligible") {
        None => true,
        Some(v) => v
            .as_bool()
            .map_err(|t| format!("eligible as {t}, not a bool"))?,
    };
    if !eligible {
        return Ok(Decision::NotEligible {
            reason: text("reason")?.into(),
            branch: text("branch")?,
        });
    }
    let rate = map
        .get("rate_percent")
        .ok_or("a map without rate_percent")?;
    let rate_percent = if let Some(d) = rate.clone().try_cast::<Decimal>() {
        d
    } else if let Ok(i) = rate.as_int() {
        Decimal::from(i)
    } else {
        return Err(format!(
            "rate_percent as {}, not a decimal",
            rate.type_name()
        ));
    };
    if rate_percent.is_sign_negative() || rate_percent > super::tables::MAX_RATE_PERCENT {
        return Err(format!(
            "rate_percent {rate_percent}, outside 0 to {} %",
            super::tables::MAX_RATE_PERCENT
        ));
    }
    Ok(Decision::Eligible {
        group: text("group")?.into(),
        label: text("label")?.into(),
        rate_percent,
        row: text("row")?,
        branch: text("branch")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_are_found_in_order() {
        let text = r#"if a { #{ branch: "one" } } else { #{branch:"two"} } #{ branch: "one" }"#;
        assert_eq!(declared_branches(text), ["one", "two"]);
    }
}
