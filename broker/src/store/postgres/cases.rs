//! Citizen Service cases in PostgreSQL: the queryable `id` and `rev` as columns, the case as JSON.

use super::{to_json, PgStore};
use crate::model::{Case, CaseId};
use crate::store::{CaseStore, StoreResult};

impl CaseStore for PgStore {
    fn create(&self, case: &Case) -> StoreResult<()> {
        self.exec(
            "INSERT INTO citizen_service_cases (id, rev, data) VALUES ($1, $2, $3)",
            pg_params![
                case.id.as_str(),
                i64::try_from(case.rev).unwrap_or(i64::MAX),
                to_json(case)?
            ],
        )?;
        Ok(())
    }

    fn get(&self, id: &CaseId) -> StoreResult<Option<Case>> {
        self.one_data(
            "SELECT data FROM citizen_service_cases WHERE id = $1",
            pg_params![id.as_str()],
        )
    }

    fn list_recent(&self, limit: usize) -> StoreResult<Vec<Case>> {
        self.query_data(
            "SELECT data FROM citizen_service_cases ORDER BY seq DESC LIMIT $1",
            pg_params![i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    fn update(&self, case: &Case) -> StoreResult<Option<Case>> {
        let mut written = case.clone();
        written.rev = case.rev + 1;
        let expected = i64::try_from(case.rev).unwrap_or(i64::MAX);
        let changed = self.exec(
            "UPDATE citizen_service_cases SET rev = $3, data = $4 WHERE id = $1 AND rev = $2",
            pg_params![
                case.id.as_str(),
                expected,
                expected.saturating_add(1),
                to_json(&written)?
            ],
        )?;
        Ok((changed == 1).then_some(written))
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM citizen_service_cases", pg_params![])?;
        Ok(())
    }
}
