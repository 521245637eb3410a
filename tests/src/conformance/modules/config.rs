//! oidcc-discovery-endpoint-verification (the Config OP plan, also part of Dynamic).

use crate::conformance::checks::discovery;
use crate::conformance::{Ctx, Halt, Plan};

pub async fn discovery_endpoint_verification(ctx: &mut Ctx<'_>) -> Result<(), Halt> {
    let env = ctx.env;
    ctx.require(discovery::check_answer(&env.discovery_answer))?;
    let dynamic = ctx.plan == Plan::Dynamic;
    discovery::verify(&env.discovery, &env.issuer, dynamic, &mut ctx.findings);
    ctx.expect(discovery::check_jwks(&env.jwks()));
    ctx.expect(discovery::check_jwks_public_only(&env.jwks()));
    Ok(())
}
