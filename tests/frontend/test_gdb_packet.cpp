// The gdb stub's packet layer and its answers to malformed or unusual packets: every one gets
// an answer the protocol defines (gdb manual, "Remote Protocol"), none crashes the stub.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../machine/rom_image.h"
#include "frontend/gdb/packet.h"
#include "frontend/gdb/session.h"
#include "machine/pc_machine.h"

namespace {

using frontend::gdb::PacketReader;
using frontend::gdb::Received;

// A packet framed by hand: the checksum is the byte sum modulo 256.
std::string packet(const std::string& payload) {
  unsigned sum = 0;
  for (const char c : payload) sum += uint8_t(c);
  static constexpr char kHex[] = "0123456789abcdef";
  return "$" + payload + "#" + kHex[(sum >> 4) & 15] + kHex[sum & 15];
}

std::vector<Received> read_all(const std::string& bytes) {
  PacketReader r;
  std::vector<Received> out;
  r.feed(bytes, out);
  return out;
}

// The replies of a session on a machine held at its reset vector, one packet at a time.
struct Stub {
  machine::PcMachine pc;
  std::string sent;
  frontend::gdb::Session session;
  static machine::MachineConfig config() {
    machine::MachineConfig cfg;
    cfg.bios_path = test::write_rom({0xeb, 0xfe});  // jmp $
    cfg.ram_bytes = 4u << 20;
    return cfg;
  }
  Stub() : pc(config(), [](char) {}), session(pc, [this](std::string_view b) { sent += b; }) {}
  // The reply payload to one packet (acknowledgement and framing checked and removed).
  std::string ask(const std::string& payload) {
    sent.clear();
    session.feed(packet(payload));
    REQUIRE(sent.size() >= 5);
    REQUIRE(sent[0] == '+');
    std::vector<Received> got = read_all(sent.substr(1));
    REQUIRE(got.size() == 1);
    REQUIRE(got[0].kind == Received::Kind::Packet);
    return got[0].payload;
  }
};

}  // namespace

TEST_CASE("gdb packets: framing and checksums", "[frontend][gdb]") {
  auto got = read_all("$qC#b4");  // 'q' + 'C' = 71h + 43h = B4h
  REQUIRE(got.size() == 1);
  CHECK(got[0].kind == Received::Kind::Packet);
  CHECK(got[0].payload == "qC");
  CHECK(read_all("$g#68")[0].kind == Received::Kind::Corrupt);  // 'g' is 67h
  CHECK(read_all("$g#zz")[0].kind == Received::Kind::Corrupt);
  got = read_all("+-\x03garbage$?#3f");
  REQUIRE(got.size() == 4);
  CHECK(got[0].kind == Received::Kind::Ack);
  CHECK(got[1].kind == Received::Kind::Nack);
  CHECK(got[2].kind == Received::Kind::Interrupt);
  CHECK(got[3].payload == "?");
  // A packet cut anywhere arrives whole.
  PacketReader r;
  std::vector<Received> out;
  for (const char c : std::string("$qC#b4")) r.feed(std::string(1, c), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload == "qC");
  // Longer than PacketSize: refused, and the next packet is read normally.
  got = read_all(packet(std::string(frontend::gdb::kMaxPacket + 10, 'm')) + "$?#3f");
  REQUIRE(got.size() == 2);
  CHECK(got[0].kind == Received::Kind::Corrupt);
  CHECK(got[0].payload.empty());
  CHECK(got[1].payload == "?");
  // Replies: '#', '$', '}' and '*' are escaped as '}' and the byte XOR 20h.
  CHECK(frontend::gdb::frame("OK") == "$OK#9a");
  CHECK(frontend::gdb::frame("a#") == "$a}\x03#e1");
}

