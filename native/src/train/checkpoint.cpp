// Checkpoint layout: adapter_config.json, adapter_model.safetensors, optimizer.safetensors (exp_avg / exp_avg_sq
// per LoRA tensor, PEFT names + suffix), trainer_state.json. Does not store the base model or the datasets.
#include "train/checkpoint.h"
#include <vector>
#include "core/json.h"
#include "io/safetensors.h"
#include "platform/platform.h"

static lathe_status save_moments(trainer& tr, const std::string& path) {
  std::vector<std::vector<float>> host;
  std::vector<st_write_tensor> ts;
  host.reserve(tr.ad.layers.size() * LORA_TARGET_COUNT * 4);
  int r = tr.ad.cfg.r;
  for (size_t l = 0; l < tr.ad.layers.size(); l++)
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      const lora_module& m = tr.ad.layers[l][t];
      if (!m.on) continue;
      struct { const float* p; int64_t rows, cols; bool b; const char* sfx; } items[4] = {
          {m.mA, r, m.in, false, ".exp_avg"}, {m.vA, r, m.in, false, ".exp_avg_sq"},
          {m.mB, m.out, r, true, ".exp_avg"}, {m.vB, m.out, r, true, ".exp_avg_sq"}};
      for (auto& it : items) {
        host.emplace_back((size_t)(it.rows * it.cols));
        tr.be->download_f32(host.back().data(), it.p, it.rows * it.cols);
        ts.push_back({lora_tensor_name((int)l, t, it.b) + it.sfx, {it.rows, it.cols}, host.back().data()});
      }
    }
  return st_write_f32(path, ts, {{"format", "lathe-adamw"}});
}

lathe_status checkpoint_save(trainer& tr, std::string* out_path) {
  std::string final_dir = platform_join(tr.cfg.output_dir, "checkpoint-" + std::to_string(tr.step));
  std::string tmp_dir = platform_join(tr.cfg.output_dir, ".checkpoint-" + std::to_string(tr.step) + ".partial");
  platform_remove_all(tmp_dir);
  LATHE_TRY(platform_make_dirs(tmp_dir));
  LATHE_TRY(lora_adapter_save(tr.ad, tr.m.cfg, tmp_dir, tr.cfg.model_dir));
  LATHE_TRY(save_moments(tr, platform_join(tmp_dir, "optimizer.safetensors")));
  json_value s = json_value::object();
  s.set("format", "lathe-trainer-state");
  s.set("version", 1);
  s.set("global_step", tr.step);
  s.set("total_steps", tr.total_steps);
  s.set("data_epoch", (int64_t)tr.epoch);
  s.set("data_micro_batch", (int64_t)tr.micro);
  s.set("seed", (int64_t)tr.cfg.seed);
  s.set("lr_scheduler_type", tr.cfg.scheduler_name);
  s.set("warmup_steps", tr.warmup);
  s.set("learning_rate", tr.cfg.learning_rate);
  s.set("last_lr", tr.last_lr);
  s.set("last_loss", tr.last_loss);
  s.set("per_device_train_batch_size", tr.cfg.per_device_train_batch_size);
  s.set("gradient_accumulation_steps", tr.cfg.gradient_accumulation_steps);
  s.set("cutoff_len", tr.cfg.cutoff_len);
  s.set("packing", tr.cfg.packing);
  std::string text = s.dump() + "\n";
  LATHE_TRY(platform_write_file_atomic(platform_join(tmp_dir, "trainer_state.json"), text.data(), text.size()));
  LATHE_TRY(platform_replace_dir(tmp_dir, final_dir));
  *out_path = final_dir;
  return LATHE_OK();
}

lathe_status checkpoint_load(trainer& tr, const std::string& dir) {
  std::string text;
  lathe_status s0 = platform_read_file(platform_join(dir, "trainer_state.json"), text);
  if (!s0.ok()) return LATHE_ERR(LATHE_STATUS_IO, "resume_from: no trainer_state.json in " + dir, "pick a checkpoint-N folder of a previous run");
  json_value s;
  std::string err;
  if (!json_parse(text, s, err)) return LATHE_ERR(LATHE_STATUS_DATA, "resume_from: trainer_state.json: " + err, "");
  auto geti = [&](const char* k) -> int64_t { const json_value* v = s.get(k); return v && v->is_number() ? v->as_int() : -1; };
  if (geti("per_device_train_batch_size") != tr.cfg.per_device_train_batch_size ||
      geti("gradient_accumulation_steps") != tr.cfg.gradient_accumulation_steps || geti("cutoff_len") != tr.cfg.cutoff_len ||
      geti("seed") != (int64_t)tr.cfg.seed)
    return LATHE_ERR(LATHE_STATUS_CONFIG, "resume_from: the checkpoint was made with a different batch size, accumulation, cutoff_len or seed",
                     "resume with the configuration of the original run");
  LATHE_TRY(lora_adapter_load_weights(tr.ad, dir));
  st_archive a;
  LATHE_TRY(st_open_file(platform_join(dir, "optimizer.safetensors"), a));
  std::vector<float> buf;
  int r = tr.ad.cfg.r;
  for (size_t l = 0; l < tr.ad.layers.size(); l++)
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      lora_module& m = tr.ad.layers[l][t];
      if (!m.on) continue;
      struct { float* p; int64_t rows, cols; bool b; const char* sfx; } items[4] = {
          {m.mA, r, m.in, false, ".exp_avg"}, {m.vA, r, m.in, false, ".exp_avg_sq"},
          {m.mB, m.out, r, true, ".exp_avg"}, {m.vB, m.out, r, true, ".exp_avg_sq"}};
      for (auto& it : items) {
        std::vector<int64_t> shape = {it.rows, it.cols};
        LATHE_TRY(st_read_f32(a, lora_tensor_name((int)l, t, it.b) + it.sfx, buf, &shape));
        tr.be->upload_f32(it.p, buf.data(), it.rows * it.cols);
      }
    }
  tr.step = geti("global_step");
  tr.epoch = (uint64_t)geti("data_epoch");
  tr.micro = (uint64_t)geti("data_micro_batch");
  if (tr.step < 0) return LATHE_ERR(LATHE_STATUS_DATA, "resume_from: trainer_state.json lacks global_step", "");
  return LATHE_OK();
}
