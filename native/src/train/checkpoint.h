// Checkpoints: adapter (PEFT format) + optimizer moments + trainer state (step, data cursor, schedule, seed), so
// that stop + resume reproduces an uninterrupted run. Written into a temp folder and renamed (atomic).
// Does not prune old checkpoints.
#pragma once
#include <string>
#include "train/trainer.h"

// Writes <output_dir>/checkpoint-<step>/ and returns its path.
lathe_status checkpoint_save(trainer& tr, std::string* path);
// Restores adapter, moments and cursor from a checkpoint folder (after trainer_setup allocated everything).
lathe_status checkpoint_load(trainer& tr, const std::string& dir);
