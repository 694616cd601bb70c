//! Steps that use the virtual firmware's control channel (scenarios tagged `@virtual_only`).

use anyhow::Context;
use cucumber::given;

use crate::world::AtWorld;

/// Arms a one-shot fault in the virtual firmware, named as the firmware names it.
#[given(regex = r#"^the virtual firmware injects the fault "(.*)"$"#)]
async fn inject_fault(world: &mut AtWorld, fault: String) -> anyhow::Result<()> {
    let control = world.env.control.as_ref().context(
        "this step needs the virtual firmware's control channel, but the device is a board: \
         tag the scenario @virtual_only so board runs exclude it",
    )?;
    let note = format!("control channel: inject fault {fault:?}");
    world.env.device.lock().await.note(&note);
    control.inject_fault(&fault).await?;
    Ok(())
}
