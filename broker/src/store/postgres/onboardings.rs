//! Onboardings in progress in PostgreSQL, written by revision.

use super::{to_json, PgStore};
use crate::model::Onboarding;
use crate::store::{OnboardingStore, StoreResult};

impl OnboardingStore for PgStore {
    fn create(&self, onboarding: &Onboarding) -> StoreResult<()> {
        self.exec(
            "INSERT INTO onboardings (id, rev, expires_at, data) VALUES ($1, $2, $3, $4)",
            pg_params![
                onboarding.id,
                i64::try_from(onboarding.rev).unwrap_or(i64::MAX),
                onboarding.expires_at,
                to_json(onboarding)?
            ],
        )?;
        Ok(())
    }
    fn get(&self, id: &str) -> StoreResult<Option<Onboarding>> {
        self.one_data("SELECT data FROM onboardings WHERE id = $1", pg_params![id])
    }
    fn update(
        &self,
        expected_rev: u64,
        onboarding: &Onboarding,
    ) -> StoreResult<Option<Onboarding>> {
        let written = Onboarding {
            rev: expected_rev + 1,
            ..onboarding.clone()
        };
        let expected = i64::try_from(expected_rev).unwrap_or(i64::MAX);
        let changed = self.exec(
            "UPDATE onboardings SET rev = $2, data = $3 WHERE id = $1 AND rev = $4",
            pg_params![written.id, expected + 1, to_json(&written)?, expected],
        )?;
        Ok((changed > 0).then_some(written))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM onboardings", pg_params![])?;
        Ok(())
    }
}
