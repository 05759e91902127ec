// Debug-register decoding and matching (cpu/debug_regs.h) against SDM Vol.3 §17.2.4-17.2.5.
#include <catch2/catch.hpp>

#include "cpu/debug_regs.h"

using namespace cpu;

TEST_CASE("DR7 arms instruction, data and (with CR4.DE) I/O breakpoints", "[cpu][debug]") {
  CpuState s;
  // DR0: L0, execute. DR1: G1, write, 4 bytes. DR2: L2, I/O. DR3: R/W = 11 but not enabled.
  s.dr[7] = 0x1 | 0x8 | 0x10 | (0xD << 20) | (0x2 << 24) | (0x3 << 28);
  dbg::update_armed(s);
  CHECK(s.dbg_exec == 0x1);
  CHECK(s.dbg_data == 0x2);  // R/W = 10 means nothing without CR4.DE
  s.cr4 = cr4::DE;
  dbg::update_armed(s);
  CHECK(s.dbg_data == (0x2 | 0x40));
}

TEST_CASE("data breakpoints match any overlapping byte of their aligned range", "[cpu][debug]") {
  CpuState s;
  s.dr[1] = 0x1006;  // 4 bytes: the low two address bits are ignored -> 1004h-1007h
  s.dr[7] = 0x4 | (0xD << 20);
  dbg::update_armed(s);
  CHECK(dbg::data_hits(s, 0x1004, 1, true) == 2);
  CHECK(dbg::data_hits(s, 0x1002, 4, true) == 2);  // 1002h-1005h overlaps
  CHECK(dbg::data_hits(s, 0x1000, 4, true) == 0);
  CHECK(dbg::data_hits(s, 0x1008, 2, true) == 0);
  CHECK(dbg::data_hits(s, 0x1005, 1, false) == 0);  // R/W = 01: writes only
  CHECK(dbg::page_watched(s, 0x1000, 0x1000, true));
  CHECK_FALSE(dbg::page_watched(s, 0x2000, 0x1000, true));
}

TEST_CASE("instruction breakpoints match the exact linear address", "[cpu][debug]") {
  CpuState s;
  s.dr[3] = 0x12345;
  s.dr[7] = 0x80;  // G3, R/W3 = 00
  dbg::update_armed(s);
  CHECK(dbg::exec_hits(s, 0x12345) == 8);
  CHECK(dbg::exec_hits(s, 0x12344) == 0);
  CHECK_FALSE(dbg::stepping(CpuState{}));
  CHECK(dbg::stepping(s));
}
