# CUDA backend build, included by CMakeLists.txt when LATHE_CUDA is ON: a fat binary for Ampere, Ada, Hopper and
# Blackwell consumer cards (override with -DCMAKE_CUDA_ARCHITECTURES=90 on the GPU machine), cudart + cuBLAS(Lt).
# Does not require a GPU at build time; the backend probes devices at run time and the GPU tests skip (77) without one.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT DEFINED ENV{CUDAARCHS})
  set(CMAKE_CUDA_ARCHITECTURES "80;86;89;90;120" CACHE STRING "CUDA architectures of the fat binary")
endif()
enable_language(CUDA)
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
message(STATUS "lathe: CUDA backend ON (CUDA ${CUDAToolkit_VERSION}, architectures ${CMAKE_CUDA_ARCHITECTURES})")

target_sources(lathe_core PRIVATE
  src/cuda/cuda-backend.cu
  src/cuda/common.cu
  src/cuda/matmul.cu
  src/cuda/embedding.cu
  src/cuda/nf4-dequant.cu
  src/cuda/rmsnorm.cu
  src/cuda/rope.cu
  src/cuda/attention.cu
  src/cuda/attention-gemm.cu
  src/cuda/attention-flash.cu
  src/cuda/swiglu.cu
  src/cuda/cross-entropy.cu
  src/cuda/lm-head-loss.cu
  src/cuda/lora.cu
  src/cuda/adamw.cu
  src/cuda/elementwise.cu
)
# lathe_core was created before this file set CMAKE_CUDA_ARCHITECTURES, so its property must be set explicitly
# (otherwise CMake stops with "CUDA_ARCHITECTURES is empty for target lathe_core").
set_target_properties(lathe_core PROPERTIES CUDA_ARCHITECTURES "${CMAKE_CUDA_ARCHITECTURES}")
target_compile_definitions(lathe_core PUBLIC LATHE_HAVE_CUDA=1)
target_compile_options(lathe_core PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr -lineinfo>)
target_link_libraries(lathe_core PUBLIC CUDA::cudart CUDA::cublas CUDA::cublasLt)

# GPU tests: exit code 77 (SKIP) when no CUDA device is present, so they stay green on machines without a GPU.
foreach(t test-cuda-ops test-cuda-parity)
  add_executable(${t} tests/${t}.cpp tests/test-util.cpp)
  target_link_libraries(${t} PRIVATE lathe_core)
  target_compile_definitions(${t} PRIVATE LATHE_FIXTURE_DIR="${CMAKE_CURRENT_SOURCE_DIR}/test/fixtures"
    LATHE_ENGINE_PATH="$<TARGET_FILE:lathe-engine>")
  add_test(NAME ${t} COMMAND ${t} WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(${t} PROPERTIES SKIP_RETURN_CODE 77 LABELS gpu)
endforeach()
