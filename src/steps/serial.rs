//! Steps that talk to the device over the serial line.

use anyhow::{bail, ensure, Context};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use regex::Regex;

use super::{docstring_lines, with_transcript};
use crate::device::reset::HardReset;
use crate::device::Response;
use crate::world::AtWorld;

/// Resets the device with AT+RST and waits for `ready`, so the scenario starts clean.
///
/// If the previous scenario left the device waiting for raw data, or AT+RST
/// goes unanswered, the device is reset out of band (see [`crate::device::reset`])
/// so the following scenarios still start clean; a failed AT+RST still fails this step.
#[given("the device has been reset")]
async fn device_reset(world: &mut AtWorld) -> anyhow::Result<()> {
    let env = world.env.clone();
    let t = env.timeouts;
    let mut device = env.device.lock().await;
    device.note("scenario start: resetting the device");
    device.forget_pending();
    if device.awaiting_raw() {
        device.note("the device still waits for raw data: hard reset");
        env.hard_reset.trigger()?;
        device.urc(t.reset, "`ready` after a hard reset", |u| u == "ready").await?;
        device.forget_pending();
    }
    let soft = soft_reset(&mut device, t).await;
    if soft.is_err() && env.hard_reset != HardReset::Unavailable {
        device.note("AT+RST failed: hard reset so later scenarios start clean");
        device.forget_pending();
        if env.hard_reset.trigger().is_ok() {
            let _ = device.urc(t.reset, "`ready` after a hard reset", |u| u == "ready").await;
        }
    }
    drop(device);
    with_transcript(world, soft).await
}

async fn soft_reset(device: &mut crate::device::Device, t: crate::world::Timeouts) -> anyhow::Result<()> {
    device.send_command("AT+RST").await?;
    let response = device.response(t.response).await?;
    ensure!(response.all_lines() == ["OK"], "AT+RST answered {:?} instead of OK", response.all_lines());
    device.urc(t.reset, "the `ready` line that ends a reset", |u| u == "ready").await?;
    Ok(())
}

/// Sends a command and reads its response, to be checked by a later `Then`.
#[when(regex = r"^I send (AT.*)$")]
async fn send(world: &mut AtWorld, command: String) -> anyhow::Result<()> {
    let command = world.expand(&command)?;
    let result = async {
        let t = world.env.timeouts;
        let mut device = world.env.device.lock().await;
        device.send_command(&command).await?;
        Ok(device.response(t.response).await?)
    }
    .await;
    world.last_response = Some(with_transcript(world, result).await?);
    Ok(())
}

/// Set-up: sends a command that must answer exactly OK.
#[given(regex = r"^I have sent (AT.*)$")]
async fn have_sent(world: &mut AtWorld, command: String) -> anyhow::Result<()> {
    send_expecting_ok(world, &command).await
}

/// Sends a command without reading its response (to send another while it runs).
#[when(regex = r"^I send, without waiting for the answer, (AT.*)$")]
async fn send_no_wait(world: &mut AtWorld, command: String) -> anyhow::Result<()> {
    let command = world.expand(&command)?;
    let result = world.env.device.lock().await.send_command(&command).await;
    with_transcript(world, result.map_err(Into::into)).await
}

/// Sends each command of the doc string in turn; each must answer exactly OK.
#[given("I have sent these commands, each answered OK:")]
#[when("I send these commands, each answered OK:")]
async fn send_each_ok(world: &mut AtWorld, step: &Step) -> anyhow::Result<()> {
    for command in docstring_lines(step)? {
        send_expecting_ok(world, &command).await?;
    }
    Ok(())
}

async fn send_expecting_ok(world: &mut AtWorld, command: &str) -> anyhow::Result<()> {
    let command = world.expand(command)?;
    let result = async {
        let t = world.env.timeouts;
        let mut device = world.env.device.lock().await;
        device.send_command(&command).await?;
        let response = device.response(t.response).await?;
        ensure!(response.all_lines() == ["OK"], "`{command}` answered {:?}, expected just OK", response.all_lines());
        Ok(())
    }
    .await;
    with_transcript(world, result).await
}

/// Sends raw bytes after the `>` prompt; `\r`, `\n`, `\\` and `\xNN` are escapes.
#[when(regex = r#"^I send the raw data "(.*)"$"#)]
async fn send_raw(world: &mut AtWorld, data: String) -> anyhow::Result<()> {
    let bytes = unescape_bytes(&world.expand(&data)?)?;
    let result = world.env.device.lock().await.send_raw(&bytes).await;
    with_transcript(world, result.map_err(Into::into)).await
}

