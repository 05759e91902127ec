// Network frames in the replay log: the test Linux takes a DHCP lease on -nic user and fetches a
// file from an HTTP server on the host's loopback (through slirp's host address 10.0.2.2) while
// recording; the log then replays with no network at all (the forward's host port is taken, so
// a network started by mistake would refuse to start): the same serial output and --report line.
// One byte of one logged frame altered: the replay names the divergence at the next check.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "frontend/cli.h"
#include "frontend/features.h"
#include "machine/pc_machine.h"
#include "machine/replay_log.h"
#include "tests/snapshot/snapshot_util.h"
#include "tests/splitmix64.h"

namespace {

namespace replay = machine::replay;

// A listening TCP socket on 127.0.0.1 (port 0: any free one).
int listen_on(uint16_t port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 4) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

uint16_t port_of(int s) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Answers every HTTP request on its port with `body` (HTTP/1.0, RFC 1945), until destroyed.
class HttpServer {
 public:
  explicit HttpServer(std::string body) : body_(std::move(body)), socket_(listen_on(0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    thread_.join();
    ::close(socket_);
  }
  uint16_t port() const { return port_of(socket_); }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{socket_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(socket_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, size_t(n));
      }
      const std::string reply =
          fmt::format("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body_.size()) + body_;
      for (size_t done = 0; done < reply.size();) {
        const ssize_t n = ::write(c, reply.data() + done, reply.size() - done);
        if (n <= 0) break;
        done += size_t(n);
      }
      ::close(c);
    }
  }
  std::string body_;
  int socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string sha256_of(const std::string& path) {
  std::FILE* p = ::popen(("sha256sum '" + path + "'").c_str(), "r");
  char hex[65] = {};
  const bool ok = p && std::fread(hex, 1, 64, p) == 64;
  if (p) ::pclose(p);
  return ok ? std::string(hex) : "";
}

machine::MachineConfig config(const std::vector<std::string>& args) {
  frontend::CliResult r = frontend::parse_command_line(args, frontend::host_features());
  INFO(r.message);
  REQUIRE(r.action == frontend::CliResult::Action::Run);
  return r.config;
}

struct Outcome {
  machine::RunResult result;
  std::string report;
};

Outcome run(const machine::MachineConfig& cfg) {
  machine::PcMachine pc(cfg, [](char) {});
  Outcome o{pc.run(), ""};
  o.report = pc.report_line();
  return o;
}

std::string text_of(const std::string& path) {
  const std::vector<uint8_t> b = test::slurp(path);
  return {b.begin(), b.end()};
}

}  // namespace

TEST_CASE(
    "record and replay: a Linux boot with DHCP and an HTTP fetch over -nic user replays with no "
    "network, "
    "an altered frame diverges at the next check",
    "[machine][replay][net][linux]") {
  const std::string dir = std::string(GHOST86_SOURCE_DIR) + "/.cache/linux";
  if (!std::filesystem::exists(dir + "/vmlinuz") ||
      !std::filesystem::exists(dir + "/initramfs.gz")) {
    WARN("the test Linux (scripts/fetch-linux.sh) is not in .cache/linux: skipped");
    return;
  }
  if (sha256_of("/dev/null").size() != 64) {
    WARN("sha256sum is not installed: skipped");
    return;
  }
  // 40 KB from a fixed seed: many TCP segments, the same every run.
  std::string body(40000, '\0');
  uint64_t seed = 11;
  for (char& c : body) c = char(test::splitmix64(seed));
  const std::string blob = test::temp_file("net-blob"), log_path = test::temp_file("net-log"),
                    altered = test::temp_file("net-altered"),
                    rec_serial = test::temp_file("net-rec-serial"),
                    rep_serial = test::temp_file("net-rep-serial");
  test::spill(blob, {body.begin(), body.end()});
  const std::string hash = sha256_of(blob);
  const int reserve = listen_on(0);  // a free port for the forward
  const uint16_t fwd_port = port_of(reserve);
  ::close(reserve);
  constexpr uint64_t kEvery = 20'000'000;

  auto args = [&](const std::string& serial) {
    return std::vector<std::string>{
        "-accel",     "jit",
        "-m",         "128",
        "-kernel",    dir + "/vmlinuz",
        "-initrd",    dir + "/initramfs.gz",
        "-append",    "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi",
        "-nic",       fmt::format("user,hostfwd=tcp:127.0.0.1:{}-:8080", fwd_port),
        "-serial",    "file:" + serial,
        "-display",   "none",
        "-no-reboot", "--timeout",
        "120"};
  };
  Outcome recorded;
  {
    HttpServer server(body);
    std::vector<std::string> rec = args(rec_serial);
    for (const std::string& a :
         {std::string("--step"), std::string("serial:# "), std::string("--step"),
          fmt::format("send:ip link set eth0 up && udhcpc -i eth0 -n -q -s "
                      "/usr/share/udhcpc/default.script && "
                      "wget -q -O /tmp/b http://10.0.2.2:{}/b && sha256sum /tmp/b\\n",
                      server.port()),
          std::string("--step"), "serial:" + hash, std::string("--step"),
          std::string("send:poweroff\\n"), std::string("-record"), log_path,
          std::string("--record-every"), std::to_string(kEvery)})
      rec.push_back(a);
    recorded = run(config(rec));
  }
  const std::string serial = text_of(rec_serial);
  INFO("the recorded run's serial output:\n" << serial);
  REQUIRE(recorded.result.kind == machine::RunResult::Kind::PowerOff);
  REQUIRE(serial.find("lease of 10.0.2.15 obtained") != std::string::npos);
  REQUIRE(serial.find(hash + "  /tmp/b") != std::string::npos);
  const replay::Log log = replay::read_log(log_path);
  size_t bytes = 0;
  for (const replay::TimedFrame& f : log.frames) bytes += f.bytes.size();
  REQUIRE(bytes > body.size());  // the file came in frames, all of them logged
  const replay::TimedFrame& first = log.frames.front();
  CHECK(replay::dump(log).find(fmt::format("\n{} frame card=0 len={} head=", first.icount,
                                           first.bytes.size())) != std::string::npos);
  WARN(fmt::format("{} frames ({} bytes) over {} instructions: a log of {} bytes",
                   log.frames.size(), bytes, log.end.icount, std::filesystem::file_size(log_path)));

  // The forward's host port is taken now: a network started by the replay would refuse to run.
  const int taken = listen_on(fwd_port);
  REQUIRE(taken >= 0);
  std::vector<std::string> rep = args(rep_serial);
  rep.insert(rep.end(), {"-replay", log_path});
  const Outcome replayed = run(config(rep));
  CHECK(replayed.result.kind == recorded.result.kind);
  CHECK(replayed.report == recorded.report);
  CHECK(text_of(rep_serial) == serial);

  // One byte in the middle of the largest frame (file data, which the card writes to RAM).
  replay::Log edited = log;
  auto largest = std::max_element(
      edited.frames.begin(), edited.frames.end(),
      [](const auto& a, const auto& b) { return a.bytes.size() < b.bytes.size(); });
  largest->bytes[largest->bytes.size() / 2] ^= 0x01;
  replay::write_log(altered, edited);
  rep[rep.size() - 1] = altered;
  const Outcome diverged = run(config(rep));
  const uint64_t expected = (largest->icount / kEvery + 1) * kEvery;
  CHECK(diverged.result.kind == machine::RunResult::Kind::Diverged);
  CHECK(diverged.result.message.rfind(fmt::format("replay diverged at icount={} CS:EIP=", expected),
                                      0) == 0);
  CHECK(diverged.result.message.find("RAM pages") != std::string::npos);
  ::close(taken);
  for (const std::string& p : {blob, log_path, altered, rec_serial, rep_serial})
    std::filesystem::remove(p);
}
