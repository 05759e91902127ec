// Helpers of the image tests: a scratch directory, qemu-img (the independent reference; tests
// that need it report themselves skipped without it) and byte-level file edits.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace test {

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ghost86-img-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Runs a shell command quietly; its exit status.
inline int sh(const std::string& command) {
  const int st = std::system(("(" + command + ") >/dev/null 2>&1").c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline bool have_qemu_img() { return sh("qemu-img --version") == 0; }
inline bool have_qemu_io() { return sh("qemu-io --version") == 0; }

// True (and the test reported as skipped) when qemu-img, or qemu-io if `io`, is missing.
inline bool skip_without_qemu(bool io = false) {
  if (have_qemu_img() && (!io || have_qemu_io())) return false;
  WARN("qemu-img or qemu-io not found (Debian qemu-utils): skipped");
  return true;
}

inline std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
}

// Overwrites `n` bytes at `at` with `value`, big-endian (qcow2's byte order).
inline void poke_be(const std::string& path, uint64_t at, uint64_t value, unsigned n) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(std::streamoff(at));
  for (unsigned i = n; i-- > 0;) f.put(char(value >> (8 * i)));
}

inline uint64_t peek_be(const std::string& path, uint64_t at, unsigned n) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(std::streamoff(at));
  uint64_t x = 0;
  for (unsigned i = 0; i < n; i++) x = x << 8 | uint8_t(f.get());
  return x;
}

// A child process with a pipe on its stdin; closing the pipe lets qemu-io reach EOF and exit.
struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
  explicit Child(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[0]);
    stdin_fd = fds[1];
  }
  ~Child() {
    if (stdin_fd >= 0) ::close(stdin_fd);
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
};

}  // namespace test
