//! `virtual-firmware`: serves the ESP-AT MQTT command set on a pseudo-terminal.

use clap::Parser;

/// Serve a virtual AT firmware on a pty; prints `PTY <path>` on stdout.
#[derive(Debug, Parser)]
#[command(name = "virtual-firmware", version, about)]
struct Cli {
    #[command(flatten)]
    args: virtual_firmware::Args,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    virtual_firmware::run(Cli::parse().args).await
}