/// The next response is exactly this one line (the final result, or `>`).
#[then(regex = r"^the device answers (OK|ERROR|busy p\.\.\.|>)$")]
async fn answers_single(world: &mut AtWorld, expected: String) -> anyhow::Result<()> {
    let response = next_response(world).await?;
    let result = check_lines(&response, &[expected]);
    with_transcript(world, result).await
}

/// The next response is exactly these lines, final result included.
#[then("the device answers:")]
async fn answers_lines(world: &mut AtWorld, step: &Step) -> anyhow::Result<()> {
    let expected: Vec<String> = docstring_lines(step)?.iter().map(|l| world.expand(l)).collect::<Result<_, _>>()?;
    let response = next_response(world).await?;
    let result = check_lines(&response, &expected);
    with_transcript(world, result).await
}

/// The next response has as many lines as the doc string, each matching its regular expression.
#[then("the device answers lines matching:")]
async fn answers_matching(world: &mut AtWorld, step: &Step) -> anyhow::Result<()> {
    let patterns = docstring_lines(step)?;
    let response = next_response(world).await?;
    let result = (|| {
        let got = response.all_lines();
        ensure!(got.len() == patterns.len(), "expected {} lines matching {patterns:?}, got {got:?}", patterns.len());
        for (line, pattern) in got.iter().zip(&patterns) {
            let re = Regex::new(&format!("^(?:{pattern})$")).with_context(|| format!("bad pattern {pattern:?}"))?;
            ensure!(re.is_match(line), "line {line:?} does not match {pattern:?}; whole response {got:?}");
        }
        Ok(())
    })();
    with_transcript(world, result).await
}

/// Waits for a URC with exactly this text (URCs before it are passed over).
/// The text may use the raw-data escapes (`\\r`, `\\n`, `\\xNN`) for payload bytes.
#[given(regex = r"^the device reports (.+)$")]
#[then(regex = r"^the device reports (.+)$")]
async fn reports(world: &mut AtWorld, expected: String) -> anyhow::Result<()> {
    let expected = expected_urc(world, &expected)?;
    let result = async {
        let t = world.env.timeouts;
        let awaited = format!("the URC `{expected}`");
        world.env.device.lock().await.urc(t.urc, &awaited, |u| u == expected).await?;
        Ok(())
    }
    .await;
    with_transcript(world, result).await
}

/// The next URC not yet consumed is exactly this one: nothing else came first.
#[then(regex = r"^the next URC is (.+)$")]
async fn next_urc(world: &mut AtWorld, expected: String) -> anyhow::Result<()> {
    let expected = expected_urc(world, &expected)?;
    let result = async {
        let t = world.env.timeouts;
        let awaited = format!("the URC `{expected}` before any other");
        let urc = world.env.device.lock().await.urc(t.urc, &awaited, |_| true).await?;
        ensure!(urc.text == expected, "the next URC was `{}`, expected `{expected}`", urc.text);
        Ok(())
    }
    .await;
    with_transcript(world, result).await
}

/// No URC is pending now.
#[then("the device has reported nothing else")]
async fn no_more_urcs(world: &mut AtWorld) -> anyhow::Result<()> {
    let pending = world.env.device.lock().await.pending_urcs();
    let result = if pending.is_empty() { Ok(()) } else { Err(anyhow::anyhow!("unexpected URCs: {pending:?}")) };
    with_transcript(world, result).await
}

/// A URC as written in a feature: placeholders expanded, escapes turned into bytes.
fn expected_urc(world: &AtWorld, text: &str) -> anyhow::Result<String> {
    Ok(String::from_utf8_lossy(&unescape_bytes(&world.expand(text)?)?).into_owned())
}

async fn next_response(world: &mut AtWorld) -> anyhow::Result<Response> {
    if let Some(r) = world.last_response.take() {
        return Ok(r);
    }
    let result = async {
        let t = world.env.timeouts;
        Ok(world.env.device.lock().await.response(t.response).await?)
    }
    .await;
    with_transcript(world, result).await
}

fn check_lines(response: &Response, expected: &[String]) -> anyhow::Result<()> {
    let got = response.all_lines();
    if got != expected {
        bail!("the device answered {got:?}, expected {expected:?}");
    }
    Ok(())
}

/// Turns `\r`, `\n`, `\t`, `\0`, `\\`, `\"` and `\xNN` escapes into bytes.
pub fn unescape_bytes(text: &str) -> anyhow::Result<Vec<u8>> {
    crate::escapes::unescape(text).with_context(|| format!("cannot read the escapes of {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_data_escapes() {
        assert_eq!(unescape_bytes(r"a\r\n\x00\\b").unwrap(), b"a\r\n\0\\b");
        assert!(unescape_bytes(r"\q").is_err());
    }
}
