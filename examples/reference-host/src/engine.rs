//! The library as the host holds it: one [`Pipeline`] over the catalog and the rule book,
//! both reloadable while requests run.

use std::sync::Arc;

use bmc_core::catalog::{self, Catalog};
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::pipeline::{Pipeline, PipelineOptions};
use bmc_core::rules::RuleBook;

use crate::config::Config;

/// The open catalog and rules.
#[derive(Debug)]
pub struct Engine {
    /// The pipeline (its catalog and rules are swapped in place by a reload).
    pub pipeline: Pipeline,
    rules_dir: Option<std::path::PathBuf>,
    registration_date: Option<chrono::NaiveDate>,
}

impl Engine {
    /// Opens the catalog index (building it from the CSV first when there is none, with
    /// progress in the log), the rules, and the sellers' keys.
    pub fn open(config: &Config) -> Result<Engine, bmc_core::Error> {
        let index = config.catalog_index();
        let catalog = match Catalog::open(&index) {
            Ok(catalog) => catalog,
            Err(_) => {
                tracing::info!(csv = %config.catalog_csv.display(), index = %index.display(), "building the catalog index");
                let mut last = 0;
                catalog::build_from_path(
                    &config.catalog_csv,
                    &index,
                    &catalog::BuildOptions::default(),
                    &mut |p| {
                        if p.done >= last + 1_000_000 || (p.total > 0 && p.done == p.total) {
                            last = p.done;
                            tracing::info!(phase = ?p.phase, done = p.done, total = p.total, "catalog build");
                        }
                    },
                )?;
                Catalog::open(&index)?
            }
        };
        let rules = match &config.rules_dir {
            Some(dir) => RuleBook::load(dir)?,
            None => RuleBook::embedded()?,
        };
        let numbering_keys = match &config.technical_keys {
            Some(path) if path.exists() => Some(Arc::new(NumberingKeys::read(path)?)),
            _ => None,
        };
        let environment = Environment::parse(&config.environment)?;
        let options = PipelineOptions {
            numbering_keys,
            environment,
            ..PipelineOptions::default()
        };
        Ok(Engine {
            pipeline: Pipeline::new(catalog, rules, options),
            rules_dir: config.rules_dir.clone(),
            registration_date: config.registration_date,
        })
    }

    /// The day registrations are dated: the configured one, or today in Colombia.
    pub fn registration_date(&self) -> chrono::NaiveDate {
        self.registration_date
            .unwrap_or_else(bmc_core::rules::today_in_colombia)
    }

    /// Reloads the rules from their folder (the built-in rules when none is configured); the
    /// rules in use stay when the new ones do not load.
    pub fn reload_rules(&self) -> Result<String, bmc_core::Error> {
        let book = match &self.rules_dir {
            Some(dir) => RuleBook::load(dir)?,
            None => RuleBook::embedded()?,
        };
        let current = book.current()?.label().to_string();
        self.pipeline.rules().replace(book);
        Ok(current)
    }

    /// Reopens the catalog index (after `bmc catalog build` or a delta); the catalog in use
    /// stays when the new one does not open.
    pub fn reload_catalog(&self) -> Result<u64, bmc_core::Error> {
        self.pipeline.catalog().reload()?;
        Ok(self.pipeline.catalog().get().len())
    }
}
