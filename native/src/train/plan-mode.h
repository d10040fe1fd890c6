// `"mode": "plan"`: the memory plan of a training run from the model folder's config.json and the run's settings,
// printed as one `plan` event (docs/protocol.md). Loads no weights and no data; for `plan_for` it touches no device.
// Does not compute anything of its own: the same memory_plan_compute / memory_plan_decide the trainer uses.
#pragma once
#include "core/status.h"
#include "engine/config.h"

// Emits the `plan` event and returns OK, also when the plan does not fit (the event says so); errors only for a bad
// model folder or config.
lathe_status plan_mode_run(const engine_config& cfg);
