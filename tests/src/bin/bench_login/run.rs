//! The run: the starts, the checks of discovery and JWKS, then every phase in turn, and the
//! report built from their figures.

use anyhow::{bail, Context, Result};
use reqwest::Client;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::broker::BrokerProcess;
use crate::login::Target;
use crate::phases::{hammer, login_phase, StaticClient};
use crate::procfs::{clock_ticks, TICKS_PER_SECOND};
use crate::report::{ms, render, Render, Starts, StaticRun};
use crate::{Args, DISCOVERY};

pub(crate) async fn run(args: &Args) -> Result<(String, u64)> {
    let ticks = clock_ticks();
    TICKS_PER_SECOND.store(ticks.per_second, Ordering::Relaxed);
    let machine = machine_description();
    if args.clients == 0 || args.concurrency == 0 || args.starts == 0 {
        bail!("--clients, --concurrency and --starts must be at least 1");
    }
    if args.replicas == 0 || (args.replicas > 1 && args.database.is_none()) {
        bail!("--replicas must be 1, or more with --database (replicas share a database)");
    }
    if args.logins < args.warmup + 2 {
        bail!("--logins must exceed --warmup by at least 2");
    }
    let binary = &args.broker;
    if !binary.is_file() {
        bail!(
            "no broker binary at {} (build it with `cargo build --release -p broker`, or pass --broker)",
            binary.display()
        );
    }
    let dir = match &args.work_dir {
        Some(parent) => tempfile::Builder::new()
            .prefix("bench-login-")
            .tempdir_in(parent)
            .with_context(|| format!("a temporary data directory in {}", parent.display()))?,
        None => tempfile::Builder::new()
            .prefix("bench-login-")
            .tempdir()
            .context("a temporary data directory")?,
    };
    let data_dir = dir.path().join("data");
    let stderr_log = dir.path().join("broker-stderr.log");

    // One client for everything: HTTP/1.1, keep-alive, no cookies, no redirects, no proxy.
    let pool = args.concurrency.max(args.clients as usize) * 2;
    let client = Client::builder()
        .http1_only()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(pool)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")?;

    // With --database: a fresh schema, made and migrated here, named in the URL's search path.
    let database = match &args.database {
        Some(url) => {
            let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let made = broker::store::PgStore::connect(url, Some(&schema))
                .map_err(|e| anyhow::anyhow!("--database: {e}"))?;
            drop(made);
            let separator = if url.contains('?') { '&' } else { '?' };
            Some(format!(
                "{url}{separator}options=-c%20search_path%3D{schema}"
            ))
        }
        None => None,
    };

    // Start 1 creates the keys and the database.
    eprintln!("start 1 (creates the keys) ...");
    let first = BrokerProcess::start(
        binary,
        &data_dir,
        database.as_deref(),
        None,
        &stderr_log,
        &client,
    )
    .await?;
    let first_ready = first.ready_after;
    first.stop().await?;

    // Measured starts with the stored key; the last one stays up for the load.
    let mut measured = Vec::new();
    let mut broker = None;
    for i in 0..args.starts {
        let b = BrokerProcess::start(
            binary,
            &data_dir,
            database.as_deref(),
            None,
            &stderr_log,
            &client,
        )
        .await?;
        eprintln!(
            "start {} (stored key): stdout line after {:.1} ms, first 200 after {:.1} ms",
            i + 2,
            ms(b.line_after),
            ms(b.ready_after)
        );
        measured.push((b.line_after, b.ready_after));
        if i + 1 == args.starts {
            broker = Some(b);
        } else {
            b.stop().await?;
        }
    }
    let broker = broker.context("no broker started")?;
    let memory_start = broker.memory()?;
    // The other replicas, each with a data directory of its own, answering as the first's
    // issuer (a load balancer's one name).
    let mut replicas = Vec::new();
    for i in 1..args.replicas {
        let dir = dir.path().join(format!("data-{}", i + 1));
        let issuer = Some(broker.issuer.as_str());
        replicas.push(
            BrokerProcess::start(
                binary,
                &dir,
                database.as_deref(),
                issuer,
                &stderr_log,
                &client,
            )
            .await?,
        );
    }
    let starts = Starts {
        first_ready,
        measured,
    };

    // Check discovery and JWKS once, and take the endpoints from discovery.
    let base = broker.base.clone();
    let issuer = format!("{}{}", broker.issuer, args.profile.path());
    let discovery: serde_json::Value = client
        .get(format!("{base}{}{DISCOVERY}", args.profile.path()))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
        .context("the discovery document")?;
    if discovery["issuer"].as_str() != Some(issuer.as_str()) {
        bail!(
            "discovery names issuer {} but the broker announced {issuer}",
            discovery["issuer"],
        );
    }
    // Requests go to 127.0.0.1 (the issuer says localhost): keep only the paths.
    let path = |key: &str| -> Result<String> {
        let url = discovery[key]
            .as_str()
            .with_context(|| format!("no {key} in discovery"))?;
        Ok(Url::parse(url)
            .with_context(|| format!("{key} in discovery"))?
            .path()
            .to_string())
    };
    let mut bases = vec![base.clone()];
    bases.extend(replicas.iter().map(|r| r.base.clone()));
    let target = Arc::new(Target {
        client: client.clone(),
        profile: args.profile,
        issuer,
        bases,
        next: Default::default(),
        authorize: path("authorization_endpoint")?,
        token: path("token_endpoint")?,
        userinfo: path("userinfo_endpoint")?,
        seed: format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ),
    });
    let jwks_url = format!("{base}{}", path("jwks_uri")?);
    let jwks: serde_json::Value = client
        .get(&jwks_url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
        .context("the JWKS")?;
    let jwks_keys = jwks["keys"].as_array().map_or(0, Vec::len);
    if jwks_keys == 0 {
        bail!("the JWKS has no keys");
    }

    // Logins: warm-up, then 1 client, then `clients` concurrent clients.
    let numbering = Arc::new(AtomicU64::new(0));
    replicas.insert(0, broker);
    let mut brokers = replicas;
    let check_alive = |brokers: &mut [BrokerProcess]| -> Result<()> {
        brokers.iter_mut().try_for_each(BrokerProcess::check_alive)
    };
    let rest = args.logins - args.warmup;
    let single_count = rest / 3;
    let multi_count = rest - single_count;
    let watcher = args
        .dashboard
        .then(|| tokio::spawn(watch_dashboard(client.clone(), base.clone())));
    eprintln!("warm-up: {} logins ...", args.warmup);
    let warmup = login_phase(&target, &brokers, 1, args.warmup, &numbering).await?;
    check_alive(&mut brokers)?;
    eprintln!("1 client: {single_count} logins ...");
    let single = login_phase(&target, &brokers, 1, single_count, &numbering).await?;
    check_alive(&mut brokers)?;
    eprintln!("{} clients: {multi_count} logins ...", args.clients);
    let multi = login_phase(&target, &brokers, args.clients, multi_count, &numbering).await?;
    check_alive(&mut brokers)?;
    if let Some(watcher) = watcher {
        watcher.abort();
        let seen = watcher
            .await
            .err()
            .map_or(0, |_| DASHBOARD_SEEN.load(Ordering::Relaxed));
        if seen == 0 {
            bail!("--dashboard: the dashboard's stream sent nothing during the logins");
        }
        eprintln!("dashboard: {seen} stream chunks and pages during the logins");
    }
    let total_logins = numbering.load(Ordering::Relaxed);
    let mut others = brokers.split_off(1);
    let mut broker = brokers.pop().context("no broker")?;
    let memory_logins = broker.memory()?;
    for replica in others.drain(..) {
        replica.stop().await?;
    }

    // Discovery and JWKS, with each client kind asked for.
    let kinds: &[(StaticClient, &'static str)] = match args.static_client {
        StaticClient::Reqwest => &[(StaticClient::Reqwest, "reqwest")],
        StaticClient::Raw => &[(StaticClient::Raw, "raw HTTP/1.1")],
        StaticClient::Both => &[
            (StaticClient::Reqwest, "reqwest"),
            (StaticClient::Raw, "raw HTTP/1.1"),
        ],
    };
    let discovery_url = format!("{base}{DISCOVERY}");
    let mut statics = Vec::new();
    for &(kind, client_name) in kinds {
        for (endpoint, url) in [("Discovery", &discovery_url), ("JWKS", &jwks_url)] {
            eprintln!(
                "{endpoint} ({client_name}): {} connections for {} s ...",
                args.concurrency, args.seconds
            );
            let c = (kind == StaticClient::Reqwest).then_some(&client);
            let hammer = hammer(c, &broker, url, args.concurrency, args.seconds).await?;
            statics.push(StaticRun {
                endpoint,
                client: client_name,
                hammer,
            });
        }
    }
    broker.check_alive()?;
    let memory_end = broker.memory()?;
    broker.stop().await?;

    let failed = warmup.failed + single.failed + multi.failed;
    let report = render(Render {
        args,
        ticks: &ticks,
        starts: &starts,
        memory_start,
        memory_logins,
        memory_end,
        total_logins,
        warmup: &warmup,
        single: &single,
        multi: &multi,
        statics: &statics,
        jwks_keys,
        machine: &machine,
        data_dir: &data_dir,
        dropped: crate::broker::dropped(&stderr_log),
    });
    Ok((report, failed))
}

/// Chunks of the dashboard's stream and pages loaded while `--dashboard` watched.
static DASHBOARD_SEEN: AtomicU64 = AtomicU64::new(0);

/// The dashboard as a developer keeps it open: the logins' live stream, read as it comes, and
/// the page loaded again every second.
async fn watch_dashboard(client: Client, base: String) -> Result<()> {
    let pages = async {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Ok(r) = client.get(format!("{base}/_sim/")).send().await {
                if r.status().is_success() && r.bytes().await.is_ok() {
                    DASHBOARD_SEEN.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    };
    let stream = async {
        // A client without the run's 30-second timeout: the stream stays open.
        let streaming = Client::builder().no_proxy().build()?;
        let mut stream = streaming
            .get(format!("{base}/_sim/events"))
            .send()
            .await?
            .error_for_status()?;
        while stream.chunk().await?.is_some() {
            DASHBOARD_SEEN.fetch_add(1, Ordering::Relaxed);
        }
        anyhow::Ok(())
    };
    // Both end when the task is aborted, or when the stream does.
    tokio::select! {
        ended = stream => ended,
        () = pages => Ok(()),
    }
}

/// Cores, CPU model and load average before the run.
fn machine_description() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_string();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{cores} core(s), {model}; load average before the run {}",
        load.join(" ")
    )
}
