//! `dev` and `zoom-sim` in a build without the `simulator` feature: the commands still parse
//! (whatever flags they are given) and end with one line saying why they cannot run.

/// Whatever `dev` or `zoom-sim` was given; this build cannot use it.
#[derive(Clone, Debug, clap::Args)]
pub struct NoSimulator {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    args: Vec<String>,
}

/// Refuses to run: there is no Zoom simulator in this binary.
pub async fn refuse(_: NoSimulator) -> anyhow::Result<()> {
    anyhow::bail!(
        "this build has no Zoom simulator (built without the `simulator` feature); `dev` and `zoom-sim` need a default build"
    )
}
