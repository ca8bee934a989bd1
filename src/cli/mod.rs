//! The command line (docs/http.md "The binary"): parsing it with clap, and the commands other
//! than `serve` (`startup` is the server).

#[cfg(feature = "demo")]
pub mod demo;
pub mod healthcheck;
pub mod refresh;

use clap::{Args, Parser, Subcommand};

/// What the binary was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Demo,
    Healthcheck,
    Refresh(refresh::Target),
    /// `--help`, `help`, `--version` (of the binary or a command): the text to print.
    Help(String),
}

#[derive(Parser)]
#[command(
    name = "sagarr",
    version,
    about = "Personal \"what to watch next\" for everyone on a Plex server.",
    after_help = "Configuration comes from the environment: see docs/configuration.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand)]
enum Sub {
    /// Run the web server (the default)
    Serve,
    /// Run Sagarr on built-in demo data: no accounts, no network, nothing kept
    #[command(
        long_about = "Run Sagarr on built-in demo data: no accounts, no network, nothing kept.\n\nThree made-up users (Alice the admin, Bob, and Carol, a kid's account limited to PG) on fake upstreams with real titles; the database is thrown away on exit. Listens on loopback unless SAGARR_BIND says otherwise."
    )]
    Demo,
    /// Exit 0 when the server at SAGARR_BIND answers /api/health, else 1
    Healthcheck,
    /// Refresh recommendations now, printing progress
    Refresh(RefreshArgs),
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct RefreshArgs {
    /// Refresh one user (his Plex username); exit 0 on success
    #[arg(long, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    user: Option<String>,
    /// Refresh everyone active in the last 30 days; exit 0 on success
    #[arg(long)]
    all: bool,
    /// Run what the nightly clock runs, with its policy (only the users whose taste changed, or
    /// unchanged for SAGARR_REFRESH_UNCHANGED_DAYS; the most recent visitors first; within
    /// SAGARR_NIGHTLY_HOURS), printing who was refreshed and who was skipped and why; exit 0
    #[arg(long)]
    nightly: bool,
}

/// Parses the arguments after the program name. `Err`: what was wrong, with the usage.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let argv = std::iter::once("sagarr".to_owned()).chain(args);
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            return Ok(Command::Help(e.to_string()));
        }
        Err(e) => return Err(e.to_string()),
    };
    Ok(match cli.command {
        None | Some(Sub::Serve) => Command::Serve,
        Some(Sub::Demo) => Command::Demo,
        Some(Sub::Healthcheck) => Command::Healthcheck,
        Some(Sub::Refresh(args)) => Command::Refresh(match (args.user, args.all) {
            (Some(name), _) => refresh::Target::User(name),
            (None, true) => refresh::Target::All,
            (None, false) => refresh::Target::Nightly,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Command, String> {
        parse(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn serve_is_the_default() {
        assert_eq!(parse_str(""), Ok(Command::Serve));
        assert_eq!(parse_str("serve"), Ok(Command::Serve));
        assert_eq!(parse_str("healthcheck"), Ok(Command::Healthcheck));
        assert!(parse_str("serve extra").is_err());
        assert_eq!(
            parse_str("refresh --all"),
            Ok(Command::Refresh(refresh::Target::All))
        );
        assert_eq!(
            parse_str("refresh --user jdoe"),
            Ok(Command::Refresh(refresh::Target::User("jdoe".into())))
        );
        assert_eq!(
            parse_str("refresh --nightly"),
            Ok(Command::Refresh(refresh::Target::Nightly))
        );
        assert!(parse_str("refresh").is_err());
        assert!(parse_str("refresh --nightly --all").is_err());
    }

    #[test]
    fn every_command_answers_help_with_what_it_does() {
        let help = |s: &str| match parse_str(s) {
            Ok(Command::Help(text)) => text,
            other => panic!("{s}: {other:?}"),
        };
        for s in ["--help", "-h", "help"] {
            let text = help(s);
            assert!(text.contains("demo") && text.contains("refresh"), "{text}");
            assert!(text.contains("docs/configuration.md"), "{text}");
        }
        assert!(help("demo --help").contains("nothing kept"));
        let refresh = help("refresh --help");
        assert!(
            refresh.contains("--nightly") && refresh.contains("--user <NAME>"),
            "{refresh}"
        );
        assert!(help("--version").contains(env!("CARGO_PKG_VERSION")));
        let wrong = parse_str("refresh --user").unwrap_err();
        assert!(wrong.contains("--user"), "{wrong}");
        assert!(
            parse_str("dmeo").unwrap_err().contains("demo"),
            "a suggestion"
        );
    }
}
