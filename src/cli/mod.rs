//! The command line (docs/http.md "The binary"): parsing it, and the commands other than
//! `serve` (`startup` is the server).

#[cfg(feature = "demo")]
pub mod demo;
pub mod healthcheck;
pub mod refresh;

/// What the binary was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Demo,
    Healthcheck,
    Refresh(refresh::Target),
    Help,
}

pub const USAGE: &str = "\
Usage: sagarr [COMMAND]

Commands:
  serve         run the web server (the default)
  demo          run Sagarr on built-in demo data: no accounts, no network, nothing kept
  healthcheck   exit 0 when the server at SAGARR_BIND answers /api/health, else 1
  refresh --user NAME | --all
                refresh recommendations now (NAME is the Plex username; --all: everyone
                active in the last 30 days), printing progress; exit 0 on success
  refresh --nightly
                run what the nightly clock runs, with its policy (only the users whose
                taste changed, or unchanged for SAGARR_REFRESH_UNCHANGED_DAYS; the most
                recent visitors first; within SAGARR_NIGHTLY_HOURS), printing who was
                refreshed and who was skipped and why; exit 0
  help          show this text

Configuration comes from the environment: see docs/configuration.md.";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let args: Vec<String> = args.into_iter().collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => Ok(Command::Serve),
        ["healthcheck"] => Ok(Command::Healthcheck),
        ["demo"] => Ok(Command::Demo),
        ["refresh", "--all"] => Ok(Command::Refresh(refresh::Target::All)),
        ["refresh", "--nightly"] => Ok(Command::Refresh(refresh::Target::Nightly)),
        ["refresh", "--user", name] if !name.is_empty() => {
            Ok(Command::Refresh(refresh::Target::User((*name).to_owned())))
        }
        ["help" | "--help" | "-h"] => Ok(Command::Help),
        _ => Err(format!("unknown command: {}\n\n{USAGE}", args.join(" "))),
    }
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
}
