//! Steps that use the virtual firmware's control channel (scenarios tagged `@virtual_only`).

use anyhow::Context;
use cucumber::{given, when};

use crate::control::ControlChannel;
use crate::world::AtWorld;

/// The control channel, or the error that says the scenario needs the virtual firmware.
fn control(world: &AtWorld) -> anyhow::Result<&ControlChannel> {
    world.env.control.as_ref().context(
        "this step needs the virtual firmware's control channel, but the device is a board: \
         tag the scenario @virtual_only so board runs exclude it",
    )
}

/// Arms a one-shot fault in the virtual firmware, named as the firmware names it.
#[given(regex = r#"^the virtual firmware injects the fault "(.*)"$"#)]
async fn inject_fault(world: &mut AtWorld, fault: String) -> anyhow::Result<()> {
    let control = control(world)?;
    let note = format!("control channel: inject fault {fault:?}");
    world.env.device.lock().await.note(&note);
    control.inject_fault(&fault).await?;
    Ok(())
}

/// Makes the virtual firmware write bytes (with `\r`, `\n`, `\xNN` escapes) on the serial line.
#[when(regex = r#"^the virtual firmware writes the noise "(.*)" on the line$"#)]
async fn noise(world: &mut AtWorld, text: String) -> anyhow::Result<()> {
    let bytes = crate::steps::serial::unescape_bytes(&text)?;
    world.env.device.lock().await.note(&format!("control channel: noise {text:?} on the line"));
    control(world)?.noise(&bytes).await?;
    Ok(())
}

/// Resets the virtual firmware out of band, in the middle of whatever it was doing.
#[when("the virtual firmware is reset out of band")]
async fn reset(world: &mut AtWorld) -> anyhow::Result<()> {
    world.env.device.lock().await.note("control channel: hard reset");
    control(world)?.reset().await?;
    Ok(())
}

/// Ends the virtual firmware process: the serial line vanishes.
#[when("the virtual firmware exits")]
async fn exit(world: &mut AtWorld) -> anyhow::Result<()> {
    world.env.device.lock().await.note("control channel: the firmware exits");
    control(world)?.exit().await?;
    Ok(())
}
