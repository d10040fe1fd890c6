// What every dev harness of this folder repeats: the CUDA error check that exits, the no-GPU exit (77, ctest's
// "skipped"), and the event timing (median of 20 after 3 warm-ups). No kernels, no reference checks.
#pragma once
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x)                                                                                                              \
  do {                                                                                                                     \
    cudaError_t e_ = (x);                                                                                                  \
    if (e_ != cudaSuccess) { std::printf("CUDA %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); std::exit(1); } \
  } while (0)

// true (after saying so) when there is no device to run on; main then returns 77
inline bool harness_no_device() {
  int dev_count = 0;
  if (cudaGetDeviceCount(&dev_count) != cudaSuccess || dev_count == 0) {
    std::printf("no CUDA device\n");
    return true;
  }
  return false;
}

// median of 20 after 3 warm-ups; events on the stream the work runs on (0 = the legacy stream; a non-blocking stream
// would not order with it, so pass that stream)
template <typename F>
float median_ms(cudaStream_t st, F f) {
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  for (int i = 0; i < 3; i++) f();
  std::vector<float> ms;
  for (int rep = 0; rep < 20; rep++) {
    CK(cudaEventRecord(e0, st));
    f();
    CK(cudaEventRecord(e1, st));
    CK(cudaEventSynchronize(e1));
    float t = 0;
    CK(cudaEventElapsedTime(&t, e0, e1));
    ms.push_back(t);
  }
  CK(cudaGetLastError());
  std::sort(ms.begin(), ms.end());
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  return ms[ms.size() / 2];
}
