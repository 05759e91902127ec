// Page walks, permission checks, A/D bits and #PF error codes (SDM Vol.3 chapter 4).
#include <catch2/catch.hpp>

#include "cpu/exception.h"
#include "mmu/mmu.h"

using mmu::Access;

namespace {

constexpr uint32_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;

struct Paged {
  mmu::PhysMemory pm{8 << 20};
  cpu::CpuState s;
  mmu::Mmu m{pm};
  Paged() {
    m.attach(&s);
    s.cr3 = 0x10000;  // page directory
    s.cr0 |= cpu::cr0::PE | cpu::cr0::PG;
  }
  void pde(uint32_t lin, uint32_t v) { pm.write(0x10000 + (lin >> 22) * 4, 4, v); }
  void pte(uint32_t table, uint32_t lin, uint32_t v) { pm.write(table + ((lin >> 12) & 0x3ff) * 4, 4, v); }
  uint32_t rd(uint32_t addr) { return pm.read(addr, 4); }
  // The error code of the #PF raised by translating `lin`, or -1 if none.
  int64_t fault(uint32_t lin, Access a, bool user) {
    try {
      m.translate(lin, a, user);
    } catch (const cpu::CpuException& e) {
      CHECK(e.vector == cpu::kPF);
      CHECK(e.address == lin);
      return e.error;
    }
    return -1;
  }
};

}  // namespace

TEST_CASE("4 KB pages translate and set accessed and dirty bits", "[mmu][paging]") {
  Paged p;
  p.pde(0x00400000, 0x20000 | P | RW | US);
  p.pte(0x20000, 0x00401000, 0x123000 | P | RW | US);
  CHECK(p.m.translate(0x00401abc, Access::Read) == 0x123abc);
  CHECK((p.rd(0x10004) & A));                 // directory entry accessed
  CHECK((p.rd(0x20004) & (A | D)) == A);      // read: accessed, not dirty
  p.m.translate(0x00401000, Access::Write);
  CHECK((p.rd(0x20004) & (A | D)) == (A | D));
}

TEST_CASE("not-present and protection faults report the SDM error code", "[mmu][paging]") {
  Paged p;
  p.pde(0x00400000, 0x20000 | P | RW | US);
  p.pte(0x20000, 0x00400000, 0x100000 | P | US);       // read-only user page
  p.pte(0x20000, 0x00401000, 0x101000 | P | RW);       // supervisor page
  // Not present: P=0; W and U give the access.
  CHECK(p.fault(0x00800000, Access::Read, false) == 0);
  CHECK(p.fault(0x00402000, Access::Write, true) == (mmu::pf::W | mmu::pf::U));
  // User write to a read-only page: protection (P=1), W, U.
  CHECK(p.fault(0x00400010, Access::Write, true) == (mmu::pf::P | mmu::pf::W | mmu::pf::U));
  // User read of a supervisor page.
  CHECK(p.fault(0x00401000, Access::Read, true) == (mmu::pf::P | mmu::pf::U));
  // Supervisor write to a read-only page is allowed unless CR0.WP is set.
  CHECK(p.fault(0x00400010, Access::Write, false) == -1);
  p.s.cr0 |= cpu::cr0::WP;
  CHECK(p.fault(0x00400010, Access::Write, false) == (mmu::pf::P | mmu::pf::W));
  // The dirty bit was not set by the faulting write... but was by the allowed one before WP.
  CHECK((p.rd(0x20000) & D));
}

TEST_CASE("4 MB pages need CR4.PSE and have reserved bits 21:13", "[mmu][paging]") {
  Paged p;
  p.pde(0x00c00000, 0x01000000 | P | RW | PS);
  // Without PSE the PS bit is ignored and the entry is a page-table pointer (to 16 MB, which
  // reads as all ones past RAM's end... use a valid table instead).
  p.s.cr4 |= cpu::cr4::PSE;
  CHECK(p.m.translate(0x00c12345, Access::Read) == 0x01012345);
  p.pde(0x00c00000, 0x01000000 | P | RW | PS | (1u << 13));
  CHECK(p.fault(0x00c00000, Access::Read, false) == (mmu::pf::P | mmu::pf::RSVD));
}

