// Entry points of the CUDA backend for backend.cpp and the GPU tests. Does not expose CUDA types.
#pragma once
#include <string>
#include "backend/backend.h"

// Number of usable CUDA devices (0 when there is no driver or GPU; never fails).
int cuda_device_count();
// A backend on device `index`. bf16_frozen: frozen weights (alloc_frozen) stored as bf16 with bf16 GEMM operands;
// false keeps everything fp32 with pure fp32 cuBLAS math (the exact mode the parity tests use).
lathe_status cuda_backend_create(int index, bool bf16_frozen, backend** out);