TEST_CASE("gdb session: malformed packets get error replies", "[frontend][gdb]") {
  Stub stub;
  // A bad checksum is answered with '-' and nothing else.
  stub.sent.clear();
  stub.session.feed("$g#00");
  CHECK(stub.sent == "-");
  CHECK(stub.ask("mzz") == "E01");
  CHECK(stub.ask("m1000") == "E01");
  CHECK(stub.ask("m1000,") == "E01");
  CHECK(stub.ask("m123456789,1") == "E01");  // beyond 32 bits
  CHECK(stub.ask("pzz") == "E01");
  CHECK(stub.ask("p99") == "E01");
  CHECK(stub.ask("P0=12") == "E01");  // EAX is 4 bytes
  CHECK(stub.ask("P0=1234567z") == "E01");
  CHECK(stub.ask("G00") == "E01");
  CHECK(stub.ask("M1000,2:zz") == "E01");
  CHECK(stub.ask("M1000,3:0102") == "E01");  // length and data disagree
  CHECK(stub.ask("Z9,1000,1").empty());      // unknown type: not supported
  CHECK(stub.ask("Z2,1000,0") == "E01");     // a watchpoint of no bytes
  CHECK(stub.ask("z2,2000,4") == "E01");     // none is set there
  CHECK(stub.ask("Zx").empty());
  CHECK(stub.ask("qXfer:features:read:other.xml:0,100") == "E00");
  CHECK(stub.ask("qXfer:features:read:target.xml:zz") == "E01");
  CHECK(stub.ask("qRcmd,zz") == "E01");
  CHECK(stub.ask("bx").empty());
  CHECK(stub.ask("vUnknown").empty());
  CHECK(stub.ask("cxyz") == "E01");
  // Unassigned physical memory (the PCI hole of a 4 MiB machine) cannot be read.
  CHECK(stub.ask("me0000000,4") == "E14");
  // The machine is still stopped and sound: EIP is FFF0h after reset (SDM Vol.3 §9.1.4), in
  // target byte order; memory written can be read back.
  CHECK(stub.ask("p8") == "f0ff0000");
  CHECK(stub.ask("M1000,2:0102") == "OK");
  CHECK(stub.ask("m1000,2") == "0102");
  CHECK(stub.ask("qSupported:multiprocess+").find("PacketSize=4000") != std::string::npos);
  CHECK(stub.ask("qAttached") == "1");
  CHECK(stub.ask("QStartNoAckMode") == "OK");
  stub.sent.clear();
  stub.session.feed(packet("qC"));
  CHECK(stub.sent == frontend::gdb::frame("QC01"));  // no '+' any more
}

TEST_CASE("gdb session: random bytes never crash it", "[frontend][gdb]") {
  Stub stub;
  std::mt19937 rng(1234);
  static constexpr char kAlphabet[] = "$#}*+-\x03mMgGpPzZ0123456789abcdef,:;qQvXk?";
  for (int round = 0; round < 2000; round++) {
    std::string bytes;
    for (int i = 0; i < 40; i++) bytes += kAlphabet[rng() % (sizeof kAlphabet - 1)];
    // Whole packets too, with valid checksums and random contents.
    bytes += packet(bytes.substr(0, rng() % 20));
    stub.session.feed(bytes);
    if (stub.session.done()) break;
  }
  SUCCEED();
}

TEST_CASE("gdb session: memory at linear addresses, at the current privilege", "[frontend][gdb]") {
  Stub stub;
  cpu::CpuState& s = stub.pc.cpu().s;
  mmu::PhysMemory& mem = stub.pc.memory();
  // 32-bit paging (SDM Vol.3 §4.3): the directory at 10000h maps 0-4 MiB through the table at
  // 11000h, user and writable; in it, linear 1000h is a supervisor page (physical 5000h) and
  // 2000h a read-only user page (physical 6000h). Nothing else is present.
  const auto put32 = [&](uint32_t at, uint32_t v) {
    for (unsigned i = 0; i < 4; i++) mem.write(at + i, 1, (v >> (8 * i)) & 0xff);
  };
  constexpr uint32_t kP = 1, kRW = 2, kUS = 4;
  put32(0x10000, 0x11000 | kP | kRW | kUS);
  put32(0x11000 + 1 * 4, 0x5000 | kP | kRW);
  put32(0x11000 + 2 * 4, 0x6000 | kP | kUS);
  put32(0x5000, 0x44332211);
  put32(0x6000, 0x88776655);
  s.cr3 = 0x10000;
  s.cr0 |= cpu::cr0::PE | cpu::cr0::PG;
  s.cpl = 0;
  CHECK(stub.ask("m1000,4") == "11223344");
  CHECK(stub.ask("m2000,4") == "55667788");
  CHECK(stub.ask("m3000,4") == "E14");  // not present
  // A read running into a page that is not present stops there.
  CHECK(stub.ask("m2ffe,4") == "0000");
  s.cpl = 3;
  CHECK(stub.ask("m1000,4") == "E14");  // supervisor page
  CHECK(stub.ask("m2000,4") == "55667788");
  CHECK(stub.ask("M2000,1:aa") == "E14");  // read-only for CPL 3
  s.cpl = 0;
  CHECK(stub.ask("M1000,1:aa") == "OK");
  CHECK(mem.read(0x5000, 1) == 0xaa);
}
