# Cross build for AArch64 hosts: Debian's cross compiler plus the arm64 library packages unpacked
# into A64_SYSROOT (scripts/cross-aarch64.sh prepares it). Tests run under qemu-aarch64-static.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
if(NOT DEFINED A64_SYSROOT)
  set(A64_SYSROOT "$ENV{A64_SYSROOT}")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES A64_SYSROOT)
set(CMAKE_FIND_ROOT_PATH "${A64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# Libraries unpack into usr/lib and lib (zlib's runtime, which libpng needs, is in lib).
set(_a64lib "${A64_SYSROOT}/usr/lib/aarch64-linux-gnu")
set(_a64rt "${A64_SYSROOT}/lib/aarch64-linux-gnu")
set(_a64flags "-L${_a64lib} -Wl,-rpath-link,${_a64lib}:${_a64rt} -Wl,-rpath,${_a64lib}:${_a64rt}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_a64flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_a64flags}")
# RUNPATH covers only the executable's own libraries; libpng finds zlib through the search path.
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/qemu-aarch64-static -L /usr/aarch64-linux-gnu
    -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib:${_a64rt})