TEST_CASE("PAE walks three levels with 64-bit entries and NX", "[mmu][paging]") {
  Paged p;
  p.s.cr4 |= cpu::cr4::PAE;
  p.s.cr3 = 0x30000;
  p.pm.write(0x30000 + 8 * 1, 4, 0x31000 | P);           // PDPTE 1: 40000000h..7FFFFFFFh
  p.pm.write(0x31000 + 8 * 2, 4, 0x32000 | P | RW | US);  // PDE 2: 40400000h..405FFFFFh
  p.pm.write(0x32000 + 8 * 3, 4, 0x456000 | P | RW | US);
  p.pm.write(0x32000 + 8 * 3 + 4, 4, 0x80000000u);       // XD
  // Bit 63 (XD) is a reserved bit unless EFER.NXE is set: any access faults with RSVD.
  CHECK(p.fault(0x40403123, Access::Read, false) == (mmu::pf::P | mmu::pf::RSVD));
  p.s.efer = cpu::kEferNxe;
  CHECK(p.m.translate(0x40403123, Access::Read) == 0x456123);
  CHECK(p.fault(0x40403000, Access::Exec, false) == (mmu::pf::P | mmu::pf::ID));
  // 2 MB page.
  p.pm.write(0x31000 + 8 * 3, 4, 0x00600000 | P | RW | PS);
  CHECK(p.m.translate(0x40612345, Access::Write) == 0x00612345);
}

TEST_CASE("TLB: user and supervisor sets, CR3 flush keeps global pages", "[mmu][paging]") {
  Paged p;
  p.s.cr4 |= cpu::cr4::PGE;
  p.pde(0, 0x20000 | P | RW | US);
  p.pte(0x20000, 0x1000, 0x200000 | P | RW | US | G | D | A);
  p.pte(0x20000, 0x2000, 0x201000 | P | RW | US | D | A);
  p.pm.write(0x200000, 4, 0x11111111);
  p.pm.write(0x201000, 4, 0x22222222);
  CHECK(p.m.read<4>(0x1000) == 0x11111111);
  CHECK(p.m.read<4>(0x2000) == 0x22222222);
  // Remap both pages in memory: the TLB still holds the old translations...
  p.pte(0x20000, 0x1000, 0x201000 | P | RW | US | G | D | A);
  p.pte(0x20000, 0x2000, 0x200000 | P | RW | US | D | A);
  CHECK(p.m.read<4>(0x2000) == 0x22222222);
  // ...until a CR3 reload drops the non-global one.
  p.m.flush_tlb(true);
  CHECK(p.m.read<4>(0x2000) == 0x11111111);
  CHECK(p.m.read<4>(0x1000) == 0x11111111);
  p.m.flush_page(0x1000);  // INVLPG drops global entries too
  CHECK(p.m.read<4>(0x1000) == 0x22222222);
  // User-mode accesses use their own set and their own checks.
  p.pte(0x20000, 0x3000, 0x202000 | P | RW);  // supervisor only
  p.m.flush_tlb();
  CHECK(p.m.read<4>(0x3000) == 0);
  p.m.set_user(true);
  CHECK_THROWS_AS(p.m.read<4>(0x3000), cpu::CpuException);
}

TEST_CASE("a page-crossing store that faults on the second page writes nothing", "[mmu][paging]") {
  Paged p;
  p.pde(0, 0x20000 | P | RW | US);
  p.pte(0x20000, 0x5000, 0x300000 | P | RW);  // 5000h present, 6000h not
  CHECK_THROWS_AS(p.m.write<4>(0x5ffe, 0xaabbccdd), cpu::CpuException);
  CHECK(p.pm.read(0x300ffe, 2) == 0);
}
