// Backend selection from the config's `device` string: "cpu", "auto" (the first CUDA GPU when the engine was built
// with the CUDA backend and one is present, else the CPU) or "cuda:N". Does not pick among several GPUs by load.
#include <cstdlib>
#include "backend/backend.h"
#include "cpu/nf4.h"
#if defined(LATHE_HAVE_CUDA)
#include "cuda/cuda-backend.h"
#endif

backend* cpu_backend_create(int threads);

const float* backend::frozen_values(const float* src, int64_t n, frozen_kind kind, std::vector<float>& tmp) const {
  if (!frozen_nf4_ || kind != FROZEN_KIND_LINEAR) return src;
  nf4_tensor t;
  nf4_quantize(t, src, n);
  tmp.resize((size_t)n);
  nf4_dequantize(tmp.data(), t);
  return tmp.data();
}

void backend::upload_frozen(float* dst, const float* src, int64_t n, frozen_kind kind) {
  std::vector<float> tmp;
  upload_f32(dst, frozen_values(src, n, kind, tmp), n);
}

#if defined(LATHE_HAVE_CUDA)
// LATHE_CUDA_FP32=1 keeps frozen weights in fp32 (exact mode of the parity tests); bf16 otherwise.
static bool cuda_bf16_frozen() {
  const char* e = std::getenv("LATHE_CUDA_FP32");
  return !(e && e[0] == '1');
}
#endif

lathe_status backend_create(const std::string& device, int threads, backend** out) {
  *out = nullptr;
  if (device == "cpu") {
    *out = cpu_backend_create(threads);
    return LATHE_OK();
  }
  if (device == "auto" || device.empty()) {
#if defined(LATHE_HAVE_CUDA)
    if (cuda_device_count() > 0) return cuda_backend_create(0, cuda_bf16_frozen(), out);
#endif
    *out = cpu_backend_create(threads);
    return LATHE_OK();
  }
  if (device.rfind("cuda", 0) == 0) {
    int index = 0;
    if (device.size() > 4) {
      if (device[4] != ':' || device.size() == 5 || device.find_first_not_of("0123456789", 5) != std::string::npos)
        return LATHE_ERR(LATHE_STATUS_CONFIG, "unknown device \"" + device + "\"", "use \"cpu\", \"auto\" or \"cuda:N\"");
      index = std::atoi(device.c_str() + 5);
    }
#if defined(LATHE_HAVE_CUDA)
    return cuda_backend_create(index, cuda_bf16_frozen(), out);
#else
    (void)index;
    return LATHE_ERR(LATHE_STATUS_CONFIG, "device \"" + device + "\" requested but this engine was built without the CUDA backend",
                     "use device \"cpu\" or \"auto\", or install a CUDA-enabled Lathe engine");
#endif
  }
  return LATHE_ERR(LATHE_STATUS_CONFIG, "unknown device \"" + device + "\"", "use \"cpu\", \"auto\" or \"cuda:N\"");
}
