// Backend selection from the config's `device` string. Does not probe GPUs yet (CUDA backend: next issue).
#include "backend/backend.h"

backend* cpu_backend_create(int threads);

lathe_status backend_create(const std::string& device, int threads, backend** out) {
  *out = nullptr;
  if (device == "cpu" || device == "auto" || device.empty()) {
    *out = cpu_backend_create(threads);
    return LATHE_OK();
  }
  if (device.rfind("cuda", 0) == 0)
    return LATHE_ERR(LATHE_STATUS_CONFIG, "device \"" + device + "\" requested but this engine was built without the CUDA backend",
                     "use device \"cpu\" or \"auto\", or install a CUDA-enabled Lathe engine");
  return LATHE_ERR(LATHE_STATUS_CONFIG, "unknown device \"" + device + "\"", "use \"cpu\", \"auto\" or \"cuda:N\"");
}
